import { createAjv, isVisible, type UISchemaElement } from '@jsonforms/core';
import { readExampleBundle } from '../bundle/examples.js';
import type { BundleDefinition } from '../bundle/index.js';
import { samples } from '../testing/samples.js';
import { validateForm } from '../validate/index.js';
import { dropHiddenValues, initialData } from './data.js';
import { compileForm, mergeBundle, type MergeResult } from './merge.js';

const ids = (r: MergeResult) => r.fields.map((f) => f.id).sort();
const itemCodes = (r: MergeResult) => r.items.map((i) => i.code);
const material = (r: MergeResult, id: string) => r.materials.find((m) => m.id === id);
const field = (r: MergeResult, id: string) => r.fields.find((f) => f.id === id);

function expectEachOnce(r: MergeResult) {
  expect(new Set(r.fields.map((f) => f.id)).size).toBe(r.fields.length);
  expect(new Set(r.materials.map((m) => m.id)).size).toBe(r.materials.length);
  expect(Object.keys(r.schema.properties!).length).toBe(r.form.fields.length + 1);
}

describe('merge: business-startup (企业开办)', () => {
  const bundle = readExampleBundle('business-startup');

  it('LLC, leased, seals, ordinary invoices, hiring, bank: all seven items, each field and material once', () => {
    const r = mergeBundle(bundle, {
      entityType: 'llc',
      premises: 'leased',
      sealTypes: ['official', 'finance'],
      invoices: 'ordinary',
      hiring: true,
      bankAppointment: true,
    });
    expectEachOnce(r);
    expect(itemCodes(r)).toEqual([
      'enterprise-registration',
      'seal-filing',
      'new-taxpayer',
      'employer-social-insurance',
      'employer-medical-insurance',
      'housing-fund-account',
      'bank-appointment',
    ]);
    expect(ids(r)).toEqual(
      [
        'address',
        'bankBranch',
        'bankDate',
        'businessScope',
        'companyName',
        'email',
        'enterpriseType',
        'expectedStaff',
        'financeOfficer',
        'fundRate',
        'hrContact',
        'investors',
        'invoiceTypes',
        'legalRepIdNumber',
        'legalRepIdType',
        'legalRepMobile',
        'legalRepName',
        'officers',
        'regionCode',
        'registeredCapital',
        'sealMaker',
        'taxHandler',
      ].sort(),
    );
    expect(field(r, 'companyName')!.items).toHaveLength(7);
    expect(field(r, 'hrContact')).toMatchObject({
      required: true,
      items: ['employer-social-insurance', 'employer-medical-insurance', 'housing-fund-account'],
    });
    expect(field(r, 'email')!.required).toBe(false);
    expect(material(r, 'businessLicence')).toMatchObject({
      items: [
        'seal-filing',
        'new-taxpayer',
        'employer-social-insurance',
        'employer-medical-insurance',
        'housing-fund-account',
        'bank-appointment',
      ],
      eLicenceType: 'business-licence',
      required: true,
    });
    expect(material(r, 'identityProof')).toMatchObject({
      form: 'original',
      items: ['enterprise-registration', 'new-taxpayer'],
    });
    expect(material(r, 'premisesProof')).toMatchObject({
      commitment: true,
      deferrable: false,
      eLicenceType: 'property-certificate',
    });
    expect(material(r, 'clusterConsent')).toBeUndefined();
    expect(material(r, 'articlesOfAssociation')).toBeDefined();
  });

  it('individual business, cluster address, no seals, no invoices, no hiring: fewer items, fields and materials', () => {
    const r = mergeBundle(bundle, {
      entityType: 'individualBusiness',
      premises: 'cluster',
      sealTypes: [],
      invoices: 'none',
      hiring: false,
      bankAppointment: false,
    });
    expectEachOnce(r);
    expect(itemCodes(r)).toEqual([
      'enterprise-registration',
      'new-taxpayer',
      'employer-social-insurance',
      'employer-medical-insurance',
    ]);
    for (const gone of [
      'investors',
      'officers',
      'invoiceTypes',
      'hrContact',
      'fundRate',
      'sealMaker',
      'bankBranch',
    ])
      expect(field(r, gone)).toBeUndefined();
    expect(material(r, 'clusterConsent')!.items).toEqual(['enterprise-registration']);
    expect(material(r, 'premisesProof')).toBeUndefined();
    expect(material(r, 'articlesOfAssociation')).toBeUndefined();
  });

  it('takes the stricter constraint: registration limits the district, the bank the name length when booked', () => {
    const { schema } = compileForm(bundle);
    const props = schema.properties as Record<
      string,
      { maxLength?: number; minLength?: number; pattern?: string; format?: string }
    >;
    // Registration always applies: its rule is the field's own. The bank appointment is optional.
    expect(props.companyName).toMatchObject({ minLength: 4, maxLength: 100 });
    expect(props.regionCode).toMatchObject({ pattern: '^4404[0-9]{2}$', format: 'division-code' });
    expect(schema.allOf).toContainEqual({
      if: {
        required: ['situation'],
        properties: {
          situation: {
            type: 'object',
            required: ['bankAppointment'],
            properties: { bankAppointment: { const: true } },
          },
        },
      },
      then: { properties: { companyName: { maxLength: 50 } } },
    });
  });

  it("an item's constraints hold only when the item is in the application", () => {
    const form = compileForm(bundle);
    const sample = samples['business-startup']!;
    const longName = '珠海市横琴粤澳深度合作区' + '某'.repeat(35) + '科技有限公司'; // 53 characters
    const apply = (bankAppointment: boolean) =>
      validateForm(
        form,
        dropHiddenValues(form, {
          ...structuredClone(sample),
          situation: { ...sample.situation, bankAppointment },
          companyName: longName,
        }).data,
      );
    expect(mergeBundle(bundle, { ...sample.situation, bankAppointment: false }).items).not.toContainEqual(
      expect.objectContaining({ code: 'bank-appointment' }),
    );
    expect(apply(false)).toEqual({ valid: true, errors: [] });
    expect(apply(true).errors.map((e) => [e.field, e.keyword, e.message.zh])).toEqual([
      ['companyName', 'maxLength', '企业名称不能超过50个字符'],
    ]);
  });
});

describe('merge: newborn (新生儿出生)', () => {
  const bundle = readExampleBundle('newborn');

  it('city hospital, household in city, married, medical and card by post', () => {
    const r = mergeBundle(bundle, {
      birthPlace: 'cityHospital',
      hukouParent: 'father',
      hukouInCity: true,
      parentsMarried: true,
      babyCount: 1,
      enrolMedical: true,
      wantCard: true,
      cardDelivery: 'post',
    });
    expectEachOnce(r);
    expect(itemCodes(r)).toEqual([
      'birth-certificate',
      'vaccination-certificate',
      'birth-registration',
      'medical-enrolment',
      'social-security-card',
    ]);
    expect(field(r, 'babyName')!.items).toHaveLength(5);
    expect(field(r, 'postalAddress')).toMatchObject({ required: true, items: ['social-security-card'] });
    expect(material(r, 'marriageCertificate')).toMatchObject({ commitment: true, source: 'shared' });
    expect(material(r, 'parentageProof')).toBeUndefined();
    expect(material(r, 'parentsIdentity')!.items).toEqual(['birth-certificate', 'birth-registration']);
    expect(material(r, 'babyPhoto')).toMatchObject({ required: false, deferrable: true });
  });

  it('born out of province, parents not married, card at a bank outlet: no B1, parentage proof, no postal address', () => {
    const r = mergeBundle(bundle, {
      birthPlace: 'outOfProvince',
      hukouParent: 'mother',
      hukouInCity: true,
      parentsMarried: false,
      enrolMedical: false,
      wantCard: true,
      cardDelivery: 'bankOutlet',
    });
    expect(itemCodes(r)).toEqual(['vaccination-certificate', 'birth-registration', 'social-security-card']);
    expect(field(r, 'postalAddress')).toBeUndefined();
    expect(material(r, 'parentageProof')!.items).toEqual(['birth-registration']);
    expect(material(r, 'marriageCertificate')).toBeUndefined();
    expect(material(r, 'parentsIdentity')!.items).toEqual(['birth-registration']);
  });
});

describe('merge: flexible-employment (灵活就业)', () => {
  const bundle = readExampleBundle('flexible-employment');

  it('both insurances, bank deduction, subsidy, transfer: six items; bank account for tax and subsidy once', () => {
    const r = mergeBundle(bundle, {
      employerInsured: false,
      employmentForm: 'platform',
      hukouInCity: false,
      insuredElsewhere: true,
      subsidyGroup: true,
      insurances: 'both',
      payMethod: 'bankDeduction',
    });
    expectEachOnce(r);
    expect(itemCodes(r)).toHaveLength(6);
    expect(field(r, 'bankAccount')!.items).toEqual(['contribution-payment', 'insurance-subsidy']);
    expect(material(r, 'identityProof')!.items).toEqual([
      'flexible-employment-registration',
      'pension-enrolment',
      'medical-enrolment',
    ]);
    expect(material(r, 'residencePermit')).toMatchObject({
      commitment: true,
      eLicenceType: 'residence-permit',
    });
    expect(material(r, 'platformWorkEvidence')).toMatchObject({
      deferrable: true,
      items: ['insurance-subsidy'],
    });
    // Personal card numbers: the payment item narrows the library's account rule when it applies.
    const form = compileForm(bundle);
    const sample = samples['flexible-employment']!;
    const corporate = '123456789012';
    const apply = (payMethod: string) =>
      validateForm(form, {
        ...structuredClone(sample),
        situation: { ...sample.situation, payMethod },
        bankAccount: corporate,
      }).errors.map((e) => [e.field, e.keyword]);
    expect(apply('bankDeduction')).toEqual([['bankAccount', 'minLength']]);
    expect(apply('selfPay')).toEqual([]);
  });

  it('pension only, self-pay, no subsidy: no medical tier, no bank fields', () => {
    const r = mergeBundle(bundle, {
      employerInsured: false,
      employmentForm: 'partTime',
      hukouInCity: true,
      insuredElsewhere: false,
      subsidyGroup: false,
      insurances: 'pensionOnly',
      payMethod: 'selfPay',
    });
    expect(itemCodes(r)).toEqual(['flexible-employment-registration', 'pension-enrolment']);
    expect(ids(r)).not.toEqual(expect.arrayContaining(['medicalTier']));
    expect(field(r, 'bankAccount')).toBeUndefined();
    expect(material(r, 'residencePermit')).toBeUndefined();
  });

  it('insured by an employer: nothing applies, and the merge says why (zh and en)', () => {
    const r = mergeBundle(bundle, { employerInsured: true, insurances: 'both', payMethod: 'bankDeduction' });
    expect(r.items).toEqual([]);
    expect(r.fields).toEqual([]);
    expect(r.materials).toEqual([]);
    expect(r.problems).toHaveLength(1);
    const [problem] = r.problems;
    expect(problem).toMatchObject({ code: 'noApplicableItem', field: 'answers' });
    expect(problem!.message.zh).toBe(
      '按所答情形，“灵活就业”没有可办理的事项，不能申请或受理（目前是否由单位参保：是；参加哪些保险：养老和医疗；' +
        '缴费方式：银行代扣；未回答：是否曾在外省参保、是否为就业困难人员或高校毕业生）',
    );
    expect(problem!.message.en).toBe(
      'No item of "Flexible employment registration" applies to the situation answers, so there is nothing ' +
        'to apply for or accept (Currently insured by an employer: yes; Which insurance: Pension and medical; ' +
        'How to pay: Bank deduction; not answered: Insured before in another province, ' +
        'Person with employment difficulty or recent graduate)',
    );
    expect(problem!.answers.find((a) => a.question === 'employerInsured')).toMatchObject({
      answer: { zh: '是', en: 'yes' },
    });
  });

  it('an answer set with items reports no problem', () => {
    expect(mergeBundle(bundle, { employerInsured: false, insurances: 'pensionOnly' }).problems).toEqual([]);
  });
});

describe('merge: restaurant (开办餐饮店)', () => {
  const bundle = readExampleBundle('restaurant');

  it('new business with sign, sewer and automatic fire systems: premises proof serves three items, commitment only if all allow', () => {
    const r = mergeBundle(bundle, {
      alreadyRegistered: 'no',
      foodCategories: ['hotMeals'],
      sign: 'filing',
      sewer: true,
      automaticFireSystem: true,
      cookingEnergy: 'pipedGas',
    });
    expectEachOnce(r);
    expect(itemCodes(r)).toEqual([
      'business-registration',
      'food-licence',
      'shop-sign',
      'fire-safety',
      'sewer-discharge',
    ]);
    expect(field(r, 'creditCode')).toBeUndefined();
    expect(material(r, 'premisesProof')).toMatchObject({
      items: ['business-registration', 'food-licence', 'fire-safety'],
      commitment: false,
    });
    expect(material(r, 'floorPlan')!.items).toEqual(['food-licence', 'fire-safety']);
    expect(material(r, 'businessLicence')).toBeUndefined();
    expect(material(r, 'fireTestReport')!.items).toEqual(['fire-safety']);
    expect(field(r, 'shopName')!.items).toHaveLength(5);
  });

  it('already registered with catering, no sign, no sewer: credit code asked, licence as e-licence, D1 dropped', () => {
    const r = mergeBundle(bundle, {
      alreadyRegistered: 'yes',
      foodCategories: ['coldFood'],
      sign: 'none',
      sewer: false,
      automaticFireSystem: false,
    });
    expect(itemCodes(r)).toEqual(['food-licence', 'fire-safety']);
    expect(field(r, 'creditCode')).toMatchObject({ required: true, items: ['food-licence', 'fire-safety'] });
    expect(material(r, 'businessLicence')).toMatchObject({
      items: ['food-licence', 'fire-safety'],
      eLicenceType: 'business-licence',
    });
    expect(material(r, 'premisesProof')!.commitment).toBe(false);
    expect(field(r, 'signWidth')).toBeUndefined();
  });
});

describe('merge: utility-connection (水电气网联合报装)', () => {
  const bundle = readExampleBundle('utility-connection');

  it('organisation, new project, all four utilities, high voltage, road with traffic and green land: seven items', () => {
    const r = mergeBundle(bundle, {
      applicantKind: 'organisation',
      projectType: 'new',
      utilities: ['electricity', 'water', 'gas', 'broadband'],
      powerKw: 400,
      gasUse: 'commercial',
      crossesRoad: 'yes',
      affectsTraffic: true,
      greenLand: true,
    });
    expectEachOnce(r);
    expect(itemCodes(r)).toHaveLength(7);
    expect(field(r, 'name')).toBeUndefined();
    expect(field(r, 'companyName')!.items).toEqual([
      'electricity-connection',
      'water-connection',
      'gas-connection',
      'broadband-connection',
      'road-excavation',
    ]);
    expect(material(r, 'planningPermit')!.items).toEqual([
      'electricity-connection',
      'water-connection',
      'gas-connection',
      'road-excavation',
    ]);
    expect(material(r, 'equipmentList')!.items).toEqual(['electricity-connection']);
    expect(material(r, 'sitePlan')).toMatchObject({
      deferrable: true,
      items: ['electricity-connection', 'water-connection', 'gas-connection'],
    });
    expect(field(r, 'gasAppliances')).toBeDefined();
  });

  it('person, existing building, broadband and low-voltage power only, road unknown: no permits, no road items', () => {
    const r = mergeBundle(bundle, {
      applicantKind: 'person',
      projectType: 'existing',
      utilities: ['electricity', 'broadband'],
      powerKw: 20,
      crossesRoad: 'unknown',
    });
    expect(itemCodes(r)).toEqual(['electricity-connection', 'broadband-connection']);
    expect(field(r, 'name')!.items).toEqual(['electricity-connection', 'broadband-connection']);
    expect(field(r, 'projectCode')).toBeUndefined();
    expect(material(r, 'equipmentList')).toBeUndefined();
    expect(material(r, 'propertyProof')).toMatchObject({
      commitment: true,
      items: ['electricity-connection'],
    });
  });
});

describe('merge: document numbers by document type (证件类型)', () => {
  const form = compileForm(readExampleBundle('business-startup'));
  const sample = samples['business-startup']!;
  const problems = (type: string, idNumber: string) =>
    validateForm(form, { ...sample, legalRepIdType: type, legalRepIdNumber: idNumber }).errors.map(
      (e) => e.field,
    );

  it.each([
    ['residentId', '440402199003071232'],
    ['residentId', '11010519491231002x'],
    ['residencePermit', '810000199003071237'],
    ['residencePermit', '820000198511110025'],
    ['residencePermit', '83000020000101123X'],
    ['hkMacaoTravelPermit', 'H12345678'],
    ['hkMacaoTravelPermit', 'M1234567801'],
    ['taiwanTravelPermit', '12345678'],
    ['taiwanTravelPermit', '1234567801'],
    ['passport', 'E12345678'],
    ['passport', 'p1234'],
    ['passport', 'X1234567890123456789'],
  ])('accepts a %s numbered %s', (type, idNumber) => {
    expect(problems(type, idNumber)).toEqual([]);
  });

  it.each([
    ['residentId', 'H12345678'],
    ['residencePermit', '440402199003071232'], // a mainland ID is not a residence permit
    ['residencePermit', '810000199003071238'], // wrong check character
    ['residencePermit', '8100001990030712'],
    ['hkMacaoTravelPermit', '12345'],
    ['hkMacaoTravelPermit', 'H1234567'],
    ['hkMacaoTravelPermit', 'H123456789'],
    ['hkMacaoTravelPermit', 'A12345678'],
    ['taiwanTravelPermit', '((((('],
    ['taiwanTravelPermit', '1234567'],
    ['taiwanTravelPermit', '123456789'],
    ['passport', '-----'],
    ['passport', 'E123'],
    ['passport', 'E-1234567'],
    ['passport', 'X12345678901234567890'],
  ])('refuses a %s numbered %s', (type, idNumber) => {
    expect(problems(type, idNumber)).toEqual(['legalRepIdNumber']); // one message, not one per rule
  });
});

describe('merge: conflicts, UI rules and hidden values', () => {
  const base = readExampleBundle('business-startup');
  const withConstraint = (item: number, field: string, constraints: object): BundleDefinition => {
    const b = structuredClone(base);
    b.items[item]!.fields.find((f) => f.field === field)!.constraints = constraints;
    return b;
  };

  it('refuses a real contradiction, naming both items', () => {
    expect(() => compileForm(withConstraint(1, 'companyName', { minLength: 60 }))).toThrow(
      'field "companyName": minLength 60 contradicts maxLength 50 (items "seal-filing" and "bank-appointment")',
    );
    expect(() =>
      compileForm(withConstraint(0, 'enterpriseType', { enum: ['individualBusiness', 'unknownKind'] })),
    ).not.toThrow();
    const b = withConstraint(2, 'registeredCapital', { maximum: 10 });
    b.items[0]!.fields.find((f) => f.field === 'registeredCapital')!.constraints = { minimum: 100 };
    expect(() => compileForm(b)).toThrow(
      /minimum 100 contradicts maximum 10 \(items "enterprise-registration" and "new-taxpayer"\)/,
    );
    expect(() => compileForm(withConstraint(3, 'regionCode', { format: 'postal-code-cn' }))).toThrow(
      'field "regionCode": "format" "division-code" contradicts "postal-code-cn" (items "field library" and "employer-social-insurance")',
    );
  });

  it('refuses an empty enum intersection, naming both items', () => {
    const b = withConstraint(0, 'enterpriseType', { enum: ['llc'] });
    b.items[2]!.fields.push({ field: 'enterpriseType', constraints: { enum: ['partnership'] } });
    expect(() => compileForm(b)).toThrow(
      /enterpriseType.*nothing in common \(items "enterprise-registration" and "new-taxpayer"\)/,
    );
  });

  it('lists an item once for a material, even if the item lists it twice (the loader refuses that)', () => {
    const b = structuredClone(base);
    b.items[0]!.materials.push({ material: 'registrationApplication', required: true });
    expect(material(mergeBundle(b, { entityType: 'llc' }), 'registrationApplication')!.items).toEqual([
      'enterprise-registration',
    ]);
  });

  it("refuses an enum that the other items' bounds leave empty, naming both items", () => {
    const b = withConstraint(0, 'enterpriseType', { enum: ['partnership'] });
    b.items[2]!.fields.push({ field: 'enterpriseType', constraints: { maxLength: 4 } });
    expect(() => compileForm(b)).toThrow(
      'field "enterpriseType": none of the allowed values ["partnership"] satisfies maxLength 4 (items "enterprise-registration" and "new-taxpayer")',
    );
  });

  it('UI rules show and hide fields as JSON Forms evaluates them', () => {
    const form = compileForm(base);
    const controls = form.uischema.elements.flatMap((g) => g.elements);
    const control = (id: string) =>
      controls.find((c) => c.scope === `#/properties/${id}`)! as unknown as UISchemaElement;
    const ajv = createAjv();
    const visible = (id: string, situation: object) =>
      isVisible(control(id), { situation }, '', ajv, undefined);
    expect(visible('officers', { entityType: 'llc' })).toBe(true);
    expect(visible('officers', { entityType: 'partnership' })).toBe(false);
    expect(visible('fundRate', { hiring: true })).toBe(true);
    expect(visible('fundRate', { hiring: false })).toBe(false);
    expect(visible('companyName', {})).toBe(true);
    expect(form.uischema.elements[0]!.label).toBe('办事情形');
    expect(form.i18n.en['fundRate.label']).toBe('Housing fund rate (%)');
  });

  it('carries the labels of codes where JSON Forms asks for them; the schema keeps the bare codes', () => {
    const newborn = compileForm(readExampleBundle('newborn'));
    expect([newborn.i18n.zh['babyGender.1'], newborn.i18n.en['babyGender.2']]).toEqual(['男', 'Female']);
    expect(newborn.schema.properties!.babyGender).toEqual({
      type: 'string',
      enum: ['1', '2'],
      title: '新生儿性别',
    });
    const form = compileForm(base);
    // Inside repeated groups and person blocks: the key without the row number, as JSON Forms builds it.
    expect(form.i18n.en['investors.contributionMethod.inKind']).toBe('In kind');
    expect(form.i18n.zh['officers.officerRole.supervisor']).toBe('监事');
    expect(form.i18n.en['financeOfficer.idType.passport']).toBe('Passport');
    expect(form.i18n.zh['invoiceTypes.vatSpecial']).toBe('增值税专用发票');
    const utility = compileForm(readExampleBundle('utility-connection'));
    expect(utility.i18n.en['voltageLevel.10kV']).toBe('10 kV');
  });

  it('drops values of hidden fields and unknown keys; pre-fills fields named like questions', () => {
    const form = compileForm(base);
    const { data, dropped } = dropHiddenValues(form, {
      situation: { entityType: 'partnership', hiring: false },
      officers: [],
      fundRate: 8,
      companyName: '珠海市某某科技有限公司',
      nonsense: 1,
    });
    expect(data).toEqual({
      situation: { entityType: 'partnership', hiring: false },
      companyName: '珠海市某某科技有限公司',
    });
    expect(dropped.sort()).toEqual(['fundRate', 'nonsense', 'officers']);
    const restaurant = compileForm(readExampleBundle('restaurant'));
    expect(initialData(restaurant, { cookingEnergy: 'electric', sewer: true })).toEqual({
      situation: { cookingEnergy: 'electric', sewer: true },
      cookingEnergy: 'electric',
    });
  });
});
