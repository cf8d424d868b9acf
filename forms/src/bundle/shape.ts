/**
 * bundle.json's shape problems where the designer names their places (bundle.items.seal-filing.name,
 * bundle.applicantAge.min: list entries by their code, id, key or field) and in both languages,
 * for the designer while editing and for the server's refusal at deploy (load.ts), so both say
 * the same. By an interpreting validator (@cfworker/json-schema): the designer's
 * Content-Security-Policy forbids ajv's generated code.
 */
import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import type { ErrorObject } from 'ajv';
import type { JSONSchema7 } from 'json-schema';
import type { Text } from '../library/index.js';
import { pointerPath, valueAt } from '../validate/json-pointer.js';
import { keywordMessage } from '../validate/messages.js';
import { bundleSchema } from './schema.js';
import type { BundleDefinition } from './types.js';

export interface BundleProblem {
  /** Where, by codes and keys: bundle.items.<code>.outputs.<key>.label.en, bundle.applicantAge.min. */
  field: string;
  message: Text;
}

const shape = new Validator(bundleSchema as Schema, '7', false);

/** Every shape problem of `bundle`; `wrongKinds`: some value is of the wrong type (other checks cannot read it). */
export function shapeProblems(bundle: unknown): { problems: BundleProblem[]; wrongKinds: boolean } {
  let errors: OutputUnit[];
  try {
    errors = shape.validate(bundle).errors.filter((e) => !WRAPPERS.has(e.keyword));
  } catch {
    // Not JSON data (an undefined or a function inside, from a caller in process): no places to name.
    return { problems: [], wrongKinds: true };
  }
  return {
    problems: errors.flatMap((e) => problemsOf(bundle as BundleDefinition, e)),
    wrongKinds: errors.some((e) => e.keyword === 'type'),
  };
}

/** Keywords that only say an inner value is wrong; the inner error says what. */
const WRAPPERS = new Set(['properties', 'items', 'allOf', 'anyOf', 'oneOf', 'additionalItems']);

const schemaProperty = (schema: JSONSchema7, name: string) => schema.properties?.[name] as JSONSchema7;
const itemSchema = (schema: JSONSchema7, name: string) => schemaProperty(schema, name).items as JSONSchema7;

/** What the schema's patterns ask for, in words (the patterns read from the schema itself). */
const PATTERN_HINTS: Record<string, Text> = {
  [schemaProperty(bundleSchema, 'code').pattern!]: {
    zh: '编码由小写字母、数字和连字符组成，以字母开头，如 seal-filing',
    en: 'a code is lower-case letters, digits and hyphens, starting with a letter, e.g. seal-filing',
  },
  [schemaProperty(itemSchema(itemSchema(bundleSchema, 'items'), 'outputs'), 'key').pattern!]: {
    zh: '以小写字母开头，只含字母和数字，如 creditCode',
    en: 'a lower-case letter first, then letters and digits only, e.g. creditCode',
  },
  [schemaProperty(bundleSchema, 'version').pattern!]: { zh: '形如 1.0.0', en: 'like 1.0.0' },
};

/** One schema error as problems: where (by codes) and what is wrong, in both languages. */
function problemsOf(bundle: BundleDefinition, e: OutputUnit): BundleProblem[] {
  const path = pointerPath(e.instanceLocation);
  const field = ['bundle', ...namedPath(bundle, path)].join('.');
  const rule = valueAt(bundleSchema, pointerPath(e.keywordLocation));
  const value = valueAt(bundle, path);
  if (e.keyword === 'required') {
    const missing = (rule as string[]).filter((k) => !Object.hasOwn(Object(value), k));
    return missing.map((k) => ({ field: `${field}.${k}`, message: keywordText('required', {}, value) }));
  }
  // An empty text that must not be is a missing one, as an analyst reads it.
  const keyword = e.keyword === 'minLength' && rule === 1 ? 'required' : e.keyword;
  const message = keywordText(keyword, { limit: rule, type: rule, format: rule }, value);
  const hint = e.keyword === 'pattern' ? PATTERN_HINTS[rule as string] : undefined;
  return [
    {
      field,
      message: hint ? { zh: `${message.zh}：${hint.zh}`, en: `${message.en}: ${hint.en}` } : message,
    },
  ];
}

const keywordText = (keyword: string, params: Record<string, unknown>, value: unknown): Text =>
  keywordMessage({ keyword, params } as unknown as ErrorObject, value);

/** A path with list positions replaced by what names the entry (code, id, key, field), if anything. */
function namedPath(bundle: BundleDefinition, path: string[]): string[] {
  return path.map((segment, n) => {
    const entry = /^\d+$/.test(segment) ? valueAt(bundle, path.slice(0, n + 1)) : undefined;
    const named = entry as { code?: unknown; id?: unknown; key?: unknown; field?: unknown } | undefined;
    const name = named?.code ?? named?.id ?? named?.key ?? named?.field;
    return typeof name === 'string' && name !== '' ? name : segment;
  });
}
