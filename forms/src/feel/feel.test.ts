import { Ajv } from 'ajv';
import { holds, inspectCondition } from './condition.js';
import { conditionToSchema, UnsupportedConditionError } from './to-schema.js';

const conditions = [
  'entityType = "llc"',
  'entityType != "llc"',
  'hiring',
  'not(hiring)',
  'hiring = false',
  'babyCount >= 2',
  'powerKw > 160',
  'powerKw <= 160 and projectType = "existing"',
  'list contains(sealTypes, "official")',
  'not(list contains(sealTypes, "official"))',
  'entityType in ["llc", "partnership"]',
  'not(entityType = "llc") or babyCount < 1',
  '(hiring or entityType = "individualBusiness") and not(babyCount > 3)',
  'true',
];

/** Every combination of a few values, including "unanswered", to compare feelin with ajv. */
function* answerSets(): Generator<Record<string, unknown>> {
  const choices: Record<string, unknown[]> = {
    entityType: [undefined, 'llc', 'partnership', 'individualBusiness'],
    hiring: [undefined, true, false],
    babyCount: [undefined, 0, 2, 4],
    sealTypes: [undefined, [], ['official'], ['finance', 'official']],
    powerKw: [undefined, 100, 160, 400],
    projectType: [undefined, 'existing'],
  };
  const keys = Object.keys(choices);
  const walk = function* (i: number, acc: Record<string, unknown>): Generator<Record<string, unknown>> {
    if (i === keys.length) return yield { ...acc };
    for (const v of choices[keys[i]!]!) {
      const next = { ...acc };
      if (v !== undefined) next[keys[i]!] = v;
      yield* walk(i + 1, next);
    }
  };
  yield* walk(0, {});
}

describe('FEEL conditions', () => {
  it('evaluates with feelin; unanswered counts as not applying', () => {
    expect(holds('entityType = "llc"', { entityType: 'llc' })).toBe(true);
    expect(holds('hiring', {})).toBe(false);
    expect(holds('not(hiring)', {})).toBe(false);
    expect(holds(undefined, {})).toBe(true);
  });

  it('sees only the questions a condition reads: other answer keys change nothing', () => {
    expect(holds('not(hiring)', { hiring: false, not: 1 })).toBe(true);
    expect(holds('not(hiring)', { hiring: false, not: true })).toBe(true);
    expect(
      holds('list contains(sealTypes, "official")', { sealTypes: ['official'], 'list contains': false }),
    ).toBe(true);
    expect(holds('hiring', { 'hiring ': true })).toBe(false);
    expect(holds('hiring', { ' hiring': true, hiring: false })).toBe(false);
    expect(holds('hiring', JSON.parse('{"__proto__": {"hiring": true}}') as Record<string, unknown>)).toBe(
      false,
    );
    // An unanswered question is null, never a FEEL built-in of the same name.
    expect(holds('now = null', {})).toBe(true);
  });

  it('reports syntax errors and the variables a condition reads', () => {
    expect(inspectCondition('a = 1 and list contains(b, "x")')).toEqual({ variables: ['a', 'b'] });
    expect(inspectCondition('hiring and').error).toMatch(/syntax error/);
  });

  it('translates to a JSON Schema that agrees with feelin on every answer set', () => {
    const ajv = new Ajv({ strict: false });
    let compared = 0;
    for (const c of conditions) {
      const check = ajv.compile(conditionToSchema(c));
      for (const answers of answerSets()) {
        expect([c, answers, check(answers)]).toEqual([c, answers, holds(c, answers)]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10000);
  });

  it('refuses conditions the form cannot show, naming the part', () => {
    expect(() => conditionToSchema('count(sealTypes) > 1')).toThrow(UnsupportedConditionError);
    expect(() => conditionToSchema('a + 1 > 2')).toThrow(/"a \+ 1"/);
    expect(() => conditionToSchema('a > "x"')).toThrow(UnsupportedConditionError);
  });
});
