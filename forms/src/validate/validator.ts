import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Text } from '../library/index.js';
import type { UnifiedForm } from '../merge/index.js';
import { addGovFormats } from './formats/index.js';
import { keywordMessage } from './messages.js';

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

// One ajv for all forms: formats are registered once; each form's schema is compiled once.
const ajv = addGovFormats(new Ajv({ allErrors: true, strict: false, multipleOfPrecision: 6 }));
const validators = new WeakMap<UnifiedForm, FormValidator>();

/** Keywords that only repeat an inner error (if/then, anyOf wrappers). */
const wrappers = new Set(['if', 'anyOf', 'allOf', 'oneOf', 'not']);

function valueAt(data: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    data,
  );
}

function labelFor(form: UnifiedForm, path: string[]): Text {
  if (path[0] === 'situation' && path[1]) {
    const q = form.bundle.questions.find((x) => x.id === path[1]);
    if (q) return q.label;
  }
  return form.library.labelOf(path);
}

function toFieldError(form: UnifiedForm, data: unknown, e: ErrorObject): FieldError {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const p = e.params as { missingProperty?: string; additionalProperty?: string };
  const leaf = p.missingProperty ?? p.additionalProperty;
  if (leaf !== undefined) path.push(leaf);
  const label = labelFor(form, path);
  const message = keywordMessage(e, valueAt(data, path));
  return {
    field: path.join('.'),
    label,
    message: { zh: `${label.zh}${message.zh}`, en: `${label.en} ${message.en}` },
    keyword: e.keyword,
  };
}

function compile(form: UnifiedForm): ValidateFunction {
  return ajv.compile(form.schema);
}

/** The form's validator, compiled on first use and reused (hot path: no per-call schema work). */
export function validatorFor(form: UnifiedForm): FormValidator {
  const hit = validators.get(form);
  if (hit) return hit;
  const check = compile(form);
  const validator: FormValidator = (data) => {
    if (check(data)) return { valid: true, errors: [] };
    const errors = (check.errors ?? [])
      .filter((e) => !wrappers.has(e.keyword))
      .map((e) => toFieldError(form, data, e));
    return { valid: false, errors };
  };
  validators.set(form, validator);
  return validator;
}

export function validateForm(form: UnifiedForm, data: unknown): ValidationResult {
  return validatorFor(form)(data);
}
