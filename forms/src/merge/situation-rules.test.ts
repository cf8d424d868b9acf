/**
 * What the example bundles' situation rules do in the merge: refuseWhen stops an application the
 * bundle cannot take, naming the answer; commitmentWhen withdraws 告知承诺 where the rules forbid it.
 */
import { readExampleBundle } from '../bundle/examples.js';
import { loadBundle } from '../bundle/load.js';
import { samples } from '../testing/samples.js';
import { mergeBundle } from './merge.js';

const situation = (code: string) => (samples[code] as { situation: Record<string, unknown> }).situation;
const merged = (code: string, answers: Record<string, unknown>) =>
  mergeBundle(readExampleBundle(code), { ...situation(code), ...answers });
const commitment = (code: string, answers: Record<string, unknown>, material: string) =>
  merged(code, answers).materials.find((m) => m.id === material)!.commitment;

describe('refuseWhen: situations a bundle cannot be applied for', () => {
  it('a restaurant in a residential building is refused, naming the question and the answer', () => {
    const r = merged('restaurant', { buildingType: 'residential' });
    expect(r.problems).toEqual([
      {
        code: 'refused',
        field: 'answers',
        message: {
          zh: '住宅楼内不得开办产生油烟的餐饮店，本事项包不能申请；请另选经营场所（所在建筑类型：住宅楼）',
          en: 'A restaurant cannot open in a residential building (cooking fumes are not allowed there), so this bundle cannot be applied for; choose other premises (Kind of building: Residential building)',
        },
        answers: [
          expect.objectContaining({
            question: 'buildingType',
            answer: { zh: '住宅楼', en: 'Residential building' },
          }),
        ],
      },
    ]);
    expect(merged('restaurant', { buildingType: 'mall' }).problems).toEqual([]);
  });

  it('a foreign investor routes out of business start-up; twins are one application per baby', () => {
    const foreign = merged('business-startup', { foreignInvestor: true }).problems;
    expect(foreign.map((p) => [p.code, p.answers.map((a) => a.question)])).toEqual([
      ['refused', ['foreignInvestor']],
    ]);
    expect(foreign[0]!.message.en).toContain('registers as a foreign-invested enterprise');
    expect(merged('business-startup', { foreignInvestor: false }).problems).toEqual([]);
    const twins = merged('newborn', { babyCount: 2 }).problems;
    expect(twins.map((p) => p.code)).toEqual(['refused']);
    expect(twins[0]!.message.zh).toMatch(/^双胞胎或多胞胎请每个婴儿分别申请一次.*（新生儿数量：2）$/);
    expect(merged('newborn', { babyCount: 1 }).problems).toEqual([]);
  });

  it('is checked at load: a condition must read situation questions', () => {
    const b = structuredClone(readExampleBundle('restaurant'));
    b.refuseWhen = [{ condition: 'floorCount > 30', message: { zh: '太高', en: 'too high' } }];
    expect(() => loadBundle(b)).toThrow(
      /refuseWhen 1: condition reads "floorCount", which is not a situation question/,
    );
  });
});

describe('commitmentWhen: 告知承诺 only in the situations the rules allow', () => {
  it('restaurant: no commitment for health certificates or food safety rules with cold or raw food', () => {
    for (const material of ['healthCertificates', 'foodSafetyRules']) {
      expect(commitment('restaurant', { foodCategories: ['hotMeals'] }, material)).toBe(true);
      expect(commitment('restaurant', { foodCategories: ['hotMeals', 'rawFood'] }, material)).toBe(false);
      expect(commitment('restaurant', { foodCategories: ['coldFood'] }, material)).toBe(false);
    }
  });

  it('utility connection: property proof on commitment for small users only', () => {
    const small = { utilities: ['electricity', 'water'], powerKw: 100 };
    expect(commitment('utility-connection', small, 'propertyProof')).toBe(true);
    expect(commitment('utility-connection', { ...small, powerKw: 400 }, 'propertyProof')).toBe(false);
    const gas = { utilities: ['gas'] };
    expect(commitment('utility-connection', { ...gas, gasUse: 'residential' }, 'propertyProof')).toBe(true);
    expect(commitment('utility-connection', { ...gas, gasUse: 'commercial' }, 'propertyProof')).toBe(false);
  });

  it('is checked at load: FEEL over questions, and only on a material that takes a commitment', () => {
    const b = structuredClone(readExampleBundle('restaurant'));
    b.materials.find((m) => m.id === 'floorPlan')!.commitmentWhen = 'sewer';
    b.materials.find((m) => m.id === 'drainagePlan')!.commitmentWhen =
      'list contains(foodCategories, "sushi")';
    expect(() => loadBundle(b)).toThrow(/material "floorPlan": commitmentWhen limits a commitment/);
    expect(() => loadBundle(b)).toThrow(
      /material "drainagePlan" commitmentWhen: condition .*"sushi" is not an option of "foodCategories"/,
    );
  });
});
