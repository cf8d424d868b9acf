import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { JSONSchema7, JSONSchema7Definition } from 'json-schema';
import type { Text } from '../library/index.js';
import type { UnifiedForm } from '../merge/index.js';
import { addGovFormats } from './formats/index.js';
import { addGovKeywords } from './keywords.js';
import { keywordMessage } from './messages.js';
import { linearRegExp } from './safe-regexp.js';

/** One problem, naming the field by its label in both languages. */
export interface FieldError {
  /** Dotted path: `companyName`, `financeOfficer.idNumber`, `investors.0.name`, `situation.hiring`. */
  field: string;
  label: Text;
  message: Text;
  keyword: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: FieldError[];
}

export type FormValidator = (data: unknown) => ValidationResult;

// One ajv for all forms: formats and keywords are registered once; each form's schema is compiled once.
// inlineRefs false: a $ref is a function of its own (see fieldsApart). Patterns run in linear time.
const ajv = addGovKeywords(
  addGovFormats(
    new Ajv({
      allErrors: true,
      strict: false,
      multipleOfPrecision: 6,
      inlineRefs: false,
      code: { regExp: linearRegExp },
    }),
  ),
);
const validators = new WeakMap<UnifiedForm, FormValidator>();

/** Keywords that only repeat an inner error (if/then, anyOf wrappers). */
const wrappers = new Set(['if', 'anyOf', 'allOf', 'oneOf', 'not']);

function valueAt(data: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    data,
  );
}

/** The answers as a whole (missing, or not an object), as the generated types call them. */
const situationLabel: Text = { zh: '办事情形', en: 'Your situation' };

function labelFor(form: UnifiedForm, path: string[]): Text {
  if (path[0] === 'situation') {
    if (path.length === 1) return situationLabel;
    const q = form.bundle.questions.find((x) => x.id === path[1]);
    if (q) return q.label;
  }
  return form.library.labelOf(path);
}

function pathOf(e: ErrorObject): string[] {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const p = e.params as { missingProperty?: string; additionalProperty?: string };
  const leaf = p.missingProperty ?? p.additionalProperty;
  if (leaf !== undefined) path.push(leaf);
  return path;
}

function fieldError(path: string[], label: Text, message: Text, keyword: string): FieldError {
  return {
    field: path.join('.'),
    label,
    message: { zh: `${label.zh}${message.zh}`, en: `${label.en} ${message.en}` },
    keyword,
  };
}

function toFieldError(form: UnifiedForm, data: unknown, e: ErrorObject): FieldError {
  const path = pathOf(e);
  return fieldError(path, labelFor(form, path), keywordMessage(e, valueAt(data, path)), e.keyword);
}

/**
 * The errors of a failed anyOf whose every branch only misses a property (an investor's ID number
 * or credit code): they become one error naming both, on the first of them.
 */
function missingEither(errors: ErrorObject[], anyOf: ErrorObject): ErrorObject[] | undefined {
  // One investor's branches: every investor shares the schema path, so the instance path tells them apart.
  const branches = errors.filter(
    (e) => e.schemaPath.startsWith(`${anyOf.schemaPath}/`) && e.instancePath === anyOf.instancePath,
  );
  const onlyMissing = branches.every(
    (e) => e.keyword === 'required' && e.instancePath === anyOf.instancePath,
  );
  return branches.length > 1 && onlyMissing ? branches : undefined;
}

function eitherError(form: UnifiedForm, branches: ErrorObject[]): FieldError {
  const paths = branches.map(pathOf);
  const owner = labelFor(form, paths[0]!.slice(0, -1));
  const leaves = paths.map((p) => form.library.labelOf(p.slice(-1)));
  const prefix = (sep: string, text: string) => (text ? `${text}${sep}` : '');
  const label = {
    zh: prefix('·', owner.zh) + leaves.map((l) => l.zh).join('或'),
    en: prefix(' – ', owner.en) + leaves.map((l) => l.en).join(' or '),
  };
  return fieldError(paths[0]!, label, keywordMessage(branches[0]!, undefined), 'required');
}

function toFieldErrors(form: UnifiedForm, data: unknown, errors: ErrorObject[]): FieldError[] {
  const either = new Map<ErrorObject, ErrorObject[]>();
  for (const e of errors) {
    const branches = e.keyword === 'anyOf' ? missingEither(errors, e) : undefined;
    if (branches) either.set(e, branches);
  }
  const grouped = new Set([...either.values()].flat());
  return errors.flatMap((e) => {
    const branches = either.get(e);
    if (branches) return [eitherError(form, branches)];
    return wrappers.has(e.keyword) || grouped.has(e) ? [] : [toFieldError(form, data, e)];
  });
}

const isRecord = (s: JSONSchema7Definition | JSONSchema7Definition[] | undefined) =>
  typeof s === 'object' && !Array.isArray(s) && s.type === 'object';

/**
 * The form's schema with each field of records (a person block, the investors) behind a $ref, so
 * that ajv compiles it as a function of its own. As one function, the business-startup form with
 * the document rules of its person blocks comes to the size past which V8 does not optimise a
 * function, and then validates about three times slower.
 */
function fieldsApart(schema: JSONSchema7): JSONSchema7 {
  const properties = { ...schema.properties };
  const definitions = { ...schema.definitions };
  for (const [id, p] of Object.entries(properties)) {
    if (!isRecord(p) && !(typeof p === 'object' && p.type === 'array' && isRecord(p.items))) continue;
    definitions[`field-${id}`] = p;
    properties[id] = { $ref: `#/definitions/field-${id}` };
  }
  return { ...schema, properties, definitions };
}

function compile(form: UnifiedForm): ValidateFunction {
  return ajv.compile(fieldsApart(form.schema));
}

/** The form's validator, compiled on first use and reused (hot path: no per-call schema work). */
export function validatorFor(form: UnifiedForm): FormValidator {
  const hit = validators.get(form);
  if (hit) return hit;
  const check = compile(form);
  const validator: FormValidator = (data) => {
    if (check(data)) return { valid: true, errors: [] };
    return { valid: false, errors: toFieldErrors(form, data, check.errors ?? []) };
  };
  validators.set(form, validator);
  return validator;
}

export function validateForm(form: UnifiedForm, data: unknown): ValidationResult {
  return validatorFor(form)(data);
}
