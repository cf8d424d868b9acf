/**
 * JSON Forms needs an ajv-like object for validation and for its SHOW/HIDE rules, but ajv
 * compiles schemas with `new Function`, which the server's Content-Security-Policy
 * (script-src 'self') forbids. This shim answers ajv's `compile`/`validate` with the
 * interpreting validator @cfworker/json-schema and turns its output into ajv-shaped errors with
 * zh/en messages from the forms package (the same wording the server's validator uses).
 */
import { format as cfFormats, Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import type { ErrorObject } from 'ajv';
import { checkCreditCode } from '../../../forms/src/validate/formats/credit-code.js';
import { checkResidentId } from '../../../forms/src/validate/formats/resident-id.js';
import {
  isBankAccount,
  isDivisionCode,
  isMobile,
  isPostalCode,
} from '../../../forms/src/validate/formats/simple.js';
import { keywordMessage } from '../../../forms/src/validate/messages.js';

export type Lang = 'zh' | 'en';

// Our formats (the field library's GovFormat names), as the server registers them with ajv.
Object.assign(cfFormats, {
  'resident-id': (v: string) => checkResidentId(v).ok,
  'credit-code': (v: string) => checkCreditCode(v).ok,
  'mobile-cn': isMobile,
  'postal-code-cn': isPostalCode,
  'division-code': isDivisionCode,
  'bank-account': isBankAccount,
});

/** Keywords that only report that something inside failed; the inner error says what. */
const WRAPPERS = new Set([
  'properties',
  'items',
  'additionalItems',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
  '$ref',
  'not',
  'prefixItems',
  'contains',
  'dependentSchemas',
]);
/** multipleOf: floating-point noise (registered capital 80.5 against 1e-6); the server checks it with ajv's precision. */
const SKIPPED = new Set(['multipleOf']);

function pointerGet(root: unknown, pointer: string): unknown {
  const parts = pointer
    .replace(/^#/, '')
    .split('/')
    .slice(1)
    .map((p) => decodeURIComponent(p.replace(/~1/g, '/').replace(/~0/g, '~')));
  return parts.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    root,
  );
}

/** `#/investors/0/name` → `/investors/0/name` (ajv's instancePath). */
function instancePath(location: string): string {
  return location.replace(/^#/, '');
}

/** One cfworker output unit as an ajv error, or null when it only wraps inner errors. */
export function toAjvError(unit: OutputUnit, schema: unknown, data: unknown, lang: Lang): ErrorObject | null {
  if (WRAPPERS.has(unit.keyword) || SKIPPED.has(unit.keyword)) return null;
  const keywordValue = pointerGet(schema, unit.keywordLocation);
  const parentSchema = pointerGet(schema, unit.keywordLocation.replace(/\/[^/]*$/, '')) as
    Record<string, unknown> | undefined;
  const params: Record<string, unknown> = {};
  const path = instancePath(unit.instanceLocation);
  let value = pointerGet(data, `#${path}`);
  switch (unit.keyword) {
    case 'required': {
      const missing = /required property "([^"]+)"/.exec(unit.error)?.[1] ?? '';
      params.missingProperty = missing;
      value = undefined;
      break;
    }
    case 'format':
      params.format = keywordValue;
      break;
    case 'pattern':
      params.pattern = keywordValue;
      break;
    case 'type':
      params.type = keywordValue;
      break;
    case 'enum':
      params.allowedValues = keywordValue;
      break;
    default:
      params.limit = keywordValue;
  }
  const fake = {
    keyword: unit.keyword,
    params,
    instancePath: path,
    schemaPath: unit.keywordLocation,
    message: '',
  } as ErrorObject;
  const text = keywordMessage(fake, value);
  return { ...fake, message: text[lang], ...(parentSchema ? { parentSchema } : {}) } as ErrorObject;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** What JSON Forms calls on its `ajv` prop. */
export interface AjvLike {
  compile(schema: object): CompiledValidator;
  validate(schema: object | boolean, data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export function createValidator(lang: () => Lang = () => 'zh'): AjvLike {
  const cache = new WeakMap<object, Validator>();
  const validatorOf = (schema: object) => {
    let v = cache.get(schema);
    if (!v) {
      v = new Validator(schema as Schema, '7', false);
      cache.set(schema, v);
    }
    return v;
  };
  const run = (schema: object, data: unknown): ErrorObject[] => {
    const result = validatorOf(schema).validate(data);
    if (result.valid) return [];
    const out: ErrorObject[] = [];
    const seen = new Set<string>();
    for (const unit of result.errors) {
      const e = toAjvError(unit, schema, data, lang());
      if (!e) continue;
      const key = `${e.instancePath}|${e.keyword}|${(e.params as { missingProperty?: string }).missingProperty ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(e);
    }
    return out;
  };
  const ajv: AjvLike = {
    compile(schema) {
      const fn: CompiledValidator = (data) => {
        fn.errors = run(schema, data);
        return fn.errors.length === 0;
      };
      return fn;
    },
    validate(schema, data) {
      if (schema === true) return true;
      if (schema === false) return false;
      // Rules only ask yes or no: the first error is enough.
      const valid = validatorOf(schema).validate(data).valid;
      ajv.errors = valid ? null : [];
      return valid;
    },
  };
  return ajv;
}
