import { combineConstraints, MergeConflictError } from './constraints.js';

const lib = {
  source: 'field library',
  // Every value satisfies the other keywords: a field whose allowed values all break them is refused.
  schema: { type: 'string' as const, minLength: 2, maxLength: 50, enum: ['abc', 'bbb', 'ccc'] },
};

describe('combineConstraints: the stricter wins', () => {
  it('keeps the smallest maximum, the largest minimum and the enum intersection', () => {
    const out = combineConstraints('f', [
      lib,
      { source: 'x', schema: { maxLength: 30, enum: ['bbb', 'ccc', 'ddd'] } },
      { source: 'y', schema: { minLength: 3, maxLength: 40, enum: ['ccc', 'bbb'] } },
    ]);
    expect(out).toEqual({ type: 'string', minLength: 3, maxLength: 30, enum: ['bbb', 'ccc'] });
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

  it('refuses allowed values that the other constraints leave impossible, naming both sources', () => {
    const run = () =>
      combineConstraints('pipeDn', [
        { source: 'field library', schema: { type: 'string', enum: ['DN20', 'DN25', 'DN100'] } },
        { source: 'item-a', schema: { enum: ['DN100'] } },
        { source: 'item-b', schema: { maxLength: 4 } },
      ]);
    expect(run).toThrow(MergeConflictError);
    expect(run).toThrow(
      'field "pipeDn": none of the allowed values ["DN100"] satisfies maxLength 4 (items "item-a" and "item-b")',
    );
    expect(() => combineConstraints('f', [lib, { source: 'x', schema: { pattern: '^z' } }])).toThrow(
      /none of the allowed values \["abc","bbb","ccc"\] satisfies pattern "\^z" \(items "field library" and "x"\)/,
    );
    expect(() => combineConstraints('f', [lib, { source: 'x', schema: { minLength: 4 } }])).toThrow(
      /satisfies minLength 4/,
    );
    const sizes = { source: 'field library', schema: { type: 'number' as const, enum: [10, 20, 25] } };
    expect(() => combineConstraints('n', [sizes, { source: 'x', schema: { minimum: 30 } }])).toThrow(
      /satisfies minimum 30/,
    );
    expect(() => combineConstraints('n', [sizes, { source: 'x', schema: { multipleOf: 7 } }])).toThrow(
      /satisfies multipleOf 7/,
    );
    expect(() => combineConstraints('f', [lib, { source: 'x', schema: { const: 'z' } }])).toThrow(
      /satisfies const "z"/,
    );
    expect(() =>
      combineConstraints('f', [
        { source: 'field library', schema: { type: 'string', const: 'DN100' } },
        { source: 'x', schema: { maxLength: 4 } },
      ]),
    ).toThrow(/none of the allowed values \["DN100"\] satisfies maxLength 4/);
    // Some value left: no conflict (the form keeps both rules).
    expect(
      combineConstraints('pipeDn', [
        { source: 'field library', schema: { type: 'string', enum: ['DN20', 'DN100'] } },
        { source: 'item-b', schema: { maxLength: 4, pattern: '^DN' } },
      ]),
    ).toEqual({ type: 'string', enum: ['DN20', 'DN100'], maxLength: 4, pattern: '^DN' });
    expect(() =>
      combineConstraints('n', [sizes, { source: 'x', schema: { minimum: 20, multipleOf: 5 } }]),
    ).not.toThrow();
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
