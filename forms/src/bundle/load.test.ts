import { exampleCodes, readExampleBundle } from './examples.js';
import { BundleError, loadBundle } from './load.js';

describe('bundle.json loading', () => {
  it('loads the five example bundles', () => {
    expect(exampleCodes()).toEqual([
      'business-startup',
      'flexible-employment',
      'newborn',
      'restaurant',
      'utility-connection',
    ]);
    for (const code of exampleCodes()) {
      const b = readExampleBundle(code);
      expect(b.code).toBe(code);
      for (const i of b.items) expect(i.code).toMatch(/^[a-z][a-z0-9-]*$/);
    }
  });

  it('refuses a bad shape with the JSON path', () => {
    expect(() => loadBundle({ code: 'x' })).toThrow(BundleError);
    expect(() => loadBundle({ ...readExampleBundle('newborn'), promisedDays: -1 })).toThrow(/\/promisedDays/);
  });

  it('reports every broken reference and condition at once', () => {
    const b = structuredClone(readExampleBundle('newborn'));
    b.leadDepartment = 'nobody';
    b.items[0]!.department = 'ghost';
    b.items[0]!.fields.push({ field: 'favouriteColour' });
    b.items[0]!.materials.push({ material: 'passportPhoto' });
    b.items[1]!.condition = 'wantsPony = true';
    b.items[2]!.condition = 'hukouInCity and';
    b.items[3]!.after = ['time-machine'];
    b.items[4]!.fields[0]!.condition = 'count(babyCount) > 1';
    b.items[0]!.issues = { eLicenceType: 'birth-certificate', fields: ['babyName', 'householderName'] };
    b.items.push(structuredClone(b.items[0]!));
    try {
      loadBundle(b);
      throw new Error('expected a BundleError');
    } catch (e) {
      const problems = (e as BundleError).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          'item "birth-certificate" is defined twice',
          'lead department "nobody" is not in departments',
          'item "birth-certificate": department "ghost" is not in departments',
          'item "birth-certificate": field "favouriteColour" is not in the field library',
          'item "birth-certificate": material "passportPhoto" is not in materials',
          'item "vaccination-certificate": condition reads "wantsPony", which is not a situation question',
          'item "medical-enrolment": after "time-machine" is not an item',
          'item "birth-certificate": issued licence carries "householderName", which the item does not declare',
        ]),
      );
      expect(problems.some((p) => p.startsWith('item "birth-registration": syntax error'))).toBe(true);
      expect(
        problems.some((p) => p.includes('"count(babyCount)"') && p.includes('cannot be shown in the form')),
      ).toBe(true);
    }
  });
});
