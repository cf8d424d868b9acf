import { copyOwned, deepCopy, jsonCopy } from './copy.js';

const sample = () => ({
  name: '张三',
  n: 3,
  flag: true,
  none: null,
  list: [1, { deep: ['x', { deeper: 2 }] }],
  nested: { a: { b: { c: 'd' } } },
});

describe.each([
  ['deepCopy', deepCopy],
  ['copyOwned', copyOwned],
])('%s', (_name, copy) => {
  test('gives an equal value that shares no object with the original', () => {
    const original = sample();
    const copied = copy(original);
    expect(copied).toEqual(original);
    copied.nested.a.b.c = 'changed';
    (copied.list[1] as { deep: unknown[] }).deep.push('more');
    expect(original).toEqual(sample());
  });

  test('a member named __proto__ (as JSON gives it) stays a member, not the prototype', () => {
    const original = JSON.parse('{"answers":{"__proto__":{"polluted":1},"kept":2}}') as {
      answers: Record<string, unknown>;
    };
    const copied = copy(original);
    expect(Object.hasOwn(copied.answers, '__proto__')).toBe(true);
    expect(copied.answers['polluted']).toBeUndefined();
    expect(JSON.stringify(copied)).toBe(JSON.stringify(original));
  });

  test('primitives come back as they are', () => {
    for (const value of [1, 'x', null, undefined, true]) expect(copy(value)).toBe(value);
  });
});

test('deepCopy leaves what is not plain data to structuredClone: dates, maps, cycles', () => {
  const when = new Date(Date.UTC(2026, 11, 6));
  const cyclic: Record<string, unknown> = { when, tags: new Map([['k', 1]]) };
  cyclic.self = cyclic;
  const copied = deepCopy(cyclic);
  // structuredClone answers with the host realm's Date under jest's VM: compare by tag, not instanceof.
  expect(Object.prototype.toString.call(copied.when)).toBe('[object Date]');
  expect(copied.when).not.toBe(when);
  expect((copied.when as Date).getTime()).toBe(when.getTime());
  expect((copied.tags as Map<string, number>).get('k')).toBe(1);
  expect(copied.self).toBe(copied);
});

describe('jsonCopy', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  const tricky: [string, unknown][] = [
    ['plain data', { name: '张三', list: [1, 'a', null, { deep: [true] }] }],
    ['a Date, alone and inside', { at: new Date(0), list: [new Date(86_400_000)] }],
    ['NaN, Infinity and -0', { n: NaN, big: Infinity, small: -Infinity, zero: -0, list: [NaN, -0] }],
    [
      'undefined, functions and symbols',
      { u: undefined, f: () => 1, s: Symbol('x'), list: [undefined, () => 1] },
    ],
    ['a toJSON of its own', { amount: { toJSON: () => '12.50 CNY' } }],
    ['a Map, a Set and a class', { map: new Map([['a', 1]]), set: new Set([1]), point: new Point(1, 2) }],
    ['a member named __proto__', JSON.parse('{"answers":{"__proto__":{"polluted":1},"kept":2}}')],
    ['deep nesting', JSON.parse('['.repeat(100) + ']'.repeat(100))],
    ['a Date on its own', new Date(0)],
    ['NaN on its own', NaN],
  ];
  test.each(tricky)('%s: as JSON.parse(JSON.stringify(…)) gives it', (_what, value) => {
    expect(jsonCopy(value)).toEqual(JSON.parse(JSON.stringify(value)));
  });

  test('undefined, a function or a symbol on its own is left out (undefined), as JSON leaves it', () => {
    expect(jsonCopy(undefined)).toBeUndefined();
    expect(jsonCopy(() => 1)).toBeUndefined();
    expect(jsonCopy(Symbol('x'))).toBeUndefined();
  });

  test('what JSON cannot hold is refused as JSON.stringify refuses it', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => jsonCopy({ cycle })).toThrow(TypeError);
    expect(() => jsonCopy({ n: 10n })).toThrow(TypeError);
  });

  test('shares no object with the original', () => {
    const original = { nested: { list: [{ a: 1 }] } };
    const copied = jsonCopy(original) as typeof original;
    copied.nested.list[0]!.a = 2;
    expect(original.nested.list[0]!.a).toBe(1);
  });
});
