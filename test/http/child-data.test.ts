/**
 * A child's data is sensitive (GOV-SERVICES 2.20, the newborn bundle): over HTTP, the supervisor
 * and the window see a newborn case with the baby's name, birth time, gender and ethnic group
 * masked, while the department deciding an item of the baby reads them in full,
 * and the guardian who applied sees their own. The parents' names (adults' personal data) stay.
 */
import { samples } from '../../forms/src/testing/samples.js';
import { APPLICANT_ID, startCentreServer, taskId, type CentreServer } from './centre-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const { situation, ...DATA } = structuredClone(samples.newborn!);
// Born in a city hospital: the hospital issues the certificate, so no number is typed (or kept).
const BABY = ['babyName', 'babyGender', 'babyBirthTime', 'babyEthnicity'] as const;

let s: CentreServer;
let id: string;
beforeAll(async () => {
  s = await startCentreServer({ bundles: ['newborn'] });
  const draft = await s.ok('POST', '/api/applications', {
    as: 'clerk1',
    body: {
      bundleCode: 'newborn',
      answers: situation,
      data: DATA,
      applicant: { kind: 'person', name: '张三', idNumber: APPLICANT_ID, userId: 'applicant1' },
    },
  });
  id = draft.id;
  const submitted = await s.ok('POST', `/api/applications/${id}/submit`, { as: 'clerk1' });
  const materials = submitted.materials
    .filter((m: Json) => m.required && m.status === 'missing')
    .map((m: Json) => ({ id: m.id, status: 'provided' }));
  await s.ok('POST', `/api/applications/${id}/accept`, { as: 'clerk1', body: { materials } });
});
afterAll(() => s.close());

const baby = (data: Record<string, unknown>) => Object.fromEntries(BABY.map((k) => [k, data[k]]));
/** What a reader without the right to a child's data sees: the value's length in stars, nothing of it. */
const hidden = Object.fromEntries(BABY.map((k) => [k, '*'.repeat(String(DATA[k]).length)]));

it.each(['supervisor1', 'clerk1'])(
  '%s sees the baby’s data masked, the parents’ names as they are',
  async (who) => {
    const app = await s.ok('GET', `/api/applications/${id}`, { as: who });
    expect(baby(app.data)).toEqual(hidden);
    expect(app.data.motherName).toBe(DATA.motherName);
    expect(app.data.fatherIdNumber).not.toBe(DATA.fatherIdNumber); // an adult's ID number, masked as before
  },
);

it('the hospital deciding the birth certificate reads the baby’s data in full', async () => {
  const task = await s.ok('GET', `/api/tasks/${taskId(id, 'birth-certificate')}`, { as: 'hospital1' });
  expect(task.payload).toMatchObject({
    babyName: DATA.babyName,
    babyGender: DATA.babyGender,
    babyBirthTime: DATA.babyBirthTime,
  });
  // Its own view of the case (what its items declare) too.
  const app = await s.ok('GET', `/api/applications/${id}`, { as: 'hospital1' });
  expect(app.data.babyName).toBe(DATA.babyName);
});

it('the guardian who applied sees the baby’s data as entered', async () => {
  const app = await s.ok('GET', `/api/applications/${id}`, { as: 'applicant1' });
  expect(baby(app.data)).toEqual(baby(DATA));
});
