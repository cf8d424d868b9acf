import { evaluate as feelinEvaluate } from 'feelin';
import { fastEvaluatorFor, UNDECIDED } from './feel-fast.js';
import { compile } from './feel.js';

/** Expressions inside the direct evaluator's subset (and a few just outside it). */
const SOURCES = [
  'list contains(items, "a")',
  'list contains(items, 1)',
  'list contains(items, true)',
  'list contains(items, null)',
  'list contains(items, x)',
  'not(list contains(items, "a"))',
  'not(x)',
  'x = "a"',
  'x != "a"',
  'x = 1',
  'x = 1.5',
  'x != 10',
  'x = true',
  'x = false',
  'x = null',
  'x != null',
  'x = y',
  'x != y',
  'x > 160',
  'x >= 10',
  'x < 1.5',
  'x <= y',
  '160 > x',
  'x > y',
  'x = "a" and y = "b"',
  'x = "a" or y = "b"',
  'list contains(items, "a") and (x = "approved" or y = "approved")',
  'list contains(items, "a") or list contains(items, "b")',
  'x and y',
  'x or y',
  'not(x) and y',
  '(x > 1) and (y < 10)',
  'true',
  'false and x',
  'null',
  '(x)',
  '(items)',
];

/** Values a variable may hold: every simple type, lists, contexts, a date, missing. */
const VALUES: unknown[] = [
  'a',
  'b',
  '',
  'approved',
  1,
  1.5,
  10,
  160,
  161,
  -3,
  0,
  true,
  false,
  null,
  ['a', 'b'],
  ['a'],
  [1],
  [],
  [null],
  [true, 'a'],
  [['a']],
  { a: 1 },
  new Date('2026-01-02T00:00:00Z'),
  undefined, // missing
];

function contextOf(x: unknown, y: unknown, items: unknown): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  if (x !== undefined) context.x = x;
  if (y !== undefined) context.y = y;
  if (items !== undefined) context.items = items;
  return context;
}

describe('the direct FEEL evaluator', () => {
  // Every answer it gives must be feelin's; where it cannot be sure, it leaves the expression to feelin.
  it('answers exactly as feelin does, or not at all', () => {
    let decided = 0;
    for (const source of SOURCES) {
      const fast = fastEvaluatorFor(source);
      expect(fast).not.toBeNull();
      for (const x of VALUES) {
        for (const y of [VALUES[0], VALUES[5], VALUES[11], VALUES[13], VALUES[14], undefined]) {
          for (const items of [['a', 'b'], ['b'], [1, true, null], 'a', null, undefined]) {
            const context = contextOf(x, y, items);
            const value = fast!(context);
            if (value === UNDECIDED) continue;
            decided++;
            const feelin = feelinEvaluate(source, context);
            const failed = feelin.warnings.some((w) =>
              ['FUNCTION_INVOCATION_FAILURE', 'INVALID_ARGUMENTS', 'NO_FUNCTION_FOUND'].includes(w.type),
            );
            expect({ source, context, value, failed }).toEqual({
              source,
              context,
              value: feelin.value,
              failed: false,
            });
          }
        }
      }
    }
    expect(decided).toBeGreaterThan(2000);
  });

  it('leaves built-ins a variable shadows, missing names and other expressions to feelin', () => {
    const contains = fastEvaluatorFor('list contains(items, "a")')!;
    expect(contains({ items: ['a'] })).toBe(true);
    expect(contains({ items: ['a'], 'list  contains': 'a value' })).toBe(UNDECIDED);
    expect(contains({ items: ['a'], ' list contains': 1 })).toBe(UNDECIDED);
    expect(contains({ items: ['a'], 'list contains x': 1 })).toBe(true);
    expect(fastEvaluatorFor('not(x)')!({ x: true, not: 1 })).toBe(UNDECIDED);
    expect(fastEvaluatorFor('not(x)')!({ x: true, notes: 1 })).toBe(false);
    expect(fastEvaluatorFor('x = "a"')!({})).toBe(UNDECIDED);
    expect(fastEvaluatorFor('x = "a"')!({ x: undefined })).toBe(UNDECIDED);
    for (const other of [
      'x + 1 > 2',
      'a.b = 1',
      'x in [1, 2]',
      'count(items) > 1',
      '"a\\"b" = x',
      '-5 < x',
      'x = @"2026-01-01"',
    ])
      expect(fastEvaluatorFor(other)).toBeNull();
  });

  it('is what compiled conditions answer with, and feelin still answers the rest', () => {
    const condition = compile('= list contains(items, "a") and x = "approved"');
    expect(condition.evaluate({ items: ['a'], x: 'approved' })).toEqual({ ok: true, value: true });
    expect(condition.evaluate({ items: ['a'], x: 2 })).toEqual({ ok: true, value: null });
    expect(condition.evaluate({ items: 'a', x: 'approved' })).toEqual({ ok: true, value: true });
    expect(condition.evaluate({ items: ['a'], 'list  contains': 1, x: 'approved' }).ok).toBe(false);
  });

  it('leaves a bare name holding an object to feelin, which converts it as before', () => {
    const at = new Date('2026-01-02T00:00:00Z');
    for (const source of ['= (x)', '= 审批结果']) {
      const name = source === '= (x)' ? 'x' : '审批结果';
      expect(compile(source).evaluate({ [name]: at })).toEqual({ ok: true, value: '2026-01-02T00:00:00Z' });
      const list = ['a'];
      const { value } = compile(source).evaluate({ [name]: list }) as { value: unknown };
      expect(value).toEqual(['a']);
      expect(value).not.toBe(list);
    }
  });
});
