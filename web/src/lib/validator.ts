/**
 * JSON Forms needs an ajv-like object for validation and for its SHOW/HIDE rules, but ajv
 * compiles schemas with `new Function`, which the server's Content-Security-Policy
 * (script-src 'self') forbids. This shim answers ajv's `compile`/`validate` with the
 * interpreting validator @cfworker/json-schema and turns its output into ajv-shaped errors with
 * zh/en messages from the forms package (the same wording the server's validator uses).
 * A bundle's `pattern` runs on RE2, as on the server (forms safe-regexp.ts), not on the browser's
 * backtracking RegExp (see linearPatterns).
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
import { pointerPath, valueAt } from '../../../forms/src/validate/json-pointer.js';
import { keywordMessage } from '../../../forms/src/validate/messages.js';
import { tryLinearRegExp } from '../../../forms/src/validate/safe-regexp.js';

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

/** Format names that stand for a pattern (linearPatterns). */
const PATTERN_FORMAT = 'onething-pattern:';

/** A pattern as a format checked by RE2; a pattern RE2 refuses (from a bundle deployed before the server checked) by RegExp. */
function patternFormat(pattern: string): string {
  const name = `${PATTERN_FORMAT}${pattern}`;
  if (!(name in cfFormats)) {
    const regExp = tryLinearRegExp(pattern) ?? new RegExp(pattern, 'u');
    (cfFormats as Record<string, (value: string) => boolean>)[name] = (value) => regExp.test(value);
  }
  return name;
}

/** Keywords whose values are data, not schemas: nothing in them is a pattern. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);

/**
 * The schema with each `pattern` turned into a format of ours (in an `allOf`, beside any format it
 * has): cfworker runs `pattern` with RegExp and has no hook, and on RegExp a bundle's `^(a+)+$`
 * held the clerk's tab for hours on a 40-character answer. toAjvError reports it as `pattern`.
 */
export function linearPatterns(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(linearPatterns);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = DATA_KEYWORDS.has(key) ? value : linearPatterns(value);
  }
  if (typeof out.pattern === 'string') {
    const format = { format: patternFormat(out.pattern) };
    delete out.pattern;
    out.allOf = Array.isArray(out.allOf) ? [...out.allOf, format] : [format];
  }
  return out;
}

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

/** The value a cfworker location (`#/investors/0/name`) names in `root`. */
const pointerGet = (root: unknown, location: string): unknown => valueAt(root, pointerPath(location));

/** `#/investors/0/name` → `/investors/0/name` (ajv's instancePath). */
function instancePath(location: string): string {
  return location.replace(/^#/, '');
}

/** One cfworker output unit as an ajv error, or null when it only wraps inner errors. */
export function toAjvError(unit: OutputUnit, schema: unknown, data: unknown, lang: Lang): ErrorObject | null {
  if (WRAPPERS.has(unit.keyword) || SKIPPED.has(unit.keyword)) return null;
  let keywordValue = pointerGet(schema, unit.keywordLocation);
  let parentLocation = unit.keywordLocation.replace(/\/[^/]*$/, '');
  let keyword = unit.keyword;
  if (keyword === 'format' && typeof keywordValue === 'string' && keywordValue.startsWith(PATTERN_FORMAT)) {
    // A pattern (linearPatterns): reported as the schema's own, as ajv reports it on the server.
    keyword = 'pattern';
    keywordValue = keywordValue.slice(PATTERN_FORMAT.length);
    parentLocation = parentLocation.replace(/\/allOf\/\d+$/, '');
  }
  const parentSchema = pointerGet(schema, parentLocation) as Record<string, unknown> | undefined;
  const params: Record<string, unknown> = {};
  const path = instancePath(unit.instanceLocation);
  let value = pointerGet(data, `#${path}`);
  switch (keyword) {
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
    keyword,
    params,
    instancePath: path,
    schemaPath: keyword === unit.keyword ? unit.keywordLocation : `${parentLocation}/pattern`,
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
  /** Per schema JSON Forms gives: the one validated (patterns as formats) and its validator. */
  const cache = new WeakMap<object, { checked: object; validator: Validator }>();
  const validatorOf = (schema: object) => {
    let v = cache.get(schema);
    if (!v) {
      const checked = linearPatterns(schema) as object;
      v = { checked, validator: new Validator(checked as Schema, '7', false) };
      cache.set(schema, v);
    }
    return v;
  };
  const run = (schema: object, data: unknown): ErrorObject[] => {
    const { checked, validator } = validatorOf(schema);
    const result = validator.validate(data);
    if (result.valid) return [];
    const out: ErrorObject[] = [];
    const seen = new Set<string>();
    for (const unit of result.errors) {
      const e = toAjvError(unit, checked, data, lang());
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
      const valid = validatorOf(schema).validator.validate(data).valid;
      ajv.errors = valid ? null : [];
      return valid;
    },
  };
  return ajv;
}
