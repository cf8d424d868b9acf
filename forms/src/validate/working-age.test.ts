import { residentIdCheckChar } from './formats/resident-id.js';
import { retirementAgeMonths, retirementScheme, workingAgeProblem } from './working-age.js';

/** A resident ID number of Xiangzhou, Zhuhai, born `yyyymmdd`, a man when `male`. */
const idOf = (yyyymmdd: string, male: boolean) => {
  const first17 = `440402${yyyymmdd}12${male ? '3' : '4'}`;
  return first17 + residentIdCheckChar(first17);
};
const FLEXIBLE = { min: 16, belowRetirement: true, femaleRetirementAge: 55 } as const;

describe('the statutory retirement age, rising from 2025', () => {
  const months = (year: number, month: number, sex: 'male' | 'female', female?: 50 | 55) =>
    retirementAgeMonths(year, month, retirementScheme(sex, female));

  it('men: 60 before 1965, one month more for every four months of birth, 63 from September 1976', () => {
    expect(months(1964, 12, 'male')).toBe(60 * 12);
    expect([1, 4, 5, 8, 9].map((m) => months(1965, m, 'male'))).toEqual([721, 721, 722, 722, 723]);
    expect(months(1976, 8, 'male')).toBe(60 * 12 + 35);
    expect(months(1976, 9, 'male')).toBe(63 * 12);
    expect(months(1995, 6, 'male')).toBe(63 * 12);
  });

  it('women whose age was 55: from January 1970, up to 58 from September 1981', () => {
    expect(months(1969, 12, 'female')).toBe(55 * 12);
    expect(months(1970, 1, 'female')).toBe(55 * 12 + 1);
    expect(months(1981, 8, 'female', 55)).toBe(55 * 12 + 35);
    expect(months(1981, 9, 'female', 55)).toBe(58 * 12);
  });

  it('women whose age was 50: one month for every two months of birth from January 1975, 55 from November 1984', () => {
    expect(months(1974, 12, 'female', 50)).toBe(50 * 12);
    expect([1, 2, 3].map((m) => months(1975, m, 'female', 50))).toEqual([601, 601, 602]);
    expect(months(1984, 10, 'female', 50)).toBe(50 * 12 + 59);
    expect(months(1984, 11, 'female', 50)).toBe(55 * 12);
  });
});

describe('workingAgeProblem', () => {
  it('refuses under 16, from the 16th birthday on it does not', () => {
    const teen = idOf('20091201', true);
    expect(workingAgeProblem(FLEXIBLE, teen, '2025-11-30')).toEqual({
      zh: '申请人须年满16周岁（按身份证号码，现15周岁）',
      en: 'the applicant must be at least 16 (by the ID number, now 15 years)',
    });
    expect(workingAgeProblem(FLEXIBLE, teen, '2025-12-01')).toBeUndefined();
  });

  it('refuses from the day the retirement age is reached: a man born January 1965 at 60 years and a month', () => {
    const man = idOf('19650115', true);
    expect(workingAgeProblem(FLEXIBLE, man, '2025-02-14')).toBeUndefined();
    expect(workingAgeProblem(FLEXIBLE, man, '2025-02-15')).toEqual({
      zh: '申请人已达到法定退休年龄（60周岁1个月），不能办理',
      en: 'the applicant has reached the statutory retirement age (60 years 1 month) and cannot apply',
    });
  });

  it('takes the bundle’s women’s age: 55 rising (the default) or 50 rising', () => {
    const woman = idOf('19750120', false);
    expect(workingAgeProblem(FLEXIBLE, woman, '2025-02-20')).toBeUndefined();
    expect(workingAgeProblem({ ...FLEXIBLE, femaleRetirementAge: 50 }, woman, '2025-02-19')).toBeUndefined();
    expect(workingAgeProblem({ ...FLEXIBLE, femaleRetirementAge: 50 }, woman, '2025-02-20')?.en).toBe(
      'the applicant has reached the statutory retirement age (50 years 1 month) and cannot apply',
    );
    const older = idOf('19700310', false);
    expect(workingAgeProblem(FLEXIBLE, older, '2025-04-09')).toBeUndefined();
    expect(workingAgeProblem(FLEXIBLE, older, '2025-04-10')?.zh).toBe(
      '申请人已达到法定退休年龄（55周岁1个月），不能办理',
    );
  });

  it('leaves a number without a birth date to the window (a passport, a Hong Kong identity card)', () => {
    expect(workingAgeProblem(FLEXIBLE, 'E12345678', '2025-01-01')).toBeUndefined();
    expect(workingAgeProblem(FLEXIBLE, 'A123456(7)', '2025-01-01')).toBeUndefined();
  });
});
