/**
 * Working age (劳动年龄) read from a person's 18-character ID number (resident ID card, residence
 * permit for Hong Kong, Macao and Taiwan residents, the newer foreign permanent resident card:
 * each holds the birth date in characters 7–14 and the sex in the 17th, odd for men).
 *
 * The statutory retirement age rises gradually from 2025 (全国人民代表大会常务委员会关于实施渐进式
 * 延迟法定退休年龄的决定, 2024): for men from 60 to 63, and for women whose age was 55 from 55 to 58,
 * one month later for every four months of birth from January 1965 (men) or January 1970 (women);
 * for women whose age was 50 from 50 to 55, one month later for every two months of birth from
 * January 1975. Which of the two ages applies to women is the bundle's (e.g. 55 for people insured
 * as flexible workers in most provinces).
 */
import type { Text } from '../library/types.js';
import { checkResidentId } from './formats/resident-id.js';

/** What a bundle asks of the applicant's age (bundle.applicantAge). */
export interface WorkingAgeRule {
  /** At least this old in whole years on the day (e.g. 16). */
  min?: number;
  /** Below the statutory retirement age on the day. */
  belowRetirement?: boolean;
  /** The women's original retirement age the rise starts from: 55 (default) or 50. */
  femaleRetirementAge?: 50 | 55;
}

interface Scheme {
  /** The age before the rise, in years. */
  base: number;
  /** Births from this month (year * 12 + month - 1) on retire later. */
  from: number;
  /** Months of birth per month of delay. */
  every: number;
  /** The full rise, in months. */
  cap: number;
}

const MEN: Scheme = { base: 60, from: 1965 * 12, every: 4, cap: 36 };
const WOMEN_55: Scheme = { base: 55, from: 1970 * 12, every: 4, cap: 36 };
const WOMEN_50: Scheme = { base: 50, from: 1975 * 12, every: 2, cap: 60 };

/** The statutory retirement age, in months, of a person born in `year`/`month` (1–12). */
export function retirementAgeMonths(year: number, month: number, scheme: Scheme): number {
  const born = year * 12 + month - 1;
  const delay =
    born < scheme.from ? 0 : Math.min(scheme.cap, Math.floor((born - scheme.from) / scheme.every) + 1);
  return scheme.base * 12 + delay;
}

export function retirementScheme(sex: 'male' | 'female', femaleRetirementAge: 50 | 55 = 55): Scheme {
  if (sex === 'male') return MEN;
  return femaleRetirementAge === 50 ? WOMEN_50 : WOMEN_55;
}

/** Whole months from `birth` to `day` (both 'YYYY-MM-DD'): a month is complete on the same day of the month. */
function monthsBetween(birth: string, day: string): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return (y - by) * 12 + (m - bm) - (d < bd ? 1 : 0);
}

const years = (months: number): Text => {
  const y = Math.floor(months / 12);
  const m = months % 12;
  return m
    ? { zh: `${y}周岁${m}个月`, en: `${y} years ${m} month${m === 1 ? '' : 's'}` }
    : { zh: `${y}周岁`, en: `${y} years` };
};

/**
 * Why a person with `idNumber` is outside the bundle's working age on `day` ('YYYY-MM-DD', China
 * time), or undefined when inside it, or when the number holds no birth date (a passport: the
 * window checks the document itself).
 */
export function workingAgeProblem(rule: WorkingAgeRule, idNumber: string, day: string): Text | undefined {
  const id = idNumber.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return undefined;
  const checked = checkResidentId(id, new Date(`${day}T12:00:00+08:00`));
  // A foreign permanent resident's newer card (9…) fails the region check but holds the birth date alike.
  const birth = checked.ok ? checked.birthDate : `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birth) || birth > day) return undefined;
  const age = monthsBetween(birth, day);
  if (rule.min !== undefined && age < rule.min * 12) {
    const now = years(age - (age % 12));
    return {
      zh: `申请人须年满${rule.min}周岁（按身份证号码，现${now.zh}）`,
      en: `the applicant must be at least ${rule.min} (by the ID number, now ${now.en})`,
    };
  }
  if (rule.belowRetirement) {
    const sex = Number(id[16]) % 2 === 1 ? 'male' : 'female';
    const [y, m] = birth.split('-').map(Number) as [number, number];
    const retirement = retirementAgeMonths(y, m, retirementScheme(sex, rule.femaleRetirementAge));
    if (age >= retirement) {
      const at = years(retirement);
      return {
        zh: `申请人已达到法定退休年龄（${at.zh}），不能办理`,
        en: `the applicant has reached the statutory retirement age (${at.en}) and cannot apply`,
      };
    }
  }
  return undefined;
}

/** The rule in words, for the public guide (办事指南): who cannot apply. */
export function workingAgeRuleText(rule: WorkingAgeRule): Text {
  const zh: string[] = [];
  const en: string[] = [];
  if (rule.min !== undefined) {
    zh.push(`未满${rule.min}周岁`);
    en.push(`under ${rule.min}`);
  }
  if (rule.belowRetirement) {
    const women = rule.femaleRetirementAge === 50 ? ['50', '55'] : ['55', '58'];
    zh.push(
      `已达到法定退休年龄（男60周岁、女${women[0]}周岁起，自2025年起逐步延迟至男63周岁、女${women[1]}周岁）`,
    );
    en.push(
      `at or over the statutory retirement age (60 for men and ${women[0]} for women, rising gradually from 2025 to 63 and ${women[1]})`,
    );
  }
  return {
    zh: `${zh.join('或')}的人员不能申请（按身份证号码计算）`,
    en: `People ${en.join(' or ')} cannot apply (by the ID number)`,
  };
}
