import { combineConstraints, MergeConflictError } from './constraints.js';

const lib = {
  source: 'field library',
  schema: { type: 'string' as const, minLength: 2, maxLength: 50, enum: ['a', 'b', 'c'] },
};

describe('combineConstraints: the stricter wins', () => {
  it('keeps the smallest maximum, the largest minimum and the enum intersection', () => {
    const out = combineConstraints('f', [
      lib,
      { source: 'x', schema: { maxLength: 30, enum: ['b', 'c', 'd'] } },
      { source: 'y', schema: { minLength: 3, maxLength: 40, enum: ['c', 'b'] } },
    ]);
    expect(out).toEqual({ type: 'string', minLength: 3, maxLength: 30, enum: ['b', 'c'] });
  });

  it('requires every pattern when items bring different ones', () => {
    const out = combineConstraints('f', [
      lib,
      { source: 'x', schema: { pattern: '^a' } },
      { source: 'y', schema: { pattern: 'c$' } },
      { source: 'z', schema: { pattern: '^a' } },
    ]);
    expect(out.allOf).toEqual([{ pattern: '^a' }, { pattern: 'c$' }]);
    expect(out.pattern).toBeUndefined();
  });

  it('names both sources of a contradiction', () => {
    const run = () =>
      combineConstraints('f', [
        lib,
        { source: 'x', schema: { minLength: 10 } },
        { source: 'y', schema: { maxLength: 5 } },
      ]);
    expect(run).toThrow(MergeConflictError);
    expect(run).toThrow('field "f": minLength 10 contradicts maxLength 5 (items "x" and "y")');
    const numbers = { source: 'field library', schema: { type: 'number' as const } };
    expect(() =>
      combineConstraints('n', [
        numbers,
        { source: 'x', schema: { exclusiveMinimum: 5 } },
        { source: 'y', schema: { maximum: 5 } },
      ]),
    ).toThrow(/"x" and "y"/);
    expect(() =>
      combineConstraints('n', [
        numbers,
        { source: 'x', schema: { minimum: 5 } },
        { source: 'y', schema: { maximum: 5 } },
      ]),
    ).not.toThrow();
    expect(() => combineConstraints('f', [lib, { source: 'x', schema: { enum: ['z'] } }])).toThrow(
      /nothing in common \(items "field library" and "x"\)/,
    );
    expect(() => combineConstraints('f', [lib, { source: 'x', schema: { type: 'number' } }])).toThrow(
      /"type"/,
    );
  });

  it('refuses structural overrides and unknown keywords', () => {
    expect(() => combineConstraints('f', [lib, { source: 'x', schema: { properties: {} } }])).toThrow(
      /may not override "properties"/,
    );
    expect(() => combineConstraints('f', [lib, { source: 'x', schema: { contentMediaType: 'x' } }])).toThrow(
      /not supported/,
    );
  });
});
