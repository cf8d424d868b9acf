import { residentIdCheckChar } from './resident-id.js';
import { applicantIdNumberProblem } from './applicant-id.js';

describe("the applicant's document number at the window", () => {
  test('a resident ID card number must be one: region, birth date, check character', () => {
    expect(applicantIdNumberProblem('person', '440402199003071232')).toBeUndefined();
    expect(applicantIdNumberProblem('person', ' 11010519491231002x ')).toBeUndefined();
    expect(applicantIdNumberProblem('person', '440402199003071233')).toEqual({
      zh: '居民身份证号码不正确',
      en: 'not a valid resident ID card number',
    });
    expect(applicantIdNumberProblem('person', '440402199013071232')?.zh).toBe('居民身份证号码不正确');
  });

  test("a foreigner's permanent residence card (starting with 9) by its check character", () => {
    const first17 = '93310019900101001';
    expect(applicantIdNumberProblem('person', first17 + residentIdCheckChar(first17))).toBeUndefined();
    expect(applicantIdNumberProblem('person', `${first17}0`)?.en).toBe('not a valid resident ID card number');
  });

  test('other documents: 5–40 letters, digits, hyphens or brackets', () => {
    expect(applicantIdNumberProblem('person', 'A123456(7)')).toBeUndefined();
    expect(applicantIdNumberProblem('person', 'E12345678')).toBeUndefined();
    expect(applicantIdNumberProblem('person', '12 34')?.zh).toBe(
      '证件号码应为居民身份证号码或 5–40 位字母、数字的其他证件号码',
    );
  });

  test("an organisation's is its unified social credit code", () => {
    expect(applicantIdNumberProblem('organisation', '91440400MA4UU6XH8G')).toBeUndefined();
    expect(applicantIdNumberProblem('organisation', '440402199003071232')).toEqual({
      zh: '统一社会信用代码不正确',
      en: 'not a valid unified social credit code',
    });
  });
});
