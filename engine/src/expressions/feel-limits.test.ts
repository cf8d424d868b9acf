/**
 * What one FEEL evaluation may cost (feelin as patched, and feel-limits.ts): at most
 * MAX_EVALUATION_STEPS steps (items of lists and ranges gone through, function calls), functions
 * defined in the expression at most MAX_CALL_DEPTH deep, a result of at most as many values, and
 * patterns on a linear-time engine. Literal ranges over MAX_RANGE_ITEMS, and literal patterns that
 * engine cannot run, are refused at compilation.
 */
import { compile } from './feel.js';
import { MAX_CALL_DEPTH, MAX_EVALUATION_STEPS, MAX_RANGE_ITEMS } from './feel-limits.js';

/** 0, 1, …, n - 1: a list from a variable. */
const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);
const STEP_LIMIT = {
  ok: false,
  message: expect.stringMatching(`^step limit: .* ${MAX_EVALUATION_STEPS} steps`),
};
const DEPTH_LIMIT = { ok: false, message: expect.stringMatching(`^depth limit: .* ${MAX_CALL_DEPTH} deep`) };

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

    it('fails an evaluation whose range from a variable is over the step limit or never ends', () => {
      const expr = compile('= count(for i in 1..n return i)');
      expect(expr.syntaxError).toBeNull();
      expect(expr.evaluate({ n: 10 })).toEqual({ ok: true, value: 10 });
      expect(expr.evaluate({ n: 100_000_000 })).toEqual(STEP_LIMIT);
      expect(expr.evaluate({ n: 2.5 })).toEqual({ ok: false, message: expect.stringMatching(/never end/) });
    });

    it('counts every range of one evaluation against one budget, and each evaluation afresh', () => {
      const expr = compile('= count(for i in 1..n, j in 1..n return i)');
      expect(expr.evaluate({ n: 1_000 })).toEqual(STEP_LIMIT);
      expect(expr.evaluate({ n: 100 })).toEqual({ ok: true, value: 10_000 });
      expect(expr.evaluate({ n: 100 })).toEqual({ ok: true, value: 10_000 });
    });
  });

  describe('steps', () => {
    it('fails nested iteration over lists from variables with the step limit', () => {
      // A million items each (1,000 squared, 100 cubed): feelin went through them all, or, for
      // `for a in xs, b in xs, c in xs` over 1,000, made 10^9 contexts until memory ran out.
      const context = { xs: numbers(1_000), ys: numbers(100) };
      for (const source of [
        '= count(for a in ys, b in ys, c in ys return a + b + c)',
        '= count(for x in xs return for y in xs return x + y)',
        '= every a in xs, b in xs satisfies a + b >= 0',
        '= some a in ys, b in ys, c in ys satisfies a + b + c < 0',
        '= count(for a in xs return xs[item > a])',
        '= count(for a in xs return xs.b)',
      ]) {
        expect([source, compile(source).evaluate(context)]).toEqual([source, STEP_LIMIT]);
      }
      const within = compile('= every a in xs, b in xs satisfies a + b >= 0').evaluate({ xs: numbers(300) });
      expect(within).toEqual({ ok: true, value: true });
    });

    it('counts the items of the lists a function is given, and of a list held many times over', () => {
      const xs = numbers(1_000);
      expect(compile('= sum(for a in xs return sum(xs))').evaluate({ xs })).toEqual(STEP_LIMIT);
      expect(compile('= sum(for a in xs return sum(xs))').evaluate({ xs: numbers(100) })).toEqual({
        ok: true,
        value: 100 * 4_950,
      });
      // 1,000 items, each the same list of 1,000: flattened or written out, a million values.
      const shared = '{ys: for a in 1..1000 return xs}.ys';
      expect(compile(`= count(flatten(${shared}))`).evaluate({ xs })).toEqual(STEP_LIMIT);
      expect(compile(`= string length(string(${shared}))`).evaluate({ xs })).toEqual(STEP_LIMIT);
      expect(compile(`= ${shared} = ${shared}`).evaluate({ xs })).toEqual(STEP_LIMIT);
    });

    it('gives each evaluation the whole budget again, after a failed one too', () => {
      // 300 + 90,000 items, and count goes through 90,000: more than half the budget each time.
      const expr = compile('= count(for a in xs, b in xs return a)');
      const most = numbers(300);
      expect(expr.evaluate({ xs: most })).toEqual({ ok: true, value: 90_000 });
      expect(expr.evaluate({ xs: most })).toEqual({ ok: true, value: 90_000 });
      expect(expr.evaluate({ xs: numbers(1_000) })).toEqual(STEP_LIMIT);
      expect(expr.evaluate({ xs: most })).toEqual({ ok: true, value: 90_000 });
    });
  });

  describe('functions defined in an expression', () => {
    it('stops recursion without end at the depth limit, in either form', () => {
      for (const source of ['= {f: function(n) f(n + 1)}.f(1)', '= {f: function(n) f(n + 1), r: f(1)}.r']) {
        expect([source, compile(source).evaluate({})]).toEqual([source, DEPTH_LIMIT]);
      }
    });

    it(`lets recursion run ${MAX_CALL_DEPTH} deep, and no deeper`, () => {
      const expr = compile('= {f: function(n) if n = 0 then 0 else 1 + f(n - 1)}.f(depth)');
      expect(expr.evaluate({ depth: MAX_CALL_DEPTH - 1 })).toEqual({ ok: true, value: MAX_CALL_DEPTH - 1 });
      expect(expr.evaluate({ depth: MAX_CALL_DEPTH })).toEqual(DEPTH_LIMIT);
    });

    it('stops recursion that calls itself twice over with the step limit', () => {
      const expr = compile('= {f: function(n) if n = 0 then 1 else f(n - 1) + f(n - 1)}.f(depth)');
      expect(expr.evaluate({ depth: 10 })).toEqual({ ok: true, value: 1_024 });
      expect(expr.evaluate({ depth: 18 })).toEqual(STEP_LIMIT);
    });
  });

  describe('results', () => {
    it('fails a result that holds more values than the limit (one list many times over)', () => {
      const expr = compile('= {ys: for a in 1..600 return [1], r: for b in 1..600 return ys}.r');
      expect(expr.evaluate({})).toEqual({
        ok: false,
        message: expect.stringMatching(`^result limit: .* ${MAX_EVALUATION_STEPS} values`),
      });
      const small = compile('= {ys: for a in 1..10 return [1], r: for b in 1..10 return ys}.r').evaluate({});
      expect(small.ok && (small.value as unknown[]).length).toBe(10);
    });
  });

  describe('patterns', () => {
    it('runs patterns that backtrack for exponential or polynomial time elsewhere, in linear time', () => {
      const name = `${'a'.repeat(25)}!`;
      expect(compile('= matches(name, "^(a+)+$")').evaluate({ name })).toEqual({ ok: true, value: false });
      expect(compile('= matches(name, pattern)').evaluate({ name, pattern: '^(a|aa)+$' })).toEqual({
        ok: true,
        value: false,
      });
      // On JavaScript's engine: O(n^4) steps (300 characters took 1.5 s), and exponential.
      const abc = 'abc'.repeat(10_000);
      const xs = 'x'.repeat(100_000);
      for (const [source, s, value] of [
        ['= matches(s, ".*a.*b.*c.*d")', abc, false],
        ['= replace(s, "(x+x+)+y", "-") = s', xs, true],
        ['= count(split(s, "(x+x+)+y"))', xs, 1],
      ] as const) {
        expect([source, compile(source).evaluate({ s })]).toEqual([source, { ok: true, value }]);
      }
    });

    it('refuses at compilation a literal pattern the linear-time engine cannot run', () => {
      for (const source of [
        '= matches(name, "^(?=.*\\\\d)\\\\w+$")',
        '= matches(input: name, pattern: "(a)\\\\1")',
        '= replace(name, "(?<!a)b", "")',
        '= split(name, "(?<x>a)\\\\k<x>")',
      ]) {
        expect([source, compile(source).syntaxError]).toEqual([source, expect.stringMatching(/linear time/)]);
      }
    });

    it('fails a call given such a pattern from a variable', () => {
      const expr = compile('= matches(name, pattern)');
      expect(expr.evaluate({ name: 'aa', pattern: '(a)\\1' })).toEqual({
        ok: false,
        message: expect.stringMatching(/expects a valid pattern \(RE2 syntax/),
      });
      expect(expr.evaluate({ name: 'abc', pattern: '^[a-z]+$' })).toEqual({ ok: true, value: true });
    });

    it('keeps the JavaScript pattern syntax, flags and replacements models use', () => {
      const cases: [string, Record<string, unknown>, unknown][] = [
        ['= matches(s, "^[\\\\u4e00-\\\\u9fa5]+$")', { s: '珠海' }, true],
        ['= matches(s, "^\\\\p{Script=Han}{2}$")', { s: '珠海' }, true],
        ['= matches(s, "^\\\\u{1F600}$")', { s: '😀' }, true],
        ['= matches(s, "^abc$", "i")', { s: 'ABC' }, true],
        ['= matches(s, "^b$", "m")', { s: 'a\nb' }, true],
        ['= matches(s, "a.b", "s")', { s: 'a\nb' }, true],
        ['= matches(s, "a.b")', { s: 'a\nb' }, false],
        ['= replace(s, "(?<y>\\\\d{4})-(\\\\d{2})", "$2/$<y>")', { s: '2026-03' }, '03/2026'],
        ['= replace(s, "a", "[$0]")', { s: 'banana' }, 'b[a]n[a]n[a]'],
        ['= split(s, ";")', { s: 'a;b;;' }, ['a', 'b', '', '']],
        ['= split(s, "\\\\s+")', { s: 'John  Doe' }, ['John', 'Doe']],
      ];
      for (const [source, context, value] of cases) {
        expect([source, compile(source).evaluate(context)]).toEqual([source, { ok: true, value }]);
      }
    });
  });
});
