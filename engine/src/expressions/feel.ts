/**
 * FEEL expressions through feelin. Each source string is checked once and cached; evaluation
 * never throws into the engine: a failure comes back as { ok: false, message }.
 */
import { evaluate, SyntaxError as FeelSyntaxError } from 'feelin';

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

function build(source: string): CompiledExpression {
  const body = feelBody(source);
  const syntaxError = checkSyntax(body);
  const simpleName = /^[A-Za-z_][A-Za-z0-9_]*$/.test(body) && !RESERVED.has(body) ? body : null;
  return {
    source,
    syntaxError,
    evaluate(context) {
      if (syntaxError) return { ok: false, message: syntaxError };
      // A bare variable reference is the commonest expression (collections, keys): skip the parser.
      if (simpleName) return { ok: true, value: context[simpleName] ?? null };
      try {
        const { value, warnings } = evaluate(body, context);
        const failure = warnings.find((w) => w.type === 'FUNCTION_INVOCATION_FAILURE' || w.type === 'INVALID_ARGUMENTS');
        if (failure) return { ok: false, message: failure.message };
        return { ok: true, value: toPlain(value) };
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
    },
  };
}

const RESERVED = new Set(['true', 'false', 'null', 'not', 'and', 'or', 'if', 'then', 'else', 'for', 'in', 'some', 'every']);

function checkSyntax(body: string): string | null {
  if (body === '') return 'empty expression';
  try {
    evaluate(body, {});
    return null;
  } catch (err) {
    if (err instanceof FeelSyntaxError) return err.message;
    return null; // a runtime failure with an empty context is not a syntax problem
  }
}

/** feelin returns its own wrappers for temporal values; variables stay plain JSON. */
function toPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
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
