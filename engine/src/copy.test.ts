import { copyOwned, deepCopy } from './copy.js';

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
