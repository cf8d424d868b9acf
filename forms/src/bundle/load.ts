import { Ajv } from 'ajv';
import { inspectCondition } from '../feel/condition.js';
import { conditionToSchema } from '../feel/to-schema.js';
import { fieldLibrary, type FieldLibrary } from '../library/index.js';
import { patternProblem } from '../validate/safe-regexp.js';
import { termProblems } from './conditions.js';
import { bundleSchema } from './schema.js';
import type { BundleDefinition } from './types.js';

/** Reads bundle.json: shape by JSON Schema, then references and FEEL conditions; all problems at once. */

export class BundleError extends Error {
  constructor(
    readonly bundle: string,
    readonly problems: string[],
  ) {
    super(`bundle "${bundle}" is invalid:\n- ${problems.join('\n- ')}`);
    this.name = 'BundleError';
  }
}

const checkShape = new Ajv({ allErrors: true, strict: false }).compile<BundleDefinition>(bundleSchema);

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

function referenceProblems(b: BundleDefinition, library: FieldLibrary): string[] {
  const problems: string[] = [];
  const departments = new Set(b.departments.map((d) => d.code));
  const materials = new Set(b.materials.map((m) => m.id));
  const items = new Set(b.items.map((i) => i.code));
  const questions = new Map(b.questions.map((q) => [q.id, q]));
  for (const [what, list] of [
    ['department', b.departments.map((d) => d.code)],
    ['material', b.materials.map((m) => m.id)],
    ['item', b.items.map((i) => i.code)],
    ['question', b.questions.map((q) => q.id)],
  ] as const) {
    for (const d of duplicates(list)) problems.push(`${what} "${d}" is defined twice`);
  }
  if (!departments.has(b.leadDepartment))
    problems.push(`lead department "${b.leadDepartment}" is not in departments`);
  for (const q of b.questions) {
    const needsOptions = q.type === 'choice' || q.type === 'multiChoice';
    if (needsOptions !== Boolean(q.options?.length))
      problems.push(`question "${q.id}": options are for choice questions only, and required there`);
  }

  const checkCondition = (where: string, expr: string | undefined) => {
    if (expr === undefined) return;
    const { error, variables } = inspectCondition(expr);
    if (error) return problems.push(`${where}: ${error}`);
    for (const v of variables)
      if (!questions.has(v))
        problems.push(`${where}: condition reads "${v}", which is not a situation question`);
    try {
      // Each test of a question must fit the question (options, answer type): en / zh.
      conditionToSchema(expr, (term) => {
        const q = questions.get(term.question);
        if (q)
          for (const p of termProblems(q, term))
            problems.push(`${where}: condition "${expr}": ${p.en} / 条件“${expr}”中，${p.zh}`);
      });
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
    }
  };

  for (const m of b.materials) {
    checkCondition(`material "${m.id}" commitmentWhen`, m.commitmentWhen);
    if (m.commitmentWhen !== undefined && m.commitment !== true)
      problems.push(
        `material "${m.id}": commitmentWhen limits a commitment, but the material takes none (commitment is not true) / 材料“${m.id}”未允许告知承诺（commitment 不为 true），commitmentWhen 无从限定`,
      );
  }
  b.refuseWhen?.forEach((r, i) => checkCondition(`refuseWhen ${i + 1}`, r.condition));

  for (const item of b.items) {
    const at = `item "${item.code}"`;
    if (!departments.has(item.department))
      problems.push(`${at}: department "${item.department}" is not in departments`);
    for (const a of item.after ?? []) if (!items.has(a)) problems.push(`${at}: after "${a}" is not an item`);
    checkCondition(at, item.condition);
    for (const d of duplicates(item.fields.map((f) => f.field)))
      problems.push(`${at}: field "${d}" listed twice`);
    for (const f of item.fields) {
      if (!library.has(f.field)) problems.push(`${at}: field "${f.field}" is not in the field library`);
      checkCondition(`${at} field "${f.field}"`, f.condition);
      const pattern = f.constraints?.pattern;
      const wrong = pattern === undefined ? null : patternProblem(pattern);
      if (wrong)
        problems.push(
          `${at} field "${f.field}": the pattern ${JSON.stringify(pattern)} ${wrong.en} / 事项“${item.code}”字段“${f.field}”的格式 pattern ${JSON.stringify(pattern)} ${wrong.zh}`,
        );
    }
    for (const a of item.answers ?? [])
      if (!questions.has(a)) problems.push(`${at}: answer "${a}" is not a situation question`);
    const declared = new Set(item.fields.map((f) => f.field));
    for (const f of item.issues?.fields ?? [])
      if (!declared.has(f))
        problems.push(`${at}: issued licence carries "${f}", which the item does not declare`);
    for (const d of duplicates(item.materials.map((m) => m.material)))
      problems.push(`${at}: material "${d}" listed twice / 事项“${item.code}”中材料“${d}”重复列出`);
    for (const m of item.materials) {
      if (!materials.has(m.material)) problems.push(`${at}: material "${m.material}" is not in materials`);
      checkCondition(`${at} material "${m.material}"`, m.condition);
    }
  }
  return problems;
}

/** Validates and returns the bundle; throws BundleError listing every problem. */
export function loadBundle(json: unknown, library: FieldLibrary = fieldLibrary): BundleDefinition {
  const name = (json as { code?: unknown } | null)?.code;
  const label = typeof name === 'string' ? name : '(no code)';
  if (!checkShape(json)) {
    throw new BundleError(
      label,
      (checkShape.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()),
    );
  }
  const problems = referenceProblems(json, library);
  if (problems.length) throw new BundleError(label, problems);
  return json;
}
