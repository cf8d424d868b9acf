import { exampleCodes, readExampleBundle } from '../bundle/examples.js';
import { holds, type Answers } from '../feel/condition.js';
import { compileForm, type UnifiedData, type UnifiedForm } from '../merge/index.js';
import { samples } from '../testing/samples.js';
import { maskText } from './mask.js';
import { projectPayload, projectPayloads } from './project.js';

/** Data with a value for every field of the form, whatever applies: the worst case for leaks. */
function everything(form: UnifiedForm, situation: Answers): UnifiedData {
  const data: UnifiedData = { ...samples[form.bundle.code], situation };
  for (const f of form.fields) data[f.id] ??= `value of ${f.id}`;
  return data;
}

/** Straight from bundle.json: fields the department's active items declare, whose conditions hold. */
function declared(form: UnifiedForm, department: string, answers: Answers): Set<string> {
  const items = form.bundle.items.filter((i) => i.department === department && holds(i.condition, answers));
  return new Set(
    items.flatMap((i) => i.fields.filter((f) => holds(f.condition, answers)).map((f) => f.field)),
  );
}

const situations: Record<string, Answers[]> = {
  'business-startup': [
    {
      entityType: 'llc',
      premises: 'owned',
      sealTypes: ['official'],
      invoices: 'vatSpecial',
      hiring: true,
      bankAppointment: true,
    },
    {
      entityType: 'individualBusiness',
      premises: 'cluster',
      sealTypes: [],
      invoices: 'none',
      hiring: false,
      bankAppointment: false,
    },
  ],
  newborn: [
    {
      birthPlace: 'cityHospital',
      hukouInCity: true,
      parentsMarried: true,
      enrolMedical: true,
      wantCard: true,
      cardDelivery: 'post',
    },
    {
      birthPlace: 'outOfProvince',
      hukouInCity: false,
      enrolMedical: false,
      wantCard: true,
      cardDelivery: 'bankOutlet',
    },
  ],
  'flexible-employment': [
    {
      employerInsured: false,
      insurances: 'both',
      payMethod: 'bankDeduction',
      subsidyGroup: true,
      insuredElsewhere: true,
    },
    { employerInsured: false, insurances: 'medicalOnly', payMethod: 'selfPay' },
  ],
  restaurant: [
    { alreadyRegistered: 'no', sign: 'approval', sewer: true, automaticFireSystem: true },
    { alreadyRegistered: 'yes', sign: 'none', sewer: false },
  ],
  'utility-connection': [
    {
      applicantKind: 'person',
      projectType: 'existing',
      utilities: ['electricity', 'water', 'gas', 'broadband'],
      crossesRoad: 'yes',
      affectsTraffic: true,
      greenLand: true,
    },
    { applicantKind: 'organisation', projectType: 'new', utilities: ['broadband'], crossesRoad: 'no' },
  ],
};

describe('projectPayloads: minimum necessary', () => {
  it.each(exampleCodes())('%s: a payload never contains a field its items did not declare', (code) => {
    const form = compileForm(readExampleBundle(code));
    for (const answers of situations[code]!) {
      const payloads = projectPayloads(form, everything(form, answers));
      expect(Object.keys(payloads).length).toBeGreaterThan(0);
      for (const p of Object.values(payloads)) {
        const allowed = declared(form, p.department, answers);
        for (const key of Object.keys(p.data))
          expect([p.department, key, allowed.has(key)]).toEqual([p.department, key, true]);
        // Nothing is lost either: every declared field with a value is there.
        expect(Object.keys(p.data).sort()).toEqual([...allowed].sort());
      }
    }
  });

  it.each(exampleCodes())('%s: one department asked alone gets exactly its part of the whole', (code) => {
    const form = compileForm(readExampleBundle(code));
    for (const answers of situations[code]!) {
      const data = everything(form, answers);
      const all = projectPayloads(form, data);
      for (const department of new Set(form.bundle.items.map((i) => i.department)))
        expect([department, projectPayload(form, data, department)]).toEqual([department, all[department]]);
    }
  });

  it('business-startup: each receiver gets its table row of EXAMPLE-BUNDLES.md, masked where not needed in full', () => {
    const form = compileForm(readExampleBundle('business-startup'));
    const data = samples['business-startup']!;
    const p = projectPayloads(form, data);
    expect(Object.keys(p).sort()).toEqual([
      'bank',
      'housing-fund',
      'hrss',
      'market-regulation',
      'medical-security',
      'public-security',
      'tax',
    ]);
    expect(p['market-regulation']!.data.legalRepIdNumber).toBe('440402199003071232');
    expect(Object.keys(p.bank!.data).sort()).toEqual([
      'bankBranch',
      'bankDate',
      'companyName',
      'legalRepMobile',
      'legalRepName',
    ]);
    expect(p.bank!.data.legalRepMobile).toBe('13800138000');
    expect(p.hrss!.data.legalRepIdNumber).toBe('440***********1232');
    expect(p.hrss!.data.hrContact).toEqual({ name: '王五', mobile: '137****1111' });
    expect(p.hrss!.data.investors).toBeUndefined();
    expect(p['housing-fund']!.data.legalRepIdNumber).toBeUndefined();
    expect(p.tax!.data.financeOfficer).toEqual({
      name: '李四',
      idNumber: '11010519491231002X',
      mobile: '13912345678',
    });
    expect(p['public-security']!.situation).toEqual({ sealTypes: ['official'] });
    expect(p['public-security']!.data.registeredCapital).toBeUndefined();
  });

  it('masks nested ID numbers of investors for a department that does not need them in full', () => {
    const form = compileForm(readExampleBundle('business-startup'));
    const tax = projectPayloads(form, samples['business-startup']!).tax!;
    expect((tax.data.investors as { idNumber: string }[])[0]!.idNumber).toBe('440***********1232');
  });

  it('masks a nested number of another document type as an ID number too', () => {
    const form = compileForm(readExampleBundle('business-startup'));
    const sample = samples['business-startup']!;
    const investors = [
      { ...(sample.investors as object[])[0], idType: 'hkMacaoTravelPermit', idNumber: 'H1234567801' },
    ];
    const tax = projectPayloads(form, { ...sample, investors }).tax!;
    expect((tax.data.investors as { idNumber: string }[])[0]!.idNumber).toBe('H12****7801');
  });

  it('sends resident IDs as the card prints them: a lower-case x becomes X, nested ones too', () => {
    const form = compileForm(readExampleBundle('business-startup'));
    const sample = samples['business-startup']!;
    const data = {
      ...sample,
      legalRepIdNumber: '11010519491231002x',
      financeOfficer: { ...(sample.financeOfficer as object), idNumber: '11010519491231002x' },
    };
    const p = projectPayloads(form, data);
    expect(p['public-security']!.data.legalRepIdNumber).toBe('11010519491231002X');
    expect((p.tax!.data.financeOfficer as { idNumber: string }).idNumber).toBe('11010519491231002X');
    expect(projectPayload(form, data, 'market-regulation')!.data.legalRepIdNumber).toBe('11010519491231002X');
  });

  it('a child’s name and birth time reach a department not needing them in full as stars only', () => {
    // The vaccination clinic asked for the baby's data without needing it in full (needsFull).
    const bundle = readExampleBundle('newborn');
    const clinic = bundle.items.find((i) => i.code === 'vaccination-certificate')!;
    clinic.fields = clinic.fields.map(({ needsFull: _, ...f }) => f);
    const data = samples.newborn!;
    const p = projectPayloads(compileForm(bundle), data);
    const stars = (value: unknown) => '*'.repeat(String(value).length);
    expect(p['vaccination-clinic']!.data).toMatchObject({
      babyName: stars(data.babyName),
      babyBirthTime: stars(data.babyBirthTime),
      babyGender: stars(data.babyGender),
      guardianMobile: '138****8000', // a mobile keeps its own rule
      motherName: data.motherName, // an adult's name is not sensitive
    });
    // The hospital deciding the birth certificate needs them in full.
    expect(p.hospital!.data).toMatchObject({
      babyName: data.babyName,
      babyBirthTime: data.babyBirthTime,
      babyGender: data.babyGender,
    });
  });

  it('newborn: the police get a typed certificate number only when the hospital does not issue it here', () => {
    const form = compileForm(readExampleBundle('newborn'));
    const data = samples.newborn!;
    const police = (birthPlace: string) =>
      projectPayloads(form, { ...data, situation: { ...data.situation, birthPlace } })['police-station']!;
    expect(police('cityHospital').data).not.toHaveProperty('birthCertNo'); // the hospital's result instead
    expect(police('provinceHospital').data.birthCertNo).toBe(data.birthCertNo);
    expect(police('outOfProvince').data.birthCertNo).toBe(data.birthCertNo);
  });

  it('utility companies get the least: telecom sees no ID number or credit code', () => {
    const form = compileForm(readExampleBundle('utility-connection'));
    const answers = situations['utility-connection']![0]!;
    const p = projectPayloads(form, everything(form, answers));
    expect(Object.keys(p.telecom!.data)).not.toEqual(expect.arrayContaining(['creditCode']));
    expect(p.telecom!.data.idNumber).toBeUndefined();
    expect(p['power-company']!.data.idNumber).toBe(maskText('id', 'value of idNumber'));
    expect(p['power-company']!.data.contactMobile).toBe('18912345678'); // declared needsFull
    expect(p['traffic-police']!.data.name).toBeUndefined();
  });

  it('mask conventions', () => {
    expect(maskText('id', '11010519491231002X')).toBe('110***********002X');
    expect(maskText('mobile', '13800135678')).toBe('138****5678');
    expect(maskText('bank', '6222020200112233445')).toBe('***************3445');
    expect(maskText('id', 'E1234')).toBe('*1234');
    expect(maskText('mobile', '123')).toBe('***');
  });
});
