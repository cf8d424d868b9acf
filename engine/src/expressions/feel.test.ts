import { evaluate as feelinEvaluate } from 'feelin';
import { compile, constant, expressionOrLiteral, feelBody } from './feel.js';

describe('FEEL expressions', () => {
  it('compiles a source once and reuses it', () => {
    expect(compile('= a + 1')).toBe(compile('= a + 1'));
  });

  it('evaluates against different contexts with one compiled tree', () => {
    const expr = compile('= amount > 100 and kind = "A"');
    expect(expr.evaluate({ amount: 200, kind: 'A' })).toEqual({ ok: true, value: true });
    expect(expr.evaluate({ amount: 20, kind: 'A' })).toEqual({ ok: true, value: false });
    expect(expr.evaluate({ amount: 200, kind: 'B' })).toEqual({ ok: true, value: false });
  });

  it('reports a syntax error at compile time and never evaluates it', () => {
    const expr = compile('= a >');
    expect(expr.syntaxError).toMatch(/./);
    expect(expr.evaluate({ a: 1 }).ok).toBe(false);
  });

  it('turns a failing function call into a failure, not a crash', () => {
    expect(compile('= nosuchfunction(1)').evaluate({}).ok).toBe(false);
    expect(compile('= substring("abc", 1, 2)').evaluate({})).toEqual({ ok: true, value: 'ab' });
  });

  it('warnings of one evaluation do not leak into the next', () => {
    const expr = compile('= if x > 1 then "big" else "small"');
    expect(expr.evaluate({})).toEqual({ ok: true, value: 'small' });
    expect(expr.evaluate({ x: 5 })).toEqual({ ok: true, value: 'big' });
  });

  it('reads bare variable names directly, missing ones as null', () => {
    expect(compile('= applicants').evaluate({ applicants: [1, 2] })).toEqual({ ok: true, value: [1, 2] });
    expect(compile('missing').evaluate({})).toEqual({ ok: true, value: null });
  });

  it("reads a bare name only from the context's own keys: never Object's members", () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect([name, compile(`= ${name}`).evaluate({ x: 1 })]).toEqual([name, { ok: true, value: null }]);
    }
    expect(compile('= constructor').evaluate({ constructor: 'own' })).toEqual({ ok: true, value: 'own' });
    expect(compile('= toString').evaluate(JSON.parse('{"toString": 3}'))).toEqual({ ok: true, value: 3 });
  });

  it('calls matches, replace and split as before with a pattern that cannot backtrack without end', () => {
    expect(compile('= matches(id, "^\\d{17}[\\dXx]$")').evaluate({ id: '11010119900307123X' })).toEqual({
      ok: true,
      value: true,
    });
    expect(
      compile('= matches(m, p)').evaluate({ m: 'a@b.gov.cn', p: '^[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+$' }),
    ).toEqual({
      ok: true,
      value: true,
    });
    expect(compile('= replace(s, "-", "")').evaluate({ s: '1-2-3' })).toEqual({ ok: true, value: '123' });
    expect(compile('= split(s, ",")').evaluate({ s: 'a,b' })).toEqual({ ok: true, value: ['a', 'b'] });
  });

  it('returns plain JSON for temporal values and nested contexts', () => {
    expect(compile('= date("2026-01-02")').evaluate({})).toEqual({ ok: true, value: '2026-01-02' });
    expect(compile('= {a: 1, b: [x, 2]}').evaluate({ x: 1 })).toEqual({
      ok: true,
      value: { a: 1, b: [1, 2] },
    });
  });

  // feelin (patched) converts a context only where something inside converts; plain data is shared.
  it('converts dates nested in lists and contexts, and leaves plain variables untouched', () => {
    const when = new Date('2026-03-04T05:06:07Z');
    const items = [
      { code: 'a', n: 1 },
      { code: 'b', at: when },
    ];
    const before = JSON.stringify(items);
    expect(compile('= items[2].at < date and time("2027-01-01T00:00:00Z")').evaluate({ items })).toEqual({
      ok: true,
      value: true,
    });
    expect(compile('= items[code = "a"][1]').evaluate({ items })).toEqual({
      ok: true,
      value: { code: 'a', n: 1 },
    });
    const found = compile('= items[1]').evaluate({ items, other: 1 });
    expect(found).toEqual({ ok: true, value: { code: 'a', n: 1 } });
    expect(found.ok && found.value).not.toBe(items[0]); // results are copies, never the variable itself
    expect(JSON.stringify(items)).toBe(before);
    expect(items[1]!.at).toBe(when);
    expect(feelinEvaluate('x.y = 2', { x: { y: 2 } }).value).toBe(true);
  });

  it('gives an expression every variable it reads, however many others the instance holds', () => {
    const context: Record<string, unknown> = {
      limit: 10,
      items: [4, 12],
      applicant: { address: { city: '珠海' } },
    };
    for (let i = 0; i < 200; i++) context[`field${i}`] = { value: i, list: [i] };
    expect(compile('= some x in items satisfies x > limit').evaluate(context)).toEqual({
      ok: true,
      value: true,
    });
    expect(compile('= count(items) + limit').evaluate(context)).toEqual({ ok: true, value: 12 });
    expect(compile('= applicant.address.city = "珠海"').evaluate(context)).toEqual({ ok: true, value: true });
    expect(compile('= field150.list[1] + field7.value').evaluate(context)).toEqual({ ok: true, value: 157 });
    expect(compile('= absent = null and limit = 10').evaluate(context)).toEqual({ ok: true, value: true });
    expect(compile('= {limit: 1}.limit + limit').evaluate(context)).toEqual({ ok: true, value: 11 });
  });

  it('calls built-in functions as feelin does, unless a variable of the same name shadows them', () => {
    const many: Record<string, unknown> = { items: ['a', 'b'] };
    for (let i = 0; i < 50; i++) many[`field${i}`] = i;
    const contexts: Record<string, unknown>[] = [
      many,
      { items: ['a'], 'list  contains': 'not a function' },
      { items: ['a'], count: 'shadowed' },
      { items: ['a'], ' count ': 7 },
    ];
    for (const source of [
      'list contains(items, "a")',
      'count(items) + 1',
      'count(items) > 0 and list contains(items, "b")',
      'if count(items) > 0 then count else null', // read as a value too: the built-in itself
    ]) {
      for (const context of contexts) {
        const ours = compile(`= ${source}`).evaluate(context);
        const { value, warnings } = feelinEvaluate(source, context);
        expect(ours.ok).toBe(!warnings.some((w) => w.type === 'NO_FUNCTION_FOUND'));
        if (ours.ok) expect(ours.value).toEqual(value);
      }
    }
    expect(compile('= list contains(items, "b")').evaluate(many)).toEqual({ ok: true, value: true });
  });

  it('treats "=" as the FEEL marker and anything else in timers as a literal', () => {
    expect(feelBody(' = a ')).toBe('a');
    expect(expressionOrLiteral('PT1H').evaluate({})).toEqual({ ok: true, value: 'PT1H' });
    expect(expressionOrLiteral('= "P" + string(n) + "D"').evaluate({ n: 2 })).toEqual({
      ok: true,
      value: 'P2D',
    });
    expect(constant('x').syntaxError).toBeNull();
  });
});
