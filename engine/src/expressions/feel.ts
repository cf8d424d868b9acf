/**
 * FEEL expressions through feelin. Each source string is checked once and cached; evaluation
 * never throws into the engine: a failure comes back as { ok: false, message }.
 */
import { compileExpression, FeelFunction, parseExpression, SyntaxError as FeelSyntaxError } from 'feelin';
import { fastEvaluatorFor, normalisedKey, UNDECIDED } from './feel-fast.js';
import { costProblem, MAX_EVALUATION_STEPS } from './feel-limits.js';

export type FeelResult = { ok: true; value: unknown } | { ok: false; message: string };

export interface CompiledExpression {
  readonly source: string;
  /** Null when the source parses; otherwise the syntax error message. */
  readonly syntaxError: string | null;
  evaluate(context: Record<string, unknown>): FeelResult;
}

const cache = new Map<string, CompiledExpression>();
const MAX_CACHE = 10_000;

/** Strip the optional leading "=" that marks an expression in BPMN attributes. */
export function feelBody(source: string): string {
  const trimmed = source.trim();
  return trimmed.startsWith('=') ? trimmed.slice(1).trim() : trimmed;
}

export function compile(source: string): CompiledExpression {
  let compiled = cache.get(source);
  if (!compiled) {
    compiled = build(source);
    if (cache.size >= MAX_CACHE) cache.clear();
    cache.set(source, compiled);
  }
  return compiled;
}

const FAILURES = new Set(['FUNCTION_INVOCATION_FAILURE', 'INVALID_ARGUMENTS', 'NO_FUNCTION_FOUND']);

function build(source: string): CompiledExpression {
  const body = feelBody(source);
  let run: ReturnType<typeof compileExpression> | null = null;
  let syntaxError: string | null = body === '' ? 'empty expression' : null;
  if (!syntaxError) {
    try {
      // Parsed and turned into an execution tree once (feelin patched: patches/feelin+*.patch).
      run = compileExpression(body);
    } catch (err) {
      syntaxError = err instanceof FeelSyntaxError ? err.message : (err as Error).message;
    }
  }
  // What evaluating it could cost (a range of 10^8 items) or a pattern the linear-time engine
  // cannot run: refused here, so at deployment (feel-limits.ts).
  const costly = run ? costProblem(body) : null;
  if (costly) {
    syntaxError = costly;
    run = null;
  }
  const simpleName = /^[A-Za-z_][A-Za-z0-9_]*$/.test(body) && !RESERVED.has(body) ? body : null;
  // A context is a plain object: `constructor` or `toString` is a variable only as an own key.
  const inheritedName = simpleName !== null && simpleName in Object.prototype;
  const narrow = run && !simpleName ? narrowerFor(body) : null;
  const fast = run && !simpleName ? fastEvaluatorFor(body) : null;
  return {
    source,
    syntaxError,
    evaluate(context) {
      if (!run) return { ok: false, message: syntaxError ?? 'not compiled' };
      // A bare variable reference is the commonest expression (collections, keys): skip the tree.
      if (simpleName) {
        if (inheritedName && !Object.prototype.hasOwnProperty.call(context, simpleName))
          return { ok: true, value: null };
        return { ok: true, value: context[simpleName] ?? null };
      }
      if (fast) {
        const value = fast(context);
        if (value !== UNDECIDED) return { ok: true, value };
      }
      try {
        const input = narrow ? narrow(context) : context;
        // feelin (patched) bounds the evaluation's steps and depth: a limit hit throws, named.
        const { value, warnings } = run(input);
        const failure = warnings.find((w) => FAILURES.has(w.type));
        if (failure) return { ok: false, message: failure.message };
        resultValuesLeft = MAX_EVALUATION_STEPS;
        return { ok: true, value: toPlain(value) };
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
    },
  };
}

/**
 * feelin converts the whole context it is given on every evaluation (coerceContext), and looks a
 * missing name up by normalising every key; an instance's variables (whole application forms)
 * made each condition cost in proportion to them. The names an expression can read are fixed by
 * its parse tree (VariableName nodes: roots of paths, functions, iteration variables), so each
 * evaluation gets only those entries. A name that is not a key as written is looked up as feelin
 * would (normalised key match), so the narrowed context answers every lookup the same way.
 */
function narrowerFor(body: string): ((context: Record<string, unknown>) => Record<string, unknown>) | null {
  const names = new Set<string>();
  const notCalled = new Set<string>(); // names also read as values, not only called
  try {
    parseExpression(body, {}, undefined).iterate({
      enter(node) {
        if (node.name !== 'VariableName') return;
        const name = body.slice(node.from, node.to);
        names.add(name);
        const parent = node.node.parent;
        if (parent?.name !== 'FunctionInvocation' || parent.firstChild?.from !== node.from)
          notCalled.add(name);
      },
    });
  } catch {
    return null; // feelin compiled it, so this does not happen; without the names, give it everything
  }
  const refs = [...names];
  const normalised = new Set(refs.map(normalisedKey));
  const builtins = refs.flatMap((name) => {
    const value = builtinValue(name, !notCalled.has(name));
    return value === undefined ? [] : [{ name, key: normalisedKey(name), value }];
  });
  return (context) => {
    const out: Record<string, unknown> = {};
    let missing = false;
    for (const name of refs) {
      if (Object.prototype.hasOwnProperty.call(context, name)) out[name] = context[name];
      else missing = true;
    }
    if (!missing) return out;
    // Some name is not a key as written: keep, in the context's order, every key feelin could match it to.
    const all: Record<string, unknown> = {};
    for (const key of Object.keys(context)) {
      if (names.has(key) || normalised.has(normalisedKey(key))) all[key] = context[key];
    }
    // A built-in function (`list contains`) that no variable shadows is handed over under its own
    // name: feelin then finds it at once, where it would normalise every key (two regular
    // expressions each) before falling back to the same built-in.
    for (const b of builtins) {
      if (Object.prototype.hasOwnProperty.call(all, b.name)) continue;
      let shadowed = false;
      for (const key in all) if (normalisedKey(key) === b.key) shadowed = true;
      if (!shadowed) all[b.name] = b.value;
    }
    return all;
  };
}

/**
 * What feelin gives for `name` when no variable matches it: a built-in function, else undefined.
 * A name that is only ever called gets the built-in already wrapped as feelin wraps it for each
 * call (a FeelFunction with the function's declared parameters), so no call wraps it again.
 */
function builtinValue(name: string, onlyCalled: boolean): unknown {
  let fn: (...args: unknown[]) => unknown;
  try {
    const { value, warnings } = compileExpression(name)({});
    if (warnings.length > 0 || typeof value !== 'function') return undefined;
    fn = value as (...args: unknown[]) => unknown;
  } catch {
    return undefined;
  }
  const parameters = (fn as { $args?: unknown }).$args;
  return onlyCalled && Array.isArray(parameters) ? new FeelFunction(fn, parameters) : fn;
}

const RESERVED = new Set([
  'true',
  'false',
  'null',
  'not',
  'and',
  'or',
  'if',
  'then',
  'else',
  'for',
  'in',
  'some',
  'every',
]);

/**
 * Values (list items, context entries) the result of the evaluation under way may still hold.
 * A result can hold one list many times over at the cost of a step each
 * (`{xs: for i in 1..1000 return ys, r: for j in 1..1000 return xs}.r`); copied out in full, it
 * would be 10^9 values. A result gets as many values as an evaluation gets steps.
 */
let resultValuesLeft = 0;

function holdValues(count: number): void {
  resultValuesLeft -= count;
  if (resultValuesLeft < 0)
    throw new Error(
      `result limit: the result holds more than the ${MAX_EVALUATION_STEPS} values (list items, context entries) one evaluation may give`,
    );
}

/** feelin returns its own wrappers for temporal values; variables stay plain JSON. */
function toPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    holdValues(value.length);
    return value.map(toPlain);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const entries = Object.entries(value);
    holdValues(entries.length);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = toPlain(v);
    return out;
  }
  return String(value);
}

/** A fixed value that behaves like an expression (timer literals such as "PT1H"). */
export function constant(value: string): CompiledExpression {
  return { source: value, syntaxError: null, evaluate: () => ({ ok: true, value }) };
}

/** "= expr" is FEEL; anything else is a literal string (BPMN timer values, job types). */
export function expressionOrLiteral(source: string): CompiledExpression {
  return source.trim().startsWith('=') ? compile(source) : constant(source.trim());
}
