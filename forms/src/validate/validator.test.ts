import { readExampleBundle, exampleCodes } from '../bundle/examples.js';
import { compileForm, type UnifiedData } from '../merge/index.js';
import { samples } from '../testing/samples.js';
import { hasAtMostDecimals } from './keywords.js';
import { normaliseIdNumbers } from './normalise.js';
import { validateForm, validatorFor } from './validator.js';

const form = compileForm(readExampleBundle('business-startup'));
const sample = samples['business-startup']!;

describe('validateForm', () => {
  it.each(exampleCodes())('accepts the sample data of %s', (code) => {
    expect(validateForm(compileForm(readExampleBundle(code)), samples[code])).toEqual({
      valid: true,
      errors: [],
    });
  });

  it('names every wrong field by its label in zh and en', () => {
    const bad = {
      ...sample,
      companyName: undefined,
      legalRepIdNumber: '440402199003071233',
      legalRepMobile: '12345',
      regionCode: '440103',
      financeOfficer: { name: '李四', idNumber: '440402199002301235', mobile: '13912345678' },
      fundRate: 20,
      colour: 'blue',
    };
    delete bad.companyName;
    const { valid, errors } = validateForm(form, bad);
    expect(valid).toBe(false);
    const byField = Object.fromEntries(errors.map((e) => [e.field, e]));
    expect(byField.companyName).toEqual({
      field: 'companyName',
      keyword: 'required',
      label: { zh: '企业名称', en: 'Enterprise name' },
      message: { zh: '企业名称为必填项', en: 'Enterprise name is required' },
    });
    expect(byField.legalRepIdNumber!.message).toEqual({
      zh: '法定代表人证件号码居民身份证号码校验码错误',
      en: 'Legal representative ID number has a wrong check character in the resident ID number',
    });
    expect(byField['financeOfficer.idNumber']!.message.en).toBe(
      'Finance officer – ID number has an impossible birth date in the resident ID number',
    );
    expect(byField.legalRepMobile!.message.zh).toBe('法定代表人手机不是有效的手机号码(11位,以13–19开头)');
    expect(byField.regionCode!.keyword).toBe('pattern'); // registration limits the district to the city
    expect(byField.fundRate!.message).toEqual({
      zh: '公积金缴存比例(%)不能大于12',
      en: 'Housing fund rate (%) must be at most 12',
    });
    expect(byField.colour!.message.en).toBe('colour is not a field of this form');
    for (const e of errors) {
      expect(e.label.zh).toBeTruthy();
      expect(e.label.en).toBeTruthy();
    }
  });

  it('requires fields only in the situations that need them', () => {
    const noHr: UnifiedData = { ...sample };
    delete noHr.hrContact;
    delete noHr.fundRate;
    expect(
      validateForm(form, noHr)
        .errors.map((e) => e.field)
        .sort(),
    ).toEqual(['fundRate', 'hrContact']);
    const notHiring = { ...noHr, situation: { ...(sample.situation as object), hiring: false } };
    expect(validateForm(form, notHiring).valid).toBe(true);
    const soleTrader: UnifiedData = {
      ...sample,
      situation: { ...(sample.situation as object), entityType: 'partnership' },
    };
    delete soleTrader.officers;
    expect(validateForm(form, soleTrader).valid).toBe(true);
  });

  it('checks the resident-ID rule only when the document type says resident ID', () => {
    const passport = { ...sample, legalRepIdType: 'passport', legalRepIdNumber: 'E12345678' };
    expect(validateForm(form, passport).valid).toBe(true);
    const wrong = { ...passport, legalRepIdType: 'residencePermit' };
    expect(validateForm(form, wrong).errors.map((e) => e.field)).toEqual(['legalRepIdNumber']);
  });

  it('names situation answers by the question', () => {
    const bad = { ...sample, situation: { ...(sample.situation as object), entityType: 'cooperative' } };
    const [e] = validateForm(form, bad).errors;
    expect(e).toMatchObject({
      field: 'situation.entityType',
      label: { zh: '企业类型', en: 'Type of business' },
      keyword: 'enum',
    });
  });

  it('accepts amounts with up to 6 decimals whatever their size, and says so when there are more', () => {
    // multipleOf 0.000001 divided in binary floating point: 99999.99 and 8591.95 were refused.
    for (const registeredCapital of [99999.99, 8591.95, 0.000001, 123456.123456, 20000000.000001, 1e9])
      expect([registeredCapital, validateForm(form, { ...sample, registeredCapital }).errors]).toEqual([
        registeredCapital,
        [],
      ]);
    expect(validateForm(form, { ...sample, registeredCapital: 1.0000001 }).errors).toEqual([
      {
        field: 'registeredCapital',
        keyword: 'decimalPlaces',
        label: { zh: '注册资本(万元)', en: 'Registered capital (10,000 yuan)' },
        message: {
          zh: '注册资本(万元)最多6位小数',
          en: 'Registered capital (10,000 yuan) must have at most 6 decimal places',
        },
      },
    ]);
  });

  it('counts decimals as written in decimal', () => {
    expect([99999.99, 8591.95, 0.000001, 5, 1e21].every((x) => hasAtMostDecimals(x, 6))).toBe(true);
    expect([1.0000001, 0.1 + 0.2, 1e-7].some((x) => hasAtMostDecimals(x, 6))).toBe(false);
    expect(hasAtMostDecimals(80.5, 0)).toBe(false);
  });

  it('normalises a lower-case x in every ID number, nested ones too, and nothing else', () => {
    const data = {
      ...sample,
      legalRepIdNumber: '11010519491231002x',
      financeOfficer: { name: '李四', idNumber: '11010519491231002x', mobile: '13912345678' },
      officers: [{ name: '张三', idNumber: '11010519491231002x', officerRole: 'manager' }],
      sealMaker: '11010519491231002x', // not an ID number: left as typed
    };
    const clean = normaliseIdNumbers(form, data);
    expect(clean).toEqual({
      ...data,
      legalRepIdNumber: '11010519491231002X',
      financeOfficer: { ...data.financeOfficer, idNumber: '11010519491231002X' },
      officers: [{ ...data.officers[0], idNumber: '11010519491231002X' }],
    });
    expect(data.legalRepIdNumber).toBe('11010519491231002x'); // a copy: the input is not changed
  });

  it('lets a person in a block show another document: an HK/Macao resident director or finance officer', () => {
    const hk = { idType: 'hkMacaoTravelPermit', idNumber: 'H12345678' };
    const withHk = {
      ...sample,
      investors: [{ name: '陈大文', ...hk, subscribedAmount: 100, contributionMethod: 'cash' }],
      officers: [{ name: '陈大文', ...hk, officerRole: 'executiveDirector' }],
      financeOfficer: { name: '陈大文', ...hk, mobile: '13912345678' },
      taxHandler: { name: '陈大文', ...hk, mobile: '13912345678' },
    };
    expect(validateForm(form, withHk).errors).toEqual([]);
    // Without a type the number is a resident ID card's (earlier data stays valid, the rule stays).
    const noType = {
      ...sample,
      financeOfficer: { name: '李四', idNumber: 'H12345678', mobile: '13912345678' },
    };
    expect(validateForm(form, noType).errors.map((e) => [e.field, e.keyword])).toEqual([
      ['financeOfficer.idNumber', 'format'],
    ]);
    // The number follows its type's rule, as at the top level.
    const badPermit = { ...withHk, financeOfficer: { ...withHk.financeOfficer, idNumber: '12345' } };
    expect(validateForm(form, badPermit).errors.map((e) => [e.field, e.keyword])).toEqual([
      ['financeOfficer.idNumber', 'pattern'],
    ]);
    // A type that takes the resident-ID rule keeps it.
    const idCard = {
      ...sample,
      officers: [{ name: '张三', idType: 'residentId', idNumber: 'H12345678', officerRole: 'manager' }],
    };
    expect(validateForm(form, idCard).errors.map((e) => [e.field, e.keyword])).toEqual([
      ['officers.0.idNumber', 'format'],
    ]);
  });

  it.each(['王𠮷', '李〇', '𬌗小明', '买买提·艾力', '买买提・艾力', '买买提‧艾力', 'Tom Lee'])(
    'accepts the name %s (rare characters, 〇, every middle dot)',
    (name) => {
      const data = {
        ...sample,
        legalRepName: name,
        financeOfficer: { ...(sample.financeOfficer as object), name },
      };
      expect(validateForm(form, data).errors).toEqual([]);
    },
  );

  it.each(['张3', '张三·', 'Tom_Lee', '王𠮷!'])('still refuses the name %s', (name) => {
    expect(validateForm(form, { ...sample, legalRepName: name }).errors.map((e) => e.keyword)).toEqual([
      'pattern',
    ]);
  });

  it('requires an investor to give an ID number or a credit code, and an LLC at least one officer', () => {
    const incomplete = {
      ...sample,
      investors: [{ name: '张三', subscribedAmount: 100, contributionMethod: 'cash' }],
      officers: [],
    };
    expect(validateForm(form, incomplete).errors).toEqual([
      {
        field: 'investors.0.idNumber',
        keyword: 'required',
        label: {
          zh: '股东(出资人)·证件号码或统一社会信用代码',
          en: 'Investors – ID number or Unified social credit code',
        },
        message: {
          zh: '股东(出资人)·证件号码或统一社会信用代码为必填项',
          en: 'Investors – ID number or Unified social credit code is required',
        },
      },
      expect.objectContaining({ field: 'officers', keyword: 'minItems' }),
    ]);
    const company = {
      name: '某某公司',
      creditCode: '91440400MA4W12346M',
      subscribedAmount: 100,
      contributionMethod: 'cash',
    };
    expect(validateForm(form, { ...sample, investors: [company] }).errors).toEqual([]);
    // Two investors without either: one error each, not two "required" for each.
    const two = { ...sample, investors: [incomplete.investors[0]!, incomplete.investors[0]!] };
    expect(validateForm(form, two).errors.map((e) => [e.field, e.label.zh])).toEqual([
      ['investors.0.idNumber', '股东(出资人)·证件号码或统一社会信用代码'],
      ['investors.1.idNumber', '股东(出资人)·证件号码或统一社会信用代码'],
    ]);
  });

  it('names the situation by its label when it is missing', () => {
    const noSituation: UnifiedData = { ...sample };
    delete noSituation.situation;
    expect(validateForm(form, noSituation).errors).toEqual([
      {
        field: 'situation',
        keyword: 'required',
        label: { zh: '办事情形', en: 'Your situation' },
        message: { zh: '办事情形为必填项', en: 'Your situation is required' },
      },
    ]);
  });

  it('compiles once and reuses the compiled validator (throughput: npx tsx forms/src/validate/bench.ts)', () => {
    const validate = validatorFor(form);
    expect(validatorFor(form)).toBe(validate);
    const n = 50_000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) validate(sample);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Under jest's VM on a shared box this runs 30–45k/s (≈170k/s in plain node, see bench.ts); the bar
    // only catches a regression such as compiling per call (which runs a few hundred a second).
    expect(n / seconds).toBeGreaterThan(5_000);
  });
});
