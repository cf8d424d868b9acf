import { readExampleBundle, exampleCodes } from '../bundle/examples.js';
import { compileForm, type UnifiedData } from '../merge/index.js';
import { samples } from '../testing/samples.js';
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
