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

  it('checks what a condition compares each question with, naming where (en / zh)', () => {
    const b = structuredClone(readExampleBundle('business-startup'));
    const [registration, seals, tax, social, medical, fund, bank] = b.items;
    registration!.fields.find((f) => f.field === 'officers')!.condition = 'entityType = "LLC"';
    fund!.condition = 'hiring = "yes"';
    seals!.condition = 'sealTypes = "official"';
    bank!.condition = 'entityType';
    tax!.fields.find((f) => f.field === 'investors')!.condition = 'list contains(entityType, "llc")';
    social!.condition = 'invoices < 2';
    medical!.condition = '(sealTypes in ["official"]) or (invoices in ["ordinary", "paper"])';
    registration!.materials.find((m) => m.material === 'premisesProof')!.condition =
      'list contains(sealTypes, "round")';
    let problems: string[] = [];
    try {
      loadBundle(b);
    } catch (e) {
      problems = (e as BundleError).problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        'item "enterprise-registration" field "officers": condition "entityType = "LLC"": "LLC" is not an option of "entityType" (options: "llc", "soleProprietorship", "partnership", "individualBusiness") / 条件“entityType = "LLC"”中，"LLC"不是“entityType”的选项（可选：llc、soleProprietorship、partnership、individualBusiness）',
        'item "housing-fund-account": condition "hiring = "yes"": "hiring" is a yes/no question: compare it with true or false, not "yes" / 条件“hiring = "yes"”中，“hiring”是是非题，只能与 true 或 false 比较，不能与 "yes" 比较',
        'item "seal-filing": condition "sealTypes = "official"": "sealTypes" is a multi-choice question (its answer is a list), so "=" compares the whole list, never one option: use list contains(sealTypes, "official") / 条件“sealTypes = "official"”中，“sealTypes”是多选题（答案是列表），“=”比较的是整个列表而不是单个选项，请改用 list contains(sealTypes, "official")',
        'item "enterprise-registration" material "premisesProof": condition "list contains(sealTypes, "round")": "round" is not an option of "sealTypes" (options: "official", "finance", "invoice", "contract", "legalRepName") / 条件“list contains(sealTypes, "round")”中，"round"不是“sealTypes”的选项（可选：official、finance、invoice、contract、legalRepName）',
      ]),
    );
    const about = (where: string) => problems.filter((p) => p.startsWith(where));
    expect(about('item "bank-appointment": ')).toEqual([
      expect.stringMatching(
        /"entityType" is a single-choice question, not yes\/no: on its own it is never true \/ .*单选题/,
      ),
    ]);
    expect(about('item "new-taxpayer" field "investors": ')).toEqual([
      expect.stringMatching(
        /list contains needs a multi-choice question, but "entityType" is a single-choice question \/ /,
      ),
    ]);
    expect(about('item "employer-social-insurance": ')).toEqual([
      expect.stringMatching(/"<" compares numbers, but "invoices" is a single-choice question \/ /),
    ]);
    expect(about('item "employer-medical-insurance": ')).toEqual([
      expect.stringMatching(
        /"sealTypes" is a multi-choice question .* "in" compares the whole list.*list contains\(sealTypes, "official"\)/,
      ),
      expect.stringMatching(/"paper" is not an option of "invoices"/),
    ]);
    expect(problems).toHaveLength(9);
  });

  it('refuses a material listed twice in one item (en / zh)', () => {
    const b = structuredClone(readExampleBundle('business-startup'));
    b.items[0]!.materials.push({ material: 'registrationApplication' });
    expect(() => loadBundle(b)).toThrow(
      'item "enterprise-registration": material "registrationApplication" listed twice / 事项“enterprise-registration”中材料“registrationApplication”重复列出',
    );
  });
});
