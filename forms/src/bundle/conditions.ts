import type { ConditionTerm, Literal } from '../feel/to-schema.js';
import type { Text } from '../library/index.js';
import type { SituationQuestion } from './types.js';

/**
 * Checks each test of a question in a condition against the question: its options and the type of
 * its answer. A value the answer can never have makes the condition silently never (or always) hold,
 * and `=` on a multi-choice answer (a list) is a case where FEEL and the form's JSON Schema disagree.
 */

const kinds: Record<SituationQuestion['type'], Text> = {
  choice: { en: 'single-choice', zh: '单选题' },
  multiChoice: { en: 'multi-choice', zh: '多选题' },
  boolean: { en: 'yes/no', zh: '是非题' },
  number: { en: 'number', zh: '数字题' },
};

const show = (v: Literal) => JSON.stringify(v);

function options(q: SituationQuestion): Text {
  const values = (q.options ?? []).map((o) => o.value);
  return { en: values.map(show).join(', '), zh: values.join('、') };
}

/** What a value compared with the question must be, or undefined when `v` is one. */
function expected(q: SituationQuestion, v: Literal): Text | undefined {
  switch (q.type) {
    case 'boolean':
      return typeof v === 'boolean' ? undefined : { en: 'true or false', zh: 'true 或 false' };
    case 'number':
      return typeof v === 'number' ? undefined : { en: 'a number', zh: '数字' };
    case 'choice':
    case 'multiChoice': {
      const o = options(q);
      return typeof v === 'string'
        ? undefined
        : { en: `one of its options (${o.en})`, zh: `其选项之一（${o.zh}）` };
    }
  }
}

function valueProblem(q: SituationQuestion, v: Literal): Text | undefined {
  const kind = kinds[q.type];
  const want = expected(q, v);
  if (want)
    return {
      en: `"${q.id}" is a ${kind.en} question: compare it with ${want.en}, not ${show(v)}`,
      zh: `“${q.id}”是${kind.zh}，只能与 ${want.zh} 比较，不能与 ${show(v)} 比较`,
    };
  // A choice question without options is reported by itself; every value would miss.
  if (typeof v === 'string' && q.options?.length && !q.options.some((o) => o.value === v)) {
    const o = options(q);
    return {
      en: `${show(v)} is not an option of "${q.id}" (options: ${o.en})`,
      zh: `${show(v)}不是“${q.id}”的选项（可选：${o.zh}）`,
    };
  }
  return undefined;
}

/** The problems of one test; each is English and Chinese. */
export function termProblems(q: SituationQuestion, term: ConditionTerm): Text[] {
  const kind = kinds[q.type];
  const { test, values } = term;
  if (test === 'truth')
    return q.type === 'boolean'
      ? []
      : [
          {
            en: `"${q.id}" is a ${kind.en} question, not yes/no: on its own it is never true`,
            zh: `“${q.id}”是${kind.zh}，不是是非题，单独作为条件永远不成立`,
          },
        ];
  if (test === 'list contains' && q.type !== 'multiChoice')
    return [
      {
        en: `list contains needs a multi-choice question, but "${q.id}" is a ${kind.en} question`,
        zh: `list contains 只能用于多选题，而“${q.id}”是${kind.zh}`,
      },
    ];
  if (test !== 'list contains' && q.type === 'multiChoice') {
    const first = values.find((v) => typeof v === 'string') ?? q.options?.[0]?.value ?? '…';
    const use = `${test === '!=' ? 'not(' : ''}list contains(${q.id}, ${show(first)})${test === '!=' ? ')' : ''}`;
    return [
      {
        en: `"${q.id}" is a multi-choice question (its answer is a list), so "${test}" compares the whole list, never one option: use ${use}`,
        zh: `“${q.id}”是多选题（答案是列表），“${test}”比较的是整个列表而不是单个选项，请改用 ${use}`,
      },
    ];
  }
  if (['<', '<=', '>', '>='].includes(test) && q.type !== 'number')
    return [
      {
        en: `"${test}" compares numbers, but "${q.id}" is a ${kind.en} question`,
        zh: `“${test}”只能比较数字，而“${q.id}”是${kind.zh}`,
      },
    ];
  return values.map((v) => valueProblem(q, v)).filter((p): p is Text => p !== undefined);
}
