import { evaluate, parseExpression } from 'feelin';

/** FEEL conditions over situation answers, evaluated with feelin (never eval). */

export type Answers = Record<string, unknown>;

/** True only when FEEL says true: null (an unanswered question) counts as "does not apply". */
export function holds(expression: string | undefined, answers: Answers): boolean {
  if (expression === undefined) return true;
  return evaluate(expression, answers).value === true;
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
