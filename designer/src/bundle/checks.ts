/**
 * The designer's own checks of the bundle definition, shown while editing: what the server refuses
 * at deploy. Its shape by bundleSchema (the server's first check; here by an interpreting
 * validator, as the designer's Content-Security-Policy forbids ajv's generated code), then its
 * references (an `after` naming no item, an unknown department, a condition reading no question)
 * by the server's own referenceProblems, and the items' outputs and needs by its outputProblems.
 * Problems name their place as the server does (`bundle.items.seal-filing.needs.0`), so the
 * editor shows each beside its field.
 */
import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import type { ErrorObject } from 'ajv';
import type { JSONSchema7 } from 'json-schema';
import { outputProblems } from '../../../engine/src/bundles/outputs.js';
import { referenceProblems } from '../../../forms/src/bundle/references.js';
import { bundleSchema } from '../../../forms/src/bundle/schema.js';
import type { BundleDefinition, ItemDefinition, OutputRef } from '../../../forms/src/bundle/types.js';
import { fieldLibrary, type Text } from '../../../forms/src/library/index.js';
import { pointerPath, valueAt } from '../../../forms/src/validate/json-pointer.js';
import { keywordMessage } from '../../../forms/src/validate/messages.js';

export interface BundleProblem {
  /** Where, by codes and keys: bundle.items.<code>.outputs.<key>.label.en, bundle.applicantAge.min. */
  field: string;
  message: Text;
}

const shape = new Validator(bundleSchema as Schema, '7', false);

/** Every problem of the bundle the server would refuse it for (shape, references, outputs and needs). */
export function bundleProblems(bundle: BundleDefinition): BundleProblem[] {
  const errors = shape.validate(bundle).errors.filter((e) => !WRAPPERS.has(e.keyword));
  const problems = errors.flatMap((e) => shapeProblems(bundle, e));
  // The other checks read a bundle of the right kinds of values (the server runs them after the
  // schema); values of a wrong kind, or lists missing, are the first thing to fix.
  if (errors.some((e) => e.keyword === 'type') || !hasLists(bundle)) return problems;
  const references = referenceProblems(bundle, fieldLibrary).map(({ field, message }) => ({
    field,
    message,
  }));
  return [...problems, ...references, ...outputProblems(bundle)];
}

/** Whether the lists the checks walk are there: a bundle.json opened from a file may lack one. */
const hasLists = (b: BundleDefinition): boolean =>
  [b.departments, b.materials, b.items, b.questions].every(Array.isArray) &&
  b.items.every((i) => Array.isArray(i.fields) && Array.isArray(i.materials));

/** The messages of the problems exactly at `field`, for the input there; undefined when none. */
export function errorAt(problems: BundleProblem[], field: string, lang: 'zh' | 'en'): string | undefined {
  const messages = problems.filter((p) => p.field === field).map((p) => p.message[lang]);
  return messages.length ? messages.join(lang === 'zh' ? '；' : '; ') : undefined;
}

/** The problems at a place or inside it (an item's card, an output's row). */
export function problemsAt(problems: BundleProblem[], field: string): BundleProblem[] {
  return problems.filter((p) => p.field === field || p.field.startsWith(`${field}.`));
}

/** Where the item at `index` is, as problems name it: by its code, or its position while it has none. */
export const itemField = (item: ItemDefinition, index: number): string =>
  `bundle.items.${item.code || index}`;

/** Where an item's output is: by its key, or its position while it has none. */
export const outputField = (itemAt: string, item: ItemDefinition, index: number): string =>
  `${itemAt}.outputs.${item.outputs?.[index]?.key || index}`;

/**
 * The outputs an item may need: those the server accepts in its `needs` (an output of an item
 * that comes before it through `after`). Asked of outputProblems itself with every output as a
 * trial need, so the list offers exactly what deploy will take.
 */
export function availableNeeds(bundle: BundleDefinition, code: string): OutputRef[] {
  const candidates = bundle.items
    .filter((i) => i.code !== code)
    .flatMap((i) => (i.outputs ?? []).filter((o) => o.key).map((o) => ({ item: i.code, output: o.key })))
    .filter((c, n, all) => all.findIndex((d) => d.item === c.item && d.output === c.output) === n);
  const trial = {
    ...bundle,
    items: bundle.items.map((i) => (i.code === code ? { ...i, needs: candidates } : i)),
  };
  const prefix = `bundle.items.${code}.needs.`;
  const refused = new Set(
    outputProblems(trial)
      .filter((p) => p.field.startsWith(prefix))
      .map((p) => Number(p.field.slice(prefix.length))),
  );
  return candidates.filter((_, n) => !refused.has(n));
}

// ── the shape ───────────────────────────────────────────────────────────────────────

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
function shapeProblems(bundle: BundleDefinition, e: OutputUnit): BundleProblem[] {
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
