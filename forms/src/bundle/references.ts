import { inspectCondition } from '../feel/condition.js';
import { conditionToSchema } from '../feel/to-schema.js';
import type { FieldLibrary, Text } from '../library/index.js';
import { patternProblem } from '../validate/safe-regexp.js';
import { termProblems } from './conditions.js';
import type { BundleDefinition } from './types.js';

/**
 * The references of a bundle.json the server checks when it loads one (after its shape): codes
 * defined twice, a department, item, material, question or library field that is not there, FEEL
 * conditions that do not parse or read what is no question, and patterns the server cannot run.
 * Compiles nothing (no ajv), so the designer runs the same checks under its Content-Security-Policy.
 */

export interface ReferenceProblem {
  /** Where, by codes, as the designer names places: bundle.items.<code>.after, bundle.leadDepartment. */
  field: string;
  message: Text;
  /**
   * Whether the server's message (BundleError) carries the Chinese too, as "en / zh"; the older
   * ones have always been English only, and keep their words for the clients that read them.
   */
  bilingual?: true;
}

/** The problem as the server states it in a BundleError (loadBundle). */
export const serverMessage = (p: ReferenceProblem): string =>
  p.bilingual ? `${p.message.en} / ${p.message.zh}` : p.message.en;

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

const KINDS = {
  department: { list: 'departments', zh: '部门' },
  material: { list: 'materials', zh: '材料' },
  item: { list: 'items', zh: '事项' },
  question: { list: 'questions', zh: '情形问题' },
} as const;

/** Every broken reference of a bundle of the right shape (bundleSchema), in the server's order. */
export function referenceProblems(b: BundleDefinition, library: FieldLibrary): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const add = (field: string, en: string, zh: string) => problems.push({ field, message: { zh, en } });
  // The problems the server has always stated in both languages (serverMessage).
  const addBoth = (field: string, en: string, zh: string) =>
    problems.push({ field, message: { zh, en }, bilingual: true });
  const departments = new Set(b.departments.map((d) => d.code));
  const materials = new Set(b.materials.map((m) => m.id));
  const items = new Set(b.items.map((i) => i.code));
  const questions = new Map(b.questions.map((q) => [q.id, q]));
  for (const [what, codes] of [
    ['department', b.departments.map((d) => d.code)],
    ['material', b.materials.map((m) => m.id)],
    ['item', b.items.map((i) => i.code)],
    ['question', b.questions.map((q) => q.id)],
  ] as const) {
    const kind = KINDS[what];
    for (const d of duplicates(codes))
      add(`bundle.${kind.list}.${d}`, `${what} "${d}" is defined twice`, `${kind.zh}“${d}”重复定义`);
  }
  if (!departments.has(b.leadDepartment))
    add(
      'bundle.leadDepartment',
      `lead department "${b.leadDepartment}" is not in departments`,
      `牵头部门“${b.leadDepartment}”不在部门列表中`,
    );
  for (const q of b.questions) {
    const needsOptions = q.type === 'choice' || q.type === 'multiChoice';
    if (needsOptions !== Boolean(q.options?.length))
      add(
        `bundle.questions.${q.id}.options`,
        `question "${q.id}": options are for choice questions only, and required there`,
        `情形问题“${q.id}”：选项 (options) 仅用于单选、多选题，且单选、多选题必须有选项`,
      );
  }

  /** A FEEL condition at `field`: it parses, reads situation questions only, and fits each one. */
  const checkCondition = (field: string, where: Text, expr: string | undefined) => {
    if (expr === undefined) return;
    const { error, variables } = inspectCondition(expr);
    if (error) return add(field, `${where.en}: ${error}`, `${where.zh}：条件无法解析（${error}）`);
    for (const v of variables)
      if (!questions.has(v))
        add(
          field,
          `${where.en}: condition reads "${v}", which is not a situation question`,
          `${where.zh}：条件读取的“${v}”不是情形问题`,
        );
    try {
      // Each test of a question must fit the question (options, answer type): en / zh.
      conditionToSchema(expr, (term) => {
        const q = questions.get(term.question);
        if (q)
          for (const p of termProblems(q, term))
            addBoth(field, `${where.en}: condition "${expr}": ${p.en}`, `条件“${expr}”中，${p.zh}`);
      });
    } catch (e) {
      const why = (e as Error).message;
      add(field, `${where.en}: ${why}`, `${where.zh}：条件无法在表单中表达（${why}）`);
    }
  };

  for (const m of b.materials) {
    const at = `bundle.materials.${m.id}`;
    checkCondition(
      `${at}.commitmentWhen`,
      { en: `material "${m.id}" commitmentWhen`, zh: `材料“${m.id}”的 commitmentWhen` },
      m.commitmentWhen,
    );
    if (m.commitmentWhen !== undefined && m.commitment !== true)
      addBoth(
        `${at}.commitmentWhen`,
        `material "${m.id}": commitmentWhen limits a commitment, but the material takes none (commitment is not true)`,
        `材料“${m.id}”未允许告知承诺（commitment 不为 true），commitmentWhen 无从限定`,
      );
  }
  b.refuseWhen?.forEach((r, i) =>
    checkCondition(
      `bundle.refuseWhen.${i}.condition`,
      { en: `refuseWhen ${i + 1}`, zh: `第 ${i + 1} 条不予受理情形 (refuseWhen)` },
      r.condition,
    ),
  );

  b.items.forEach((item, index) => {
    const at = `bundle.items.${item.code || index}`;
    const en = `item "${item.code}"`;
    const zh = `事项“${item.code}”`;
    if (!departments.has(item.department))
      add(
        `${at}.department`,
        `${en}: department "${item.department}" is not in departments`,
        `${zh}的部门“${item.department}”不在部门列表中`,
      );
    for (const a of item.after ?? [])
      if (!items.has(a))
        add(
          `${at}.after`,
          `${en}: after "${a}" is not an item`,
          `${zh}的前置事项 (after)“${a}”不是本事项包的事项`,
        );
    checkCondition(`${at}.condition`, { en, zh }, item.condition);
    for (const d of duplicates(item.fields.map((f) => f.field)))
      add(`${at}.fields.${d}`, `${en}: field "${d}" listed twice`, `${zh}中字段“${d}”重复列出`);
    for (const f of item.fields) {
      const fieldAt = `${at}.fields.${f.field}`;
      if (!library.has(f.field))
        add(
          fieldAt,
          `${en}: field "${f.field}" is not in the field library`,
          `${zh}的字段“${f.field}”不在要素库中`,
        );
      checkCondition(
        `${fieldAt}.condition`,
        { en: `${en} field "${f.field}"`, zh: `${zh}字段“${f.field}”` },
        f.condition,
      );
      const pattern = f.constraints?.pattern;
      const wrong = pattern === undefined ? null : patternProblem(pattern);
      if (wrong)
        addBoth(
          `${fieldAt}.constraints.pattern`,
          `${en} field "${f.field}": the pattern ${JSON.stringify(pattern)} ${wrong.en}`,
          `${zh}字段“${f.field}”的格式 pattern ${JSON.stringify(pattern)} ${wrong.zh}`,
        );
    }
    for (const a of item.answers ?? [])
      if (!questions.has(a))
        add(
          `${at}.answers`,
          `${en}: answer "${a}" is not a situation question`,
          `${zh}转送部门的情形答复 (answers)“${a}”不是情形问题`,
        );
    const declared = new Set(item.fields.map((f) => f.field));
    for (const f of item.issues?.fields ?? [])
      if (!declared.has(f))
        add(
          `${at}.issues.fields`,
          `${en}: issued licence carries "${f}", which the item does not declare`,
          `${zh}签发的证照载有“${f}”，但该事项未声明此字段`,
        );
    for (const d of duplicates(item.materials.map((m) => m.material)))
      addBoth(`${at}.materials.${d}`, `${en}: material "${d}" listed twice`, `${zh}中材料“${d}”重复列出`);
    for (const m of item.materials) {
      const materialAt = `${at}.materials.${m.material}`;
      if (!materials.has(m.material))
        add(
          materialAt,
          `${en}: material "${m.material}" is not in materials`,
          `${zh}的材料“${m.material}”不在材料列表中`,
        );
      checkCondition(
        `${materialAt}.condition`,
        { en: `${en} material "${m.material}"`, zh: `${zh}材料“${m.material}”` },
        m.condition,
      );
    }
  });
  return problems;
}
