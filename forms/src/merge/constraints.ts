import type { JSONSchema7, JSONSchema7Type } from 'json-schema';
import { linearRegExp } from '../validate/safe-regexp.js';

/**
 * Combines the constraints several items put on one field: the stricter wins (smaller maximum,
 * larger minimum, enum intersection, every pattern). A real contradiction (bounds that cross, no
 * common allowed value, allowed values that all break a length, bound or pattern) is an error naming
 * both sources, found when the bundle is compiled (deploy time), not when someone applies.
 */

export interface ConstraintSource {
  /** Item code, or "field library" for the base definition. */
  source: string;
  schema: JSONSchema7;
}

export class MergeConflictError extends Error {
  constructor(
    readonly field: string,
    readonly sources: [string, string],
    detail: string,
  ) {
    super(`field "${field}": ${detail} (items "${sources[0]}" and "${sources[1]}")`);
    this.name = 'MergeConflictError';
  }
}

type Bound =
  | 'maxLength'
  | 'maximum'
  | 'exclusiveMaximum'
  | 'maxItems'
  | 'minLength'
  | 'minimum'
  | 'exclusiveMinimum'
  | 'minItems';
const upper: Bound[] = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems'];
const lower: Bound[] = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems'];
/** Keywords that must agree exactly between sources. */
const exact = ['type', 'format', 'const', 'multipleOf'] as const;
const annotations = new Set(['title', 'description', 'default', 'examples']);
/** An item's constraints without the annotations, which do not constrain and which combining ignores. */
export const withoutAnnotations = (schema: JSONSchema7): JSONSchema7 =>
  Object.fromEntries(Object.entries(schema).filter(([k]) => !annotations.has(k)));
/** Keywords an item may not override (they describe structure, not constraints). */
const structural = new Set([
  'properties',
  'items',
  'required',
  'additionalProperties',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
]);

/** [lower keyword, upper keyword, strict?] pairs that must leave some value. */
const ranges: [Bound, Bound, boolean][] = [
  ['minLength', 'maxLength', false],
  ['minItems', 'maxItems', false],
  ['minimum', 'maximum', false],
  ['exclusiveMinimum', 'maximum', true],
  ['minimum', 'exclusiveMaximum', true],
  ['exclusiveMinimum', 'exclusiveMaximum', true],
];

/** Keywords that can rule out a listed value (enum or const), checked in this order, then the patterns. */
const valueRules = ['type', 'const', ...lower, ...upper, 'multipleOf'];

const isType = (type: unknown, v: JSONSchema7Type): boolean => {
  switch (type) {
    case 'integer':
      return Number.isInteger(v);
    case 'array':
      return Array.isArray(v);
    case 'null':
      return v === null;
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    default:
      return typeof v === type;
  }
};

/** Whether `v` passes the keyword; a keyword for another type of value lets it pass, as in JSON Schema. */
function satisfies(key: string, limit: unknown, v: JSONSchema7Type): boolean {
  const n = limit as number;
  if (key === 'type') return [limit].flat().some((t) => isType(t, v));
  if (key === 'const') return JSON.stringify(v) === JSON.stringify(limit);
  if (typeof v === 'string') {
    const length = [...v].length; // code points, as ajv counts
    if (key === 'minLength') return length >= n;
    if (key === 'maxLength') return length <= n;
    if (key === 'pattern') {
      try {
        return linearRegExp(limit as string, 'u').test(v); // a bundle's pattern: linear time
      } catch {
        return true; // a broken pattern is loadBundle's to report (patternProblem)
      }
    }
  }
  if (typeof v === 'number') {
    if (key === 'minimum') return v >= n;
    if (key === 'maximum') return v <= n;
    if (key === 'exclusiveMinimum') return v > n;
    if (key === 'exclusiveMaximum') return v < n;
    if (key === 'multipleOf') return Math.abs(v / n - Math.round(v / n)) < 1e-6; // the validator's precision
  }
  if (Array.isArray(v)) {
    if (key === 'minItems') return v.length >= n;
    if (key === 'maxItems') return v.length <= n;
  }
  return true;
}

/** An enum (or const) none of whose values the other keywords let through: nobody could fill the field. */
function checkListedValues(
  field: string,
  out: JSONSchema7,
  from: Map<string, string>,
  patterns: Map<string, string>,
): void {
  const listed = out.enum ?? (out.const !== undefined ? [out.const] : undefined);
  if (!listed) return;
  const listedBy = from.get(out.enum ? 'enum' : 'const')!;
  const rules: [string, unknown, string][] = [
    ...valueRules
      .filter((k) => out[k as keyof JSONSchema7] !== undefined && !(k === 'const' && !out.enum))
      .map((k): [string, unknown, string] => [k, out[k as keyof JSONSchema7], from.get(k)!]),
    ...[...patterns].map(([p, source]): [string, unknown, string] => ['pattern', p, source]),
  ];
  let left = listed;
  for (const [key, limit, source] of rules) {
    const next = left.filter((v) => satisfies(key, limit, v));
    if (next.length === 0)
      throw new MergeConflictError(
        field,
        [listedBy, source],
        `none of the allowed values ${JSON.stringify(left)} satisfies ${key} ${JSON.stringify(limit)}`,
      );
    left = next;
  }
}

export function combineConstraints(field: string, sources: ConstraintSource[]): JSONSchema7 {
  const [base, ...rest] = sources;
  if (!base) throw new Error(`field "${field}": no schema`);
  const out: JSONSchema7 = { ...base.schema };
  const from = new Map<string, string>(Object.keys(base.schema).map((k) => [k, base.source]));
  const patterns = new Map<string, string>(base.schema.pattern ? [[base.schema.pattern, base.source]] : []);

  for (const { source, schema } of rest) {
    for (const [key, value] of Object.entries(schema) as [keyof JSONSchema7, unknown][]) {
      if (annotations.has(key)) continue;
      if (structural.has(key))
        throw new MergeConflictError(field, [source, source], `an item may not override "${key}"`);
      const prev = out[key];
      const take = (value: unknown) => {
        (out as Record<string, unknown>)[key] = value;
        from.set(key, source);
      };
      if ((upper as string[]).includes(key)) {
        if (prev === undefined || (value as number) < (prev as number)) take(value);
      } else if ((lower as string[]).includes(key)) {
        if (prev === undefined || (value as number) > (prev as number)) take(value);
      } else if (key === 'enum') {
        const next =
          prev === undefined
            ? (value as JSONSchema7Type[])
            : (prev as JSONSchema7Type[]).filter((v) =>
                (value as JSONSchema7Type[]).some((w) => JSON.stringify(w) === JSON.stringify(v)),
              );
        if (next.length === 0)
          throw new MergeConflictError(
            field,
            [from.get('enum')!, source],
            'the allowed values have nothing in common',
          );
        take(next);
      } else if (key === 'pattern') {
        if (!patterns.has(value as string)) patterns.set(value as string, source);
      } else if (key === 'uniqueItems') {
        if (value === true) out.uniqueItems = true;
      } else if ((exact as readonly string[]).includes(key)) {
        if (prev !== undefined && JSON.stringify(prev) !== JSON.stringify(value)) {
          throw new MergeConflictError(
            field,
            [from.get(key)!, source],
            `"${key}" ${JSON.stringify(prev)} contradicts ${JSON.stringify(value)}`,
          );
        }
        take(value);
      } else {
        throw new MergeConflictError(
          field,
          [source, source],
          `constraint "${key}" is not supported in an item`,
        );
      }
    }
  }

  for (const [lo, hi, strict] of ranges) {
    const [a, b] = [out[lo], out[hi]];
    if (a === undefined || b === undefined) continue;
    if (strict ? a >= b : a > b)
      throw new MergeConflictError(
        field,
        [from.get(lo)!, from.get(hi)!],
        `${lo} ${a} contradicts ${hi} ${b}`,
      );
  }
  checkListedValues(field, out, from, patterns);
  // Regular expressions cannot be intersected: every one must match.
  if (patterns.size === 1) out.pattern = [...patterns.keys()][0]!;
  if (patterns.size > 1) {
    delete out.pattern;
    out.allOf = [...patterns.keys()].map((pattern) => ({ pattern }));
  }
  return out;
}
