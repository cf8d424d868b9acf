import type { BundleDefinition, SituationQuestion } from '../bundle/index.js';
import { inspectCondition, type Answers } from '../feel/condition.js';
import type { Text } from '../library/index.js';

/**
 * An answer set under which no item of the bundle applies: there is nothing to apply for, so the
 * service centre refuses to create or accept such an application, and the clerk's guide says why
 * before anyone fills a form. "Why" is the answers the items' conditions read, as given.
 */
export interface MergeProblem {
  /** noApplicableItem: nothing to apply for; refused: the bundle's refuseWhen names this situation. */
  code: 'noApplicableItem' | 'refused';
  /** What the problem is about: the situation answers. */
  field: 'answers';
  message: Text;
  /** The questions the conditions read, with the answer given (absent: not answered). */
  answers: { question: string; label: Text; answer?: Text }[];
}

const joined = (parts: Text[], zh: string, en: string): Text => ({
  zh: parts.map((p) => p.zh).join(zh),
  en: parts.map((p) => p.en).join(en),
});

export function answerText(question: SituationQuestion, value: unknown): Text | undefined {
  if (value === undefined || value === null) return undefined;
  const option = (v: unknown): Text =>
    question.options?.find((o) => o.value === v)?.label ?? { zh: String(v), en: String(v) };
  if (typeof value === 'boolean') return value ? { zh: '是', en: 'yes' } : { zh: '否', en: 'no' };
  if (Array.isArray(value))
    return value.length ? joined(value.map(option), '、', ', ') : { zh: '均未选择', en: 'none chosen' };
  return question.type === 'number' ? { zh: String(value), en: String(value) } : option(value);
}

export function noItemProblem(
  bundle: BundleDefinition,
  answers: Answers,
  activeCount: number,
): MergeProblem | undefined {
  if (activeCount > 0) return undefined;
  const read = new Set(
    bundle.items.flatMap((i) => (i.condition ? inspectCondition(i.condition).variables : [])),
  );
  const questions = bundle.questions.filter((q) => read.has(q.id));
  const given = questions.map((q) => {
    const answer = answerText(q, answers[q.id]);
    return { question: q.id, label: q.label, ...(answer ? { answer } : {}) };
  });
  const answered = given.filter((g) => g.answer);
  const unanswered = given.filter((g) => !g.answer);
  const why = joined(
    [
      ...answered.map((g) => ({
        zh: `${g.label.zh}：${g.answer!.zh}`,
        en: `${g.label.en}: ${g.answer!.en}`,
      })),
      ...(unanswered.length
        ? [
            {
              zh: `未回答：${unanswered.map((g) => g.label.zh).join('、')}`,
              en: `not answered: ${unanswered.map((g) => g.label.en).join(', ')}`,
            },
          ]
        : []),
    ],
    '；',
    '; ',
  );
  return {
    code: 'noApplicableItem',
    field: 'answers',
    message: {
      zh: `按所答情形，“${bundle.name.zh}”没有可办理的事项，不能申请或受理（${why.zh}）`,
      en: `No item of "${bundle.name.en}" applies to the situation answers, so there is nothing to apply for or accept (${why.en})`,
    },
    answers: given,
  };
}
