import * as feelin from 'feelin';
import { evaluate, parseExpression } from 'feelin';

/** FEEL conditions over situation answers, evaluated with feelin (never eval). */

export type Answers = Record<string, unknown>;

type Run = (answers: Answers) => { value: unknown };

// feelin as patched for the engine (patches/feelin+*.patch) builds the execution tree once; without
// the patch each evaluation parses again, which is correct but about 60 times slower.
const compileExpression = (feelin as { compileExpression?: (expression: string) => Run }).compileExpression;

/** A condition ready to run, and the questions it reads: the only names it sees when it runs. */
interface Compiled {
  run: Run;
  variables: string[];
}
const compiled = new Map<string, Compiled>();

function compile(expression: string): Compiled {
  let c = compiled.get(expression);
  if (!c) {
    const run = compileExpression
      ? compileExpression(expression)
      : (answers: Answers) => evaluate(expression, answers);
    c = { run, variables: inspectCondition(expression).variables };
    compiled.set(expression, c);
  }
  return c;
}

/**
 * The context a condition runs in: the questions it reads, each with its answer or null. Nothing
 * else reaches FEEL, so another key can neither shadow a built-in (`not`, `list contains`) nor
 * stand in for a question (feelin matches `hiring` to a key "hiring " when `hiring` is absent),
 * and an unanswered question is null, never a built-in of the same name.
 */
function contextFor(variables: string[], answers: Answers): Answers {
  return Object.fromEntries(
    variables.map((v) => [v, Object.hasOwn(answers, v) ? (answers[v] ?? null) : null]),
  );
}

/** True only when FEEL says true: null (an unanswered question) counts as "does not apply". */
export function holds(expression: string | undefined, answers: Answers): boolean {
  if (expression === undefined) return true;
  const { run, variables } = compile(expression);
  return run(contextFor(variables, answers)).value === true;
}

/**
 * One applicant's answers: each distinct condition is evaluated once. A bundle repeats a handful
 * of conditions over dozens of fields and materials.
 */
export type ConditionCheck = (expression: string | undefined) => boolean;

export function conditionsFor(answers: Answers): ConditionCheck {
  const seen = new Map<string, boolean>();
  return (expression) => {
    if (expression === undefined) return true;
    let v = seen.get(expression);
    if (v === undefined) seen.set(expression, (v = holds(expression, answers)));
    return v;
  };
}

/** Syntax errors and the variable names a condition reads; used to check bundle.json at load. */
export function inspectCondition(expression: string): { error?: string; variables: string[] } {
  const tree = parseExpression(expression, {}, undefined);
  const variables = new Set<string>();
  let error: string | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError && error === undefined) error = `syntax error at ${node.from} in "${expression}"`;
      if (node.name !== 'VariableName') return;
      const name = expression.slice(node.from, node.to);
      // Function names are VariableName nodes too: skip the callee of an invocation.
      if (node.node.parent?.name === 'FunctionInvocation' && node.node.prevSibling === null) return;
      variables.add(name);
    },
  });
  return { ...(error ? { error } : {}), variables: [...variables] };
}
