/**
 * Request validation from the route table's JSON Schemas (ajv, draft 2020-12 — the dialect of
 * OpenAPI 3.1, so the same schemas go into the document unchanged). Query strings and path
 * parameters are coerced (`?limit=20` → 20); bodies are not.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FieldError } from './problem.js';

export type JsonSchema = Record<string, unknown>;

// ajv-formats is CommonJS with a default export; under NodeNext its namespace may wrap it.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

function makeAjv(coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    coerceTypes: coerce,
    useDefaults: coerce,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

const bodyAjv = makeAjv(false);
const coercingAjv = makeAjv(true);

export interface Validator {
  (value: unknown): FieldError[];
}

export function compileBody(schema: JsonSchema): Validator {
  return wrap(bodyAjv.compile(schema), 'body');
}

export function compileCoercing(schema: JsonSchema, where: 'query' | 'params'): Validator {
  return wrap(coercingAjv.compile(schema), where);
}

function wrap(validate: ValidateFunction, where: string): Validator {
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => toFieldError(e, where)));
}

/** `/applicant/idNumber` + missing `phone` → `body.applicant.phone`. */
function fieldOf(e: ErrorObject, where: string): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') path.push(String((e.params as { missingProperty: string }).missingProperty));
  if (e.keyword === 'additionalProperties')
    path.push(String((e.params as { additionalProperty: string }).additionalProperty));
  let out = where;
  for (const seg of path) out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  return out;
}

function toFieldError(e: ErrorObject, where: string): FieldError {
  const field = fieldOf(e, where);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { field, message: { zh: '必填', en: 'is required' } };
    case 'additionalProperties':
      return { field, message: { zh: '不允许的字段', en: 'is not an allowed field' } };
    case 'type':
      return { field, message: { zh: `类型应为 ${p.type}`, en: `must be of type ${p.type}` } };
    case 'enum':
      return {
        field,
        message: {
          zh: `应为以下之一：${(p.allowedValues as unknown[]).join('、')}`,
          en: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`,
        },
      };
    case 'minLength':
      return p.limit === 1
        ? { field, message: { zh: '不能为空', en: 'must not be empty' } }
        : {
            field,
            message: { zh: `长度不能少于 ${p.limit}`, en: `must have at least ${p.limit} characters` },
          };
    case 'maxLength':
      return {
        field,
        message: { zh: `长度不能超过 ${p.limit}`, en: `must have at most ${p.limit} characters` },
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        field,
        message: { zh: `应 ${p.comparison} ${p.limit}`, en: `must be ${p.comparison} ${p.limit}` },
      };
    case 'minItems':
      return {
        field,
        message: { zh: `至少需要 ${p.limit} 项`, en: `must have at least ${p.limit} item(s)` },
      };
    case 'maxItems':
      return { field, message: { zh: `最多 ${p.limit} 项`, en: `must have at most ${p.limit} item(s)` } };
    case 'minProperties':
      return {
        field,
        message: { zh: `至少需要 ${p.limit} 个字段`, en: `must have at least ${p.limit} field(s)` },
      };
    case 'pattern':
      return { field, message: { zh: '格式不正确', en: `must match the pattern ${p.pattern}` } };
    case 'format':
      return { field, message: { zh: `格式应为 ${p.format}`, en: `must be a valid ${p.format}` } };
    case 'const':
      return {
        field,
        message: {
          zh: `应为 ${JSON.stringify(p.allowedValue)}`,
          en: `must be ${JSON.stringify(p.allowedValue)}`,
        },
      };
    default:
      return { field, message: { zh: `不符合要求（${e.keyword}）`, en: e.message ?? `fails ${e.keyword}` } };
  }
}
