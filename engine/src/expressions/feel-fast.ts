/**
 * A direct evaluator for the FEEL conditions models use most (`list contains(items, "x")`,
 * `decision = "rejected"`, `amount > 100000`, joined by and / or / not), built once per source
 * from feelin's parse tree. feelin evaluates these through its general machinery on every call
 * (context conversion, name lookup with key normalisation, function wrapping, a warnings list),
 * ≈ 10% of an example bundle's CPU. The direct evaluator answers only where its answer is
 * certainly feelin's: plain values of the same simple type (strings, finite numbers, booleans,
 * null; a list for `list contains`), names that are own entries of the context, built-in
 * functions no variable shadows. Anything else answers UNDECIDED, and the caller asks feelin.
 */
import { parseExpression } from 'feelin';

/** The direct evaluator's "ask feelin" answer. */
export const UNDECIDED: unique symbol = Symbol('undecided');

export type FastEvaluator = (context: Record<string, unknown>) => unknown;

/** A parse-tree node as lezer gives it (the part used here). */
export interface TreeNode {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly firstChild: TreeNode | null;
  readonly nextSibling: TreeNode | null;
}

/** The direct evaluator of a FEEL expression body, or null when it uses anything outside the subset. */
export function fastEvaluatorFor(body: string): FastEvaluator | null {
  let top: TreeNode;
  try {
    top = parseExpression(body, {}, undefined).topNode as unknown as TreeNode;
  } catch {
    return null;
  }
  if (top.name !== 'Expression') return null;
  const only = children(top);
  const evaluate = only.length === 1 ? build(only[0]!, body) : null;
  if (!evaluate) return null;
  // Only a primitive answer is final: feelin hands back a copy of a list or context and converts a
  // date (`= (x)`, a bare name with other characters than simple ones), so those are its to give.
  return (context) => {
    const value = evaluate(context);
    return value !== null && typeof value === 'object' ? UNDECIDED : value;
  };
}

export function children(node: TreeNode): TreeNode[] {
  const out: TreeNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

const text = (node: TreeNode, body: string) => body.slice(node.from, node.to);

type Primitive = string | number | boolean | null;

function build(node: TreeNode, body: string): FastEvaluator | null {
  const parts = children(node);
  switch (node.name) {
    case 'ParenthesizedExpression':
      return parts.length === 3 ? build(parts[1]!, body) : null;
    case 'StringLiteral': {
      const source = text(node, body);
      // Escapes are feelin's business; a literal without any is its characters between the quotes.
      if (parts.length || source.length < 2 || source.includes('\\') || !source.endsWith('"')) return null;
      return constant(source.slice(1, -1));
    }
    case 'NumericLiteral': {
      const source = text(node, body);
      return parts.length === 0 && /^\d+(\.\d+)?$/.test(source) ? constant(Number(source)) : null;
    }
    case 'BooleanLiteral':
      return constant(text(node, body) === 'true');
    case 'null':
      return constant(null);
    case 'VariableName':
      return parts.length === 1 && parts[0]!.name === 'Identifier' ? variable(text(node, body)) : null;
    case 'Comparison':
      return parts.length === 3 && parts[1]!.name === 'CompareOp'
        ? comparison(text(parts[1]!, body), parts[0]!, parts[2]!, body)
        : null;
    case 'Conjunction':
    case 'Disjunction':
      return parts.length === 3 ? logical(node.name === 'Conjunction', parts[0]!, parts[2]!, body) : null;
    case 'FunctionInvocation':
      return invocation(parts, body);
    default:
      return null;
  }
}

function constant(value: Primitive): FastEvaluator {
  return () => value;
}

/** An own entry of the context, as it is; a missing one is feelin's (normalised keys, built-ins, warnings). */
function variable(name: string): FastEvaluator {
  return (context) => {
    if (!Object.prototype.hasOwnProperty.call(context, name)) return UNDECIDED;
    const value = context[name];
    return value === undefined ? UNDECIDED : value;
  };
}

/** The type feelin's equality compares these values by, or null for anything this evaluator leaves to it. */
function simpleType(value: unknown): 'string' | 'number' | 'boolean' | null {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isFinite(value) ? 'number' : null;
    default:
      return null;
  }
}

/**
 * feelin's `=` (equals): null equals only null; values of one simple type compare by value;
 * values of different types (null in feelin) are left to it.
 */
function equality(left: unknown, right: unknown): boolean | typeof UNDECIDED {
  if (left === null || right === null) return left === right;
  const type = simpleType(left);
  return type !== null && type === simpleType(right) ? left === right : UNDECIDED;
}

function comparison(op: string, leftNode: TreeNode, rightNode: TreeNode, body: string): FastEvaluator | null {
  const left = build(leftNode, body);
  const right = build(rightNode, body);
  if (!left || !right) return null;
  const order = ORDER[op];
  if (op === '=' || op === '!=') {
    const negate = op === '!=';
    return (context) => {
      const a = left(context);
      if (a === UNDECIDED) return UNDECIDED;
      const b = right(context);
      if (b === UNDECIDED) return UNDECIDED;
      const equal = equality(a, b);
      return equal === UNDECIDED || !negate ? equal : !equal;
    };
  }
  if (!order) return null;
  return (context) => {
    const a = left(context);
    if (a === UNDECIDED) return UNDECIDED;
    const b = right(context);
    if (b === UNDECIDED) return UNDECIDED;
    // Numbers only: feelin orders strings and dates by its own rules.
    return simpleType(a) === 'number' && simpleType(b) === 'number'
      ? order(a as number, b as number)
      : UNDECIDED;
  };
}

const ORDER: Record<string, ((a: number, b: number) => boolean) | undefined> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** feelin's three-valued and / or: both sides are evaluated; a side that is not a boolean counts as null. */
function logical(and: boolean, leftNode: TreeNode, rightNode: TreeNode, body: string): FastEvaluator | null {
  const left = build(leftNode, body);
  const right = build(rightNode, body);
  if (!left || !right) return null;
  return (context) => {
    const l = left(context);
    if (l === UNDECIDED) return UNDECIDED;
    const r = right(context);
    if (r === UNDECIDED) return UNDECIDED;
    const a = typeof l === 'boolean' ? l : null;
    const b = typeof r === 'boolean' ? r : null;
    if (and) return a === false || b === false ? false : a === true && b === true ? true : null;
    return a === true || b === true ? true : a === false && b === false ? false : null;
  };
}

/** `not(x)` and `list contains(list, x)`, the built-ins, when no variable of the context shadows them. */
function invocation(parts: TreeNode[], body: string): FastEvaluator | null {
  if (parts.length !== 4 || parts[0]!.name !== 'VariableName' || parts[2]!.name !== 'PositionalParameters')
    return null;
  const name = text(parts[0]!, body);
  const args = children(parts[2]!).map((arg) => build(arg, body));
  if (args.some((arg) => arg === null)) return null;
  if (name === 'not' && args.length === 1) {
    const negand = args[0]!;
    return (context) => {
      const value = negand(context);
      if (value === UNDECIDED || shadowed(context, 'not', 'not')) return UNDECIDED;
      return typeof value === 'boolean' ? !value : null;
    };
  }
  if (name === 'list contains' && args.length === 2) {
    const [listOf, elementOf] = args as [FastEvaluator, FastEvaluator];
    return (context) => {
      const list = listOf(context);
      if (!Array.isArray(list)) return UNDECIDED;
      const element = elementOf(context);
      if (element !== null && simpleType(element) === null) return UNDECIDED;
      if (shadowed(context, 'list contains', 'contains')) return UNDECIDED;
      // feelin's list contains matches with ===; a value it converts (a Date) never equals a primitive.
      for (let i = 0; i < list.length; i++) if (list[i] === element) return true;
      return false;
    };
  }
  return null;
}

/**
 * Whether a key of the context names the built-in `name` as feelin looks names up (the key itself,
 * or one that normalises to it). Only keys holding `word` can; the rest are skipped unnormalised.
 */
function shadowed(context: Record<string, unknown>, name: string, word: string): boolean {
  for (const key in context) {
    if (
      key.includes(word) &&
      Object.prototype.hasOwnProperty.call(context, key) &&
      normalisedKey(key) === name
    )
      return true;
  }
  return false;
}

const normalisedKeys = new Map<string, string>();
const MAX_KEYS = 10_000;

/** lezer-feel's normalizeContextKey (how feelin matches names to keys), memoised: keys are few and recur. */
export function normalisedKey(name: string): string {
  let key = normalisedKeys.get(name);
  if (key === undefined) {
    key = name
      .replace(/\s*([./\-'+]|\*\*?)\s*/g, ' $1 ')
      .replace(/\s{2,}/g, ' ')
      .trim();
    if (normalisedKeys.size >= MAX_KEYS) normalisedKeys.clear();
    normalisedKeys.set(name, key);
  }
  return key;
}
