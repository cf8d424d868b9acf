/**
 * What one FEEL evaluation may cost: ranges enumerate at most MAX_RANGE_ITEMS items (refused at
 * compilation when their bounds are literal, failing the evaluation when they come from
 * variables), and a pattern that can backtrack for exponential time is refused (literal: at
 * compilation; computed: when called).
 */
import { compile } from './feel.js';
import { MAX_RANGE_ITEMS, regexProblem } from './feel-limits.js';

/** Runs `fn`, failing the test if it takes longer than `ms`. */
function within<T>(ms: number, fn: () => T): T {
  const started = performance.now();
  const result = fn();
  expect(performance.now() - started).toBeLessThan(ms);
  return result;
}

describe('FEEL cost limits', () => {
  describe('ranges', () => {
    it('refuses at compilation a literal range over the limit, or one that would never end', () => {
      for (const source of [
        '= count(for i in 1..100000000 return i) > 0',
        '= for i in 0..100000 return i',
        '= some x in [1..1000000] satisfies x = 2',
        '= for i in 1..2.5 return i',
        '= for i in 1e300..1 return i',
        // Nested or combined: the product counts.
        '= count(for i in 1..1000 return for j in 1..1000 return j)',
        '= count(for i in 1..1000, j in 1..1000 return i)',
      ]) {
        const compiled = compile(source);
        expect([source, compiled.syntaxError]).toEqual([source, expect.stringMatching(/range|enumerate/)]);
        expect(compiled.evaluate({}).ok).toBe(false);
      }
    });

    it('lets through ranges within the limit, and membership tests over any interval', () => {
      expect(compile(`= count(for i in 1..${MAX_RANGE_ITEMS} return i)`).evaluate({})).toEqual({
        ok: true,
        value: MAX_RANGE_ITEMS,
      });
      expect(compile('= for i in [1..4) return i').evaluate({})).toEqual({ ok: true, value: [1, 2, 3] });
      expect(compile('= for i in -1..-3 return i').evaluate({})).toEqual({ ok: true, value: [-1, -2, -3] });
      expect(compile('= x in [1..1000000000]').evaluate({ x: 7 })).toEqual({ ok: true, value: true });
    });

    it('fails an evaluation whose range from a variable is over the limit or never ends, at once', () => {
      const expr = compile('= count(for i in 1..n return i)');
      expect(expr.syntaxError).toBeNull();
      expect(expr.evaluate({ n: 10 })).toEqual({ ok: true, value: 10 });
      const huge = within(1_000, () => expr.evaluate({ n: 100_000_000 }));
      expect(huge).toEqual({ ok: false, message: expect.stringMatching(/more than the 100000/) });
      const endless = within(1_000, () => expr.evaluate({ n: 2.5 }));
      expect(endless).toEqual({ ok: false, message: expect.stringMatching(/never end/) });
    });

    it('counts every range of one evaluation against one budget, and each evaluation afresh', () => {
      const expr = compile('= count(for i in 1..n, j in 1..n return i)');
      const over = within(2_000, () => expr.evaluate({ n: 1_000 }));
      expect(over).toEqual({ ok: false, message: expect.stringMatching(/past the 100000/) });
      expect(expr.evaluate({ n: 100 })).toEqual({ ok: true, value: 10_000 });
      expect(expr.evaluate({ n: 100 })).toEqual({ ok: true, value: 10_000 });
    });
  });

  describe('patterns', () => {
    it('refuses at compilation a literal pattern that can backtrack for exponential time', () => {
      for (const source of [
        '= matches(name, "^(a+)+$")',
        '= matches(input: name, pattern: "^(a|aa)+$")',
        '= replace(name, "(\\\\w+\\\\s?)*$", "")',
        '= split(name, "(x+x+)+y")',
      ]) {
        expect([source, compile(source).syntaxError]).toEqual([source, expect.stringMatching(/exponential/)]);
      }
    });

    it('fails a call given such a pattern from a variable, without running it', () => {
      const expr = compile('= matches(name, pattern)');
      expect(expr.syntaxError).toBeNull();
      const result = within(500, () => expr.evaluate({ name: `${'a'.repeat(25)}!`, pattern: '^(a+)+$' }));
      expect(result).toEqual({ ok: false, message: expect.stringMatching(/exponential/) });
      expect(expr.evaluate({ name: 'abc', pattern: '^[a-z]+$' })).toEqual({ ok: true, value: true });
    });

    it('tells repetitions that can match a text in several ways from those that cannot', () => {
      const unsafe = [
        '(a+)+',
        '(a*)*',
        '(a|a)*',
        '(a|b)+',
        '(\\d{2,3})+',
        '(\\w+\\s?)+',
        '(.*a){10}',
        '(?<n>a+)+',
        '(x+x+)+y',
        '((a+)b?)+',
      ];
      const safe = [
        '(a+)?',
        '(\\d{3})+',
        '([a-z]+\\.)+',
        '(\\.[\\w-]+)+',
        '(?:x(a|b)y)+',
        '((ab)*c)+',
        '(,\\s*\\w+)*',
        '^\\d{17}[\\dXx]$',
        '^(\\+86)?1[3-9]\\d{9}$',
        'a+b*c?',
      ];
      for (const p of unsafe) expect([p, regexProblem(p)]).toEqual([p, expect.stringMatching(/exponential/)]);
      for (const p of safe) expect([p, regexProblem(p)]).toEqual([p, null]);
    });
  });
});
