/**
 * Item outputs: the results a department records when approving an item (the new enterprise's
 * unified social credit code, the birth certificate's number), and the items after it that work
 * from them (`needs`). Checked at deploy (the references) and on approval (the values).
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { BundleDefinition, ItemDefinition, ItemOutput } from '../../../forms/src/bundle/index.js';
// Not the validate barrel: its form validator compiles ajv code when loaded, which the designer
// (it runs these checks too) may not do under the server's Content-Security-Policy.
import { addGovFormats } from '../../../forms/src/validate/formats/index.js';
import { linearRegExp, patternProblem } from '../../../forms/src/validate/safe-regexp.js';
import { keywordMessage } from '../../../forms/src/validate/messages.js';
import { DomainError, type FieldProblem, type Text } from '../domain/errors.js';

/** One recorded output, labelled, so every reader (applicant, delivery list, later items) can show it. */
export interface OutputValue {
  key: string;
  label: Text;
  value: string;
  /** Declared sensitive (a child's birth certificate number): masked for the window, sealed at rest. */
  sensitive?: true;
}

const DEFAULT_MAX_LENGTH = 100;

// ── deploy ──────────────────────────────────────────────────────────────────────────

/**
 * What is wrong with the bundle's outputs and needs: an output declared twice or with a pattern
 * that is no regular expression or not one the linear-time engine runs (lookaround, too large);
 * a need naming no item, an output its item does not declare, or an item that does not come
 * before (so its result may not exist when the task opens). An output no item needs is fine: the
 * applicant gets it with the result.
 */
export function outputProblems(definition: BundleDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const items = new Map(definition.items.map((i) => [i.code, i]));
  const at = (item: string) => `事项包 ${definition.code} 事项“${item}”`;
  const atEn = (item: string) => `bundle ${definition.code}, item "${item}"`;
  for (const item of definition.items) {
    const seen = new Set<string>();
    for (const output of item.outputs ?? []) {
      const field = `bundle.items.${item.code}.outputs.${output.key}`;
      if (seen.has(output.key))
        problems.push({
          field,
          message: {
            zh: `${at(item.code)}的办理结果“${output.key}”重复声明`,
            en: `${atEn(item.code)}: output "${output.key}" is declared twice`,
          },
        });
      seen.add(output.key);
      const wrong = output.pattern === undefined ? null : patternProblem(output.pattern);
      if (wrong)
        problems.push({
          field,
          message: {
            zh: `${at(item.code)}的办理结果“${output.key}”的格式 pattern ${wrong.zh}`,
            en: `${atEn(item.code)}: the pattern of output "${output.key}" ${wrong.en}`,
          },
        });
    }
    const before = itemsBefore(definition, item.code);
    (item.needs ?? []).forEach((need, n) => {
      const field = `bundle.items.${item.code}.needs.${n}`;
      const source = items.get(need.item);
      const wrong = (zh: string, en: string) =>
        problems.push({
          field,
          message: {
            zh: `${at(item.code)}需要事项“${need.item}”的办理结果“${need.output}”，但${zh}`,
            en: `${atEn(item.code)} needs output "${need.output}" of item "${need.item}", but ${en}`,
          },
        });
      if (!source) wrong('事项包中没有该事项', 'the bundle has no such item');
      else if (!source.outputs?.some((o) => o.key === need.output))
        wrong('该事项未声明这一结果 (outputs)', 'that item declares no such output');
      else if (!before.has(need.item))
        wrong(
          '该事项不在本事项之前 (after)，本事项的任务开始时其结果可能尚不存在',
          'that item does not come before it (after), so its result may not exist when the task opens',
        );
    });
  }
  return problems;
}

/** The items that finish before `code`: its `after`, theirs, and so on. */
function itemsBefore(definition: BundleDefinition, code: string): Set<string> {
  const after = new Map(definition.items.map((i) => [i.code, i.after ?? []]));
  const found = new Set<string>();
  const walk = (c: string) => {
    for (const a of after.get(c) ?? [])
      if (!found.has(a)) {
        found.add(a);
        walk(a);
      }
  };
  walk(code);
  found.delete(code); // an item never comes before itself, even in a loop of `after`
  return found;
}

// ── approval ────────────────────────────────────────────────────────────────────────

// Patterns run in linear time: a department's entry cannot hold the event loop (^(a+)+$).
const ajv = addGovFormats(new Ajv({ allErrors: true, strict: false, code: { regExp: linearRegExp } }));
const validators = new WeakMap<ItemDefinition, ReturnType<typeof ajv.compile>>();

function validatorOf(item: ItemDefinition) {
  let check = validators.get(item);
  if (!check) {
    check = ajv.compile({
      type: 'object',
      properties: Object.fromEntries((item.outputs ?? []).map((o) => [o.key, schemaOf(o)])),
      required: (item.outputs ?? []).map((o) => o.key),
    });
    validators.set(item, check);
  }
  return check;
}

const schemaOf = (o: ItemOutput) => ({
  type: 'string',
  minLength: 1,
  maxLength: o.maxLength ?? DEFAULT_MAX_LENGTH,
  ...(o.format ? { format: o.format } : {}),
  ...(o.pattern ? { pattern: o.pattern } : {}),
});

/**
 * The item's outputs from an approval's `outputs` body, trimmed and checked against their
 * declarations: each one required, none undeclared. Throws one 422 naming every wrong field
 * (`outputs.<key>`) by its label; nothing is recorded then.
 */
export function checkOutputs(item: ItemDefinition, input: unknown): OutputValue[] {
  const declared = item.outputs ?? [];
  const given = input === undefined || input === null ? {} : input;
  if (typeof given !== 'object' || Array.isArray(given))
    throw outputError([
      {
        field: 'outputs',
        message: { zh: '办理结果应为按名称填写的对象', en: 'outputs must be an object of values by name' },
      },
    ]);
  const values = Object.fromEntries(
    Object.entries(given).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v]),
  );
  const problems: FieldProblem[] = Object.keys(values)
    .filter((k) => !declared.some((o) => o.key === k))
    .map((k) => ({
      field: `outputs.${k}`,
      message: {
        zh: `“${k}”不是事项“${item.name.zh}”的办理结果`,
        en: `"${k}" is not an output of item "${item.name.en}"`,
      },
    }));
  const check = validatorOf(item);
  if (!check(values)) for (const e of check.errors ?? []) problems.push(valueProblem(declared, values, e));
  if (problems.length) throw outputError(problems);
  return declared.map((o) => ({
    key: o.key,
    label: o.label,
    value: values[o.key] as string,
    // Marked where it is stored, so the store seals it (encryption.ts `marked`) without the bundle.
    ...(o.sensitivity === 'sensitive' ? { sensitive: true as const } : {}),
  }));
}

/** One wrong value, named by its output's label: “统一社会信用代码校验码错误”. */
function valueProblem(declared: ItemOutput[], values: Record<string, unknown>, e: ErrorObject): FieldProblem {
  const key =
    (e.params as { missingProperty?: string }).missingProperty ?? e.instancePath.split('/')[1] ?? '';
  const output = declared.find((o) => o.key === key);
  const label = output?.label ?? { zh: key, en: key };
  // An empty value is a missing one, as a clerk reads it; a pattern says what it wants in words.
  const message =
    e.keyword === 'minLength'
      ? { zh: '为必填项', en: 'is required' }
      : e.keyword === 'pattern' && output?.hint
        ? { zh: `格式不正确，应为${output.hint.zh}`, en: `has the wrong format: ${output.hint.en}` }
        : keywordMessage(e, values[key]);
  return {
    field: `outputs.${key}`,
    label,
    message: { zh: `${label.zh}${message.zh}`, en: `${label.en} ${message.en}` },
  };
}

const outputError = (problems: FieldProblem[]) =>
  new DomainError(
    'invalid',
    { zh: '准予时须填写本事项的办理结果', en: "approving this item needs the item's results" },
    problems,
  );

/** Outputs as a plain record (timeline entries, e-licence data). */
export const outputRecord = (outputs: OutputValue[]): Record<string, string> =>
  Object.fromEntries(outputs.map((o) => [o.key, o.value]));
