import type { BundleDefinition } from '../bundle/index.js';
import { inspectCondition, type Answers, type ConditionCheck } from '../feel/condition.js';
import { answerText, type MergeProblem } from './no-items.js';

/**
 * The bundle's refuseWhen entries whose condition holds for the answers: situations the bundle
 * cannot be applied for (a restaurant in a residential building). Each names the questions its
 * condition reads and the answers given, so the clerk sees which answer stops the application.
 */
export function refusalProblems(
  bundle: BundleDefinition,
  answers: Answers,
  check: ConditionCheck,
): MergeProblem[] {
  return (bundle.refuseWhen ?? [])
    .filter((r) => check(r.condition))
    .map((r) => {
      const read = new Set(inspectCondition(r.condition).variables);
      const given = bundle.questions
        .filter((q) => read.has(q.id))
        .map((q) => {
          const answer = answerText(q, answers[q.id]);
          return { question: q.id, label: q.label, ...(answer ? { answer } : {}) };
        });
      const said = given.filter((g) => g.answer);
      return {
        code: 'refused',
        field: 'answers',
        message: {
          zh: `${r.message.zh}（${said.map((g) => `${g.label.zh}：${g.answer!.zh}`).join('；')}）`,
          en: `${r.message.en} (${said.map((g) => `${g.label.en}: ${g.answer!.en}`).join('; ')})`,
        },
        answers: given,
      };
    });
}
