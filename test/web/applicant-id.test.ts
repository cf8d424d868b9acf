/**
 * The window checks the applicant's number on the applicant step with the forms package's rule;
 * the server checks it again on create (engine case-checks). Both must say the same.
 */
import { checkApplicant } from '../../engine/src/applications/case-checks.js';
import { DomainError } from '../../engine/src/domain/errors.js';
import { applicantIdNumberProblem } from '../../forms/src/validate/formats/applicant-id.js';

const serverSays = (kind: 'person' | 'organisation', idNumber: string) => {
  try {
    checkApplicant({ kind, name: '张三', idNumber });
    return undefined;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return err.fieldErrors.find((p) => p.field === 'applicant.idNumber')?.message;
  }
};

test.each([
  ['person', '440402199003071232'],
  ['person', '440402199003071233'],
  ['person', '440402199013071232'],
  ['person', '933100199001010010'],
  ['person', 'A123456(7)'],
  ['person', '12 34'],
  ['person', 'x'.repeat(41)],
  ['organisation', '91440400MA4UU6XH8G'],
  ['organisation', '91440400MA4UU6XH8B'],
] as const)('%s %s: the window and the server agree', (kind, id) => {
  expect(applicantIdNumberProblem(kind, id)).toEqual(serverSays(kind, id));
});
