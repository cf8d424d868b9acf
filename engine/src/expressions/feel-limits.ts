/**
 * Limits on what one FEEL evaluation may cost. feelin enumerates a range into a list
 * (`for i in 1..100000000` allocated until the process died; `1..2.5` never reached its end) and
 * runs `matches`, `replace` and `split` on the backtracking RegExp engine (`"^(a+)+$"` held the
 * event loop for seconds on a 27-character name). Checked where an expression is compiled, so a
 * model is refused at deployment: ranges with literal bounds and literal patterns. At evaluation:
 * every range feelin enumerates (bounds from variables too), within one budget per evaluation, and
 * every pattern a call is given (memoized).
 */
import { evaluate, FeelRange, parseExpression } from 'feelin';
import { children, type TreeNode } from './feel-fast.js';

/** The most items the ranges of one evaluation may enumerate together. */
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
 * (the budget at evaluation holds them). Refused ranges and patterns go to `problems`.
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
  // feelin steps by one from start until it meets end: between other numbers it never does.
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end))
    return `the range ${source} does not run between whole numbers, so enumerating it would never end`;
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

/** A call of matches, replace or split with a string literal for its pattern: the pattern is checked. */
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
  if (argument?.name !== 'StringLiteral') return; // computed: checked when called (guardedPatterns)
  const pattern = stringLiteralValue(body.slice(argument.from, argument.to));
  const problem = pattern === null ? null : regexProblem(pattern);
  if (problem) problems.push(problem);
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

/** regexProblem's answers by pattern. */
const checkedPatterns = new Map<string, string | null>();
const MAX_CHECKED_PATTERNS = 1_000;

/**
 * Why a pattern could backtrack for exponential time on some input, or null: a repeated group
 * (`*`, `+`, `{n,}`, `{n,m}` with m > 1) that can match one text in more than one way, as it
 * holds a quantifier of variable count (`(a+)+`, `(\w+\s?)*`, `(\d{2,3})+`) or an alternation
 * (`(a|ab)+`), at any depth. A group that begins or ends with a character nothing else in it can
 * match is let through (`(\.[a-z]+)+`, `([a-z]+\.)*`): that character splits the repetitions. Some
 * safe patterns are refused (`(a|b)+`: rewrite as `[ab]+`); none that can take exponential time
 * is let through. Polynomial backtracking (`.*a.*b` on a long text) is not caught.
 */
export function regexProblem(pattern: string): string | null {
  let problem = checkedPatterns.get(pattern);
  if (problem === undefined) {
    let nested: string | null;
    try {
      nested = ambiguousRepetition(new PatternParser(pattern).alternatives(), pattern);
    } catch {
      nested = null; // not a pattern: the built-in reports that itself
    }
    problem =
      nested === null
        ? null
        : `the pattern "${pattern}" repeats ${nested}, which can take exponential time to fail: write it so each repetition can match a text in one way only`;
    if (checkedPatterns.size >= MAX_CHECKED_PATTERNS) checkedPatterns.clear();
    checkedPatterns.set(pattern, problem);
  }
  return problem;
}

/** A character, escape, class or `.` (consumes one character); or an assertion (`^`, `\b`: none). */
interface Atom {
  readonly kind: 'atom';
  readonly source: string;
  readonly zeroWidth: boolean;
}
interface Group {
  readonly kind: 'group';
  readonly alternatives: Item[][];
  /** A lookahead or lookbehind: it consumes nothing. */
  readonly lookaround: boolean;
}
interface Item {
  readonly node: Atom | Group;
  readonly min: number;
  readonly max: number;
  /** Where the item (with its quantifier) is in the pattern. */
  readonly from: number;
  readonly to: number;
}

/** A recursive-descent reader of a JavaScript pattern (u flag, as feelin compiles it). */
class PatternParser {
  private i = 0;

  constructor(private readonly p: string) {}

  /** A sequence of items, or several split by `|`, up to a `)` or the end. */
  alternatives(): Item[][] {
    const out: Item[][] = [[]];
    while (this.i < this.p.length && this.p[this.i] !== ')') {
      if (this.p[this.i] === '|') {
        this.i++;
        out.push([]);
        continue;
      }
      const from = this.i;
      const node = this.atom();
      const q = this.quantifier();
      out.at(-1)!.push({ node, min: q.min, max: q.max, from, to: this.i });
    }
    return out;
  }

  private atom(): Atom | Group {
    const p = this.p;
    const from = this.i;
    const c = p[this.i]!;
    if (c === '(') {
      this.i++;
      let lookaround = false;
      if (p[this.i] === '?') {
        this.i++;
        if (p[this.i] === '<' && p[this.i + 1] !== '=' && p[this.i + 1] !== '!') this.skipPast('>');
        else {
          lookaround = p[this.i] !== ':';
          this.i += p[this.i] === '<' ? 2 : 1;
        }
      }
      const alternatives = this.alternatives();
      if (p[this.i] !== ')') throw new SyntaxError('unclosed group');
      this.i++;
      return { kind: 'group', alternatives, lookaround };
    }
    if (c === '[') {
      this.i++;
      while (this.i < p.length && p[this.i] !== ']') this.i += p[this.i] === '\\' ? 2 : 1;
      this.i++;
    } else if (c === '\\') {
      const kind = p[this.i + 1];
      this.i += 2;
      // \u{…}, \p{…}, \P{…}, \k<…>: the braces are not a quantifier.
      if ((kind === 'u' || kind === 'p' || kind === 'P') && p[this.i] === '{') this.skipPast('}');
      else if (kind === 'k' && p[this.i] === '<') this.skipPast('>');
      else if (kind === 'u') this.i += 4;
      else if (kind === 'x') this.i += 2;
      else if (kind === 'c') this.i += 1;
      const source = p.slice(from, this.i);
      return { kind: 'atom', source, zeroWidth: source === '\\b' || source === '\\B' };
    } else {
      this.i++;
    }
    return { kind: 'atom', source: p.slice(from, this.i), zeroWidth: c === '^' || c === '$' };
  }

  private skipPast(close: string): void {
    const at = this.p.indexOf(close, this.i);
    this.i = at < 0 ? this.p.length : at + 1;
  }

  /** `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (and a lazy `?` after it); none is once. */
  private quantifier(): { min: number; max: number } {
    const p = this.p;
    const c = p[this.i];
    let q: { min: number; max: number } | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) this.i++;
    else if (c === '{') {
      const counted = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(this.i));
      if (counted) {
        const min = Number(counted[1]);
        q = { min, max: counted[2] === undefined ? min : counted[3] === '' ? Infinity : Number(counted[3]) };
        this.i += counted[0].length;
      }
    }
    if (!q) return { min: 1, max: 1 };
    if (p[this.i] === '?') this.i++;
    return q;
  }
}

/** The first repeated group (its source) that can match a text in more than one way, or null. */
function ambiguousRepetition(alternatives: Item[][], pattern: string): string | null {
  for (const sequence of alternatives) {
    for (const item of sequence) {
      if (item.node.kind !== 'group') continue;
      const inner = ambiguousRepetition(item.node.alternatives, pattern);
      if (inner !== null) return inner;
      if (item.max > 1 && ambiguous(item.node.alternatives) && !delimited(item.node.alternatives))
        return pattern.slice(item.from, item.to);
    }
  }
  return null;
}

/** Whether some quantifier of variable count, or an alternation, is inside. */
function ambiguous(alternatives: Item[][]): boolean {
  if (alternatives.length > 1) return true;
  return alternatives[0]!.some(
    (item) => item.min !== item.max || (item.node.kind === 'group' && ambiguous(item.node.alternatives)),
  );
}

/**
 * Whether a group's one sequence begins or ends with a single character (once) that nothing else
 * in it can match: each repetition then starts (or ends) at that character, so a text splits into
 * repetitions in one way.
 */
function delimited(alternatives: Item[][]): boolean {
  if (alternatives.length !== 1) return false;
  const sequence = alternatives[0]!.filter((item) => !(item.node.kind === 'atom' && item.node.zeroWidth));
  for (const edge of [sequence[0], sequence.at(-1)]) {
    if (!edge || edge.min !== 1 || edge.max !== 1 || edge.node.kind !== 'atom') continue;
    const char = literalChar(edge.node.source);
    if (char !== null && !sequence.some((item) => item !== edge && canMatch(item.node, char))) return true;
  }
  return false;
}

/** The one character an atom stands for (`a`, `\.`, `\-`), or null (a class, `.`, `\d`…). */
function literalChar(source: string): string | null {
  if (source.length === 1) return '.^$|?*+()[]{}'.includes(source) ? null : source;
  return source.length === 2 && source[0] === '\\' && !/[0-9A-Za-z]/.test(source[1]!) ? source[1]! : null;
}

/** Whether any atom of `node` could consume `char` (in either case: the i flag may be given). */
function canMatch(node: Atom | Group, char: string): boolean {
  if (node.kind === 'group')
    return !node.lookaround && node.alternatives.some((seq) => seq.some((item) => canMatch(item.node, char)));
  if (node.zeroWidth) return false;
  try {
    return new RegExp(`^(?:${node.source})$`, 'iu').test(char);
  } catch {
    return true; // a back-reference and the like: it may
  }
}

// ── at evaluation ───────────────────────────────────────────────────────────────────────

/**
 * Items the ranges of the evaluation under way may still enumerate (feel.ts sets it before each
 * evaluation and clears it after); outside one (another user of feelin) each range has the
 * whole limit.
 */
let rangeBudget: number | null = null;

/** Runs one evaluation within the range budget. */
export function withinBudget<T>(run: () => T): T {
  rangeBudget = MAX_RANGE_ITEMS;
  try {
    return run();
  } finally {
    rangeBudget = null;
  }
}

/**
 * feelin enumerates a range (`for i in 1..n`) through FeelRange#map, from bound to bound in steps
 * of one, without a limit and without end when the bounds are not a whole number apart. Each
 * number range is checked here first: a range refused throws, and the evaluation fails.
 */
const enumerate = FeelRange.prototype.map;
FeelRange.prototype.map = function map<T>(this: FeelRange, fn: (value: unknown) => T): T[] {
  const { start, end } = this;
  if (typeof start === 'number' && typeof end === 'number') {
    const problem = rangeProblem(start, end, String(this));
    if (problem) throw new Error(problem);
    const items = Math.abs(end - start) + 1;
    if (rangeBudget !== null) {
      if (items > rangeBudget)
        throw new Error(
          `the range ${String(this)} takes the items enumerated past the ${MAX_RANGE_ITEMS} one evaluation may`,
        );
      rangeBudget -= items;
    }
  }
  return enumerate.call(this, fn as never) as T[];
};

/**
 * matches, replace and split as feelin has them (`builtin`), checking first the pattern they are
 * given: a computed one (`matches(name, pattern)`) is not known when the expression is compiled.
 */
export function guardedPatterns(name: string, builtin: (...args: unknown[]) => unknown): typeof builtin {
  const which = PATTERN_ARGUMENT.get(name);
  if (!which) return builtin;
  const guarded = function (this: unknown, ...args: unknown[]) {
    const pattern = args[which.position];
    if (typeof pattern === 'string') {
      const problem = regexProblem(pattern);
      if (problem) throw new Error(problem);
    }
    return builtin.apply(this, args);
  };
  return Object.assign(guarded, builtin);
}
