/**
 * Limits on what one FEEL evaluation may cost. feelin enumerated a range into a list
 * (`for i in 1..100000000` allocated until the process died; `1..2.5` never reached its end),
 * iterated `for a in xs, b in xs, c in xs` (10^9 items for 1,000 names) and recursed
 * (`{f: function(n) f(n + 1)}.f(1)`) without bound, and ran `matches`, `replace` and `split` on
 * the backtracking RegExp engine (`"^(a+)+$"` held the event loop for seconds on a 27-character
 * name). feelin as patched (patches/feelin+*.patch) now bounds each evaluation itself: at most
 * MAX_EVALUATION_STEPS steps (items of lists and ranges gone through, function calls), functions
 * defined in the expression at most MAX_CALL_DEPTH deep, and patterns run on RE2JS, whose matching
 * time is linear in the input. A limit hit fails the evaluation with a message naming it. Checked
 * here where an expression is compiled, so a model is refused at deployment: ranges with literal
 * bounds, and literal patterns the linear-time engine cannot run (lookaround, back-references).
 */
import { evaluate, numberRangeProblem, parseExpression, patternProblem } from 'feelin';
import { children, type TreeNode } from './feel-fast.js';

export { MAX_CALL_DEPTH, MAX_EVALUATION_STEPS } from 'feelin';

/** The most items the literal ranges of an expression may enumerate together. */
export const MAX_RANGE_ITEMS = 100_000;

/** Why an expression body is refused for what evaluating it could cost, or null. */
export function costProblem(body: string): string | null {
  let top: TreeNode;
  try {
    top = parseExpression(body, {}, undefined).topNode as unknown as TreeNode;
  } catch {
    return null; // feelin's own compilation reports it
  }
  const problems: string[] = [];
  const items = enumerated(top, body, problems);
  if (problems.length) return problems[0]!;
  return items > MAX_RANGE_ITEMS
    ? `its ranges enumerate ${items} items, more than the ${MAX_RANGE_ITEMS} one evaluation may`
    : null;
}

/**
 * The items the literal ranges under `node` enumerate: a `for`, `some` or `every` enumerates its
 * ranges' product once per item of its body. Ranges with a bound from a variable count 1 here
 * (the step budget at evaluation holds them). Refused ranges and patterns go to `problems`.
 */
function enumerated(node: TreeNode, body: string, problems: string[]): number {
  if (node.name === 'ForExpression' || node.name === 'QuantifiedExpression') {
    let product = 1;
    let inner = 0;
    for (const part of children(node)) {
      if (part.name === 'InExpressions') {
        for (const inExpression of children(part)) {
          const context = children(inExpression).find((c) => c.name === 'IterationContext');
          if (!context) continue;
          product *= rangeSize(context, body, problems);
          inner += enumerated(context, body, problems);
        }
      } else {
        inner += enumerated(part, body, problems);
      }
    }
    return product * (1 + inner);
  }
  if (node.name === 'FunctionInvocation') checkPattern(node, body, problems);
  let sum = 0;
  for (const child of children(node)) sum += enumerated(child, body, problems);
  return sum;
}

/** The items an iteration context with two literal number bounds enumerates; 1 for any other. */
function rangeSize(context: TreeNode, body: string, problems: string[]): number {
  let parts = children(context);
  let startIncluded = true;
  let endIncluded = true;
  // `x in [1..10]`: an interval, its brackets saying which ends it includes.
  const test =
    parts.length === 1 && parts[0]!.name === 'SimplePositiveUnaryTest' ? children(parts[0]!) : null;
  if (test?.length === 1 && test[0]!.name === 'Interval') {
    parts = children(test[0]!);
    startIncluded = body[parts[0]!.from] === '[';
    endIncluded = body[parts.at(-1)!.from] === ']';
    parts = parts.slice(1, -1);
  }
  if (parts.length !== 3 || parts[1]!.name !== '..') return 1;
  const [a, , b] = parts;
  if (a!.name !== 'NumericLiteral' || b!.name !== 'NumericLiteral') return 1;
  const start = Number(body.slice(a!.from, a!.to).replace(/\s+/g, ''));
  const end = Number(body.slice(b!.from, b!.to).replace(/\s+/g, ''));
  const source = body.slice(context.from, context.to);
  const problem = rangeProblem(start, end, source);
  if (problem) {
    problems.push(problem);
    return 1;
  }
  return Math.abs(end - start) + 1 - (startIncluded ? 0 : 1) - (endIncluded ? 0 : 1);
}

/** Why feelin must not enumerate a number range: it would never end, or pass the limit. */
function rangeProblem(start: number, end: number, source: string): string | null {
  const endless = numberRangeProblem(start, end, source);
  if (endless) return endless;
  const items = Math.abs(end - start) + 1;
  return items > MAX_RANGE_ITEMS
    ? `the range ${source} has ${items} items, more than the ${MAX_RANGE_ITEMS} one evaluation may enumerate`
    : null;
}

// ── regular expressions ─────────────────────────────────────────────────────────────────

/** The built-ins that compile an argument as a regular expression, and that argument. */
const PATTERN_ARGUMENT = new Map([
  ['matches', { position: 1, name: 'pattern' }],
  ['replace', { position: 1, name: 'pattern' }],
  ['split', { position: 1, name: 'delimiter' }],
]);

/**
 * A call of matches, replace or split with a string literal for its pattern: the pattern must be
 * one the linear-time engine runs (a computed one is refused when called, as an invalid pattern).
 */
function checkPattern(call: TreeNode, body: string, problems: string[]): void {
  const [callee, , args] = children(call);
  if (!callee || callee.name !== 'VariableName' || !args) return;
  const which = PATTERN_ARGUMENT.get(body.slice(callee.from, callee.to));
  if (!which) return;
  let argument: TreeNode | undefined;
  if (args.name === 'PositionalParameters') {
    argument = children(args).filter((c) => c.name !== ',')[which.position];
  } else if (args.name === 'NamedParameters') {
    for (const named of children(args)) {
      const [name, value] = children(named);
      if (name && value && body.slice(name.from, name.to).trim() === which.name) argument = value;
    }
  }
  if (argument?.name !== 'StringLiteral') return;
  const pattern = stringLiteralValue(body.slice(argument.from, argument.to));
  const problem = pattern === null ? null : patternProblem(pattern);
  if (problem)
    problems.push(
      `the pattern "${pattern}" cannot be run in linear time (RE2 syntax: no lookaround, no back-references): ${problem}`,
    );
}

/** A FEEL string literal's value, as feelin reads its escapes (`"\\d"` is `\\d`). */
function stringLiteralValue(literal: string): string | null {
  try {
    const { value } = evaluate(literal);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
