import { parseExpression } from 'feelin';
import type { JSONSchema7 } from 'json-schema';

/**
 * Translates a FEEL condition over situation answers into a JSON Schema that holds exactly when
 * feelin says true. The form needs it: JSON Forms rules and ajv `if/then` cannot run FEEL.
 *
 * FEEL is three-valued (true / false / null for "unknown"), so each sub-expression yields the pair
 * of schemas "is true" and "is false"; `not` swaps them, `and`/`or` combine them as Kleene logic.
 * Supported: `q`, `q = lit`, `q != lit`, `q < <= > >= number`, `q in [lit, …]`,
 * `list contains(q, lit)`, `not(…)`, `and`, `or`, parentheses, `true`, `false`.
 */

interface Node {
  name: string;
  from: number;
  to: number;
  firstChild: Node | null;
  nextSibling: Node | null;
}

/**
 * One test of a question inside a condition, as the translation reads it: `q = "x"` is test "=" with
 * values ["x"]; a question standing alone is test "truth". Lets the loader check the values against
 * the question's type and options.
 */
export interface ConditionTerm {
  question: string;
  test: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'list contains' | 'truth';
  values: Literal[];
}

export type Literal = string | number | boolean | null;

interface Truth {
  t: JSONSchema7;
  f: JSONSchema7;
}

export class UnsupportedConditionError extends Error {
  constructor(expression: string, part: string) {
    super(
      `FEEL condition "${expression}": "${part}" cannot be shown in the form (supported: =, !=, <, <=, >, >=, in […], list contains, not, and, or)`,
    );
    this.name = 'UnsupportedConditionError';
  }
}

const never: JSONSchema7 = { not: {} };

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling)
    if (!['(', ')', '[', ']', ',', 'and', 'or'].includes(c.name)) out.push(c);
  return out;
}

function answer(variable: string, schema: JSONSchema7): JSONSchema7 {
  return { type: 'object', required: [variable], properties: { [variable]: schema } };
}

/** `onTerm` is told every test of a question, in reading order. */
export function conditionToSchema(expression: string, onTerm?: (term: ConditionTerm) => void): JSONSchema7 {
  const src = (n: Node) => expression.slice(n.from, n.to);
  const fail = (n: Node): never => {
    throw new UnsupportedConditionError(expression, src(n));
  };

  const literal = (n: Node): Literal => {
    if (n.name === 'StringLiteral') return JSON.parse(src(n)) as string;
    if (n.name === 'NumericLiteral') return Number(src(n));
    if (n.name === 'BooleanLiteral') return src(n) === 'true';
    if (n.name === 'NullLiteral') return null;
    return fail(n);
  };
  const variable = (n: Node): string => (n.name === 'VariableName' ? src(n) : fail(n));

  const comparison = (n: Node): Truth => {
    const [left, op, right] = [
      n.firstChild!,
      n.firstChild!.nextSibling!,
      n.firstChild!.nextSibling!.nextSibling!,
    ];
    const v = variable(left);
    if (op.name === 'in') {
      const list = right.firstChild;
      if (!list || list.name !== 'List') return fail(right);
      const values = children(list).map(literal);
      onTerm?.({ question: v, test: 'in', values });
      const t = answer(v, { enum: values });
      return { t, f: { not: t } };
    }
    const value = literal(right);
    const o = src(op);
    if (o === '=' || o === '!=') {
      onTerm?.({ question: v, test: o, values: [value] });
      const eq = answer(v, { const: value });
      return o === '=' ? { t: eq, f: { not: eq } } : { t: { not: eq }, f: eq };
    }
    if (typeof value !== 'number') return fail(n);
    const ranges: Record<string, [JSONSchema7, JSONSchema7]> = {
      '<': [{ exclusiveMaximum: value }, { minimum: value }],
      '<=': [{ maximum: value }, { exclusiveMinimum: value }],
      '>': [{ exclusiveMinimum: value }, { maximum: value }],
      '>=': [{ minimum: value }, { exclusiveMaximum: value }],
    };
    const range = ranges[o] ?? fail(op);
    onTerm?.({ question: v, test: o as ConditionTerm['test'], values: [value] });
    return { t: answer(v, { type: 'number', ...range[0] }), f: answer(v, { type: 'number', ...range[1] }) };
  };

  const invocation = (n: Node): Truth => {
    const [callee, params] = children(n);
    const args = params ? children(params) : [];
    const name = callee ? src(callee) : '';
    if (name === 'not' && args.length === 1) {
      const inner = truth(args[0]!);
      return { t: inner.f, f: inner.t };
    }
    if (name === 'list contains' && args.length === 2) {
      const v = variable(args[0]!);
      const value = literal(args[1]!);
      onTerm?.({ question: v, test: 'list contains', values: [value] });
      const has: JSONSchema7 = { contains: { const: value } };
      return { t: answer(v, { type: 'array', ...has }), f: answer(v, { type: 'array', not: has }) };
    }
    return fail(n);
  };

  const truth = (n: Node): Truth => {
    switch (n.name) {
      case 'Expression':
      case 'ParenthesizedExpression':
        return children(n).length === 1 ? truth(children(n)[0]!) : fail(n);
      case 'VariableName':
        onTerm?.({ question: src(n), test: 'truth', values: [] });
        return { t: answer(src(n), { const: true }), f: answer(src(n), { const: false }) };
      case 'BooleanLiteral':
        return literal(n) ? { t: {}, f: never } : { t: never, f: {} };
      case 'Comparison':
        return comparison(n);
      case 'FunctionInvocation':
        return invocation(n);
      case 'Conjunction': {
        const parts = children(n).map(truth);
        return { t: { allOf: parts.map((p) => p.t) }, f: { anyOf: parts.map((p) => p.f) } };
      }
      case 'Disjunction': {
        const parts = children(n).map(truth);
        return { t: { anyOf: parts.map((p) => p.t) }, f: { allOf: parts.map((p) => p.f) } };
      }
      default:
        return fail(n);
    }
  };

  const tree = parseExpression(expression, {}, undefined);
  return truth(tree.topNode as unknown as Node).t;
}
