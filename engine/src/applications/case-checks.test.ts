/** The applicant as a case records it: a name and an identity number that is one. */
import { DomainError } from '../domain/errors.js';
import { checkApplicant } from './case-checks.js';
import type { Applicant } from './types.js';

const person = (idNumber: string): Applicant => ({ kind: 'person', name: '张三', idNumber });
const organisation = (idNumber: string): Applicant => ({ kind: 'organisation', name: '某公司', idNumber });

/** The problem a refused applicant names for its identity number (undefined when accepted). */
function idProblem(applicant: Applicant): string | undefined {
  try {
    checkApplicant(applicant);
    return undefined;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const problem = err.fieldErrors.find((p) => p.field === 'applicant.idNumber');
    expect(problem).toBeDefined();
    return problem!.message.zh;
  }
}

describe('checkApplicant', () => {
  it("accepts a person's resident ID card number, a lower-case x normalised", () => {
    expect(idProblem(person('440402199003071232'))).toBeUndefined();
    expect(checkApplicant(person('11010519491231002x')).idNumber).toBe('11010519491231002X');
  });

  it('refuses a resident ID card number with a wrong check character, date of birth or region', () => {
    expect(idProblem(person('440402199003071233'))).toContain('居民身份证');
    expect(idProblem(person('440402199013071232'))).toContain('居民身份证');
    expect(idProblem(person('000402199003071232'))).toContain('居民身份证');
  });

  it("accepts other documents (passport, Hong Kong and Macao residents' permit), refuses what is none", () => {
    expect(idProblem(person('E12345678'))).toBeUndefined();
    expect(idProblem(person('H12345678'))).toBeUndefined();
    expect(idProblem(person('A123456(7)'))).toBeUndefined(); // a Hong Kong identity card
    expect(checkApplicant(person(' 440402199003071232 ')).idNumber).toBe('440402199003071232');
    expect(idProblem(person('abc'))).toContain('证件号码');
    expect(idProblem(person('12 34 56'))).toContain('证件号码');
  });

  it("an organisation's is its unified social credit code", () => {
    expect(idProblem(organisation('91440400MA4UJ8B739'))).toBeUndefined();
    expect(idProblem(organisation('91440400MA4UJ8B738'))).toContain('统一社会信用代码');
    expect(idProblem(organisation('440402199003071232'))).toContain('统一社会信用代码');
  });
});
