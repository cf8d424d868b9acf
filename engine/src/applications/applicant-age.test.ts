/**
 * Flexible employment is for people of working age (EXAMPLE-BUNDLES C: 16 or over and below the
 * statutory retirement age, read from the ID number): a case for anyone else is refused at once,
 * naming the ID number and why, and checked again at acceptance (a birthday may come between).
 */
import { samples } from '../../../forms/src/testing/samples.js';
import { residentIdCheckChar } from '../../../forms/src/validate/formats/resident-id.js';
import { createEngine } from '../index.js';
import { analyst, clerk, example, memoryCentre, T0 } from '../testing/centre-fixtures.js';
import type { Applicant } from './types.js';

const CODE = 'flexible-employment';
const DAY = 86_400_000;
/** A Zhuhai resident ID number for a person born `yyyymmdd`. */
const idOf = (yyyymmdd: string, male: boolean) => {
  const first17 = `440403${yyyymmdd}00${male ? '1' : '2'}`;
  return first17 + residentIdCheckChar(first17);
};
const person = (idNumber: string): Applicant => ({
  kind: 'person',
  name: '王芳',
  idNumber,
  phone: '15012345678',
});

async function desk() {
  let now = T0; // Monday 2026-11-23
  const { centre } = memoryCentre({ engine: createEngine({ clock: () => now }), clock: () => now });
  await centre.deployBundle(analyst, example(CODE));
  const { situation, ...data } = samples[CODE]!;
  const create = (applicant: Applicant) =>
    centre.createApplication(clerk, { bundleCode: CODE, answers: situation!, data, applicant });
  return { centre, create, at: (t: number) => (now = t) };
}

test('a person under 16 or past the retirement age is refused at once, naming the ID number', async () => {
  const { create } = await desk();
  await expect(create(person(idOf('20101201', false)))).rejects.toMatchObject({
    code: 'invalid',
    fieldErrors: [
      {
        field: 'applicant.idNumber',
        message: {
          zh: '申请人须年满16周岁（按身份证号码，现15周岁）',
          en: 'the applicant must be at least 16 (by the ID number, now 15 years)',
        },
      },
    ],
  });
  // A woman born in 1949 (55 for women insured as flexible workers).
  await expect(create(person('11010519491231002X'))).rejects.toMatchObject({
    fieldErrors: [
      { field: 'applicant.idNumber', message: { zh: '申请人已达到法定退休年龄（55周岁），不能办理' } },
    ],
  });
  // Sixteen today, and a man of 60 born in 1966 (his age has risen to 60 years and 5 months).
  expect((await create(person(idOf('20101123', true)))).status).toBe('draft');
  expect((await create(person(idOf('19660625', true)))).status).toBe('draft');
});

test('checked again on correction, submission and acceptance: he reaches his retirement age in between', async () => {
  const { centre, create, at } = await desk();
  // Born 1966-06-24: 60 years and 5 months on 2026-11-24, the day after T0.
  const man = person(idOf('19660624', true));
  const draft = await create(man);
  await expect(
    centre.updateApplication(clerk, draft.id, { applicant: person(idOf('19500101', true)) }),
  ).rejects.toMatchObject({ fieldErrors: [{ field: 'applicant.idNumber' }] });
  await centre.submit(clerk, draft.id);
  at(T0 + DAY);
  await expect(
    centre.accept(clerk, draft.id, { materials: [{ id: 'identityProof', status: 'provided' }] }),
  ).rejects.toMatchObject({
    fieldErrors: [
      {
        field: 'applicant.idNumber',
        message: {
          en: 'the applicant has reached the statutory retirement age (60 years 5 months) and cannot apply',
        },
      },
    ],
  });
  expect((await centre.getApplication(clerk, draft.id)).status).toBe('submitted');
});
