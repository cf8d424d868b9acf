/**
 * The e-licence search (POST /api/licences/search: the window's picker at acceptance, supervisors;
 * an applicant only under their own verified identity) shows a licence's sensitive facts only to
 * its holder: a newborn's birth certificate, held by the parent who applied, reaches the window and
 * supervisors with the baby's name, gender, birth time and certificate number masked, as the case
 * views show them; the parent reads it in full. The masked copy the window picked still verifies
 * when offered back for a material; a changed copy does not.
 */
import { samples } from '../../forms/src/testing/samples.js';
import { APPLICANT_ID, startCentreServer, taskId, type CentreServer } from './centre-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const { situation, ...DATA } = structuredClone(samples.newborn!);
const CERTIFICATE_NUMBER = 'Q440567890';
const BABY = { babyName: DATA.babyName, babyGender: DATA.babyGender, babyBirthTime: DATA.babyBirthTime };
const stars = (value: unknown) => '*'.repeat(String(value).length);

let s: CentreServer;

/** A newborn case of applicant1 (the father) created by clerk1 and submitted; its body. */
async function submitted(answers: Record<string, unknown>): Promise<Json> {
  const draft = await s.ok('POST', '/api/applications', {
    as: 'clerk1',
    body: {
      bundleCode: 'newborn',
      answers,
      data: DATA,
      applicant: { kind: 'person', name: '张三', idNumber: APPLICANT_ID, userId: 'applicant1' },
    },
  });
  return s.ok('POST', `/api/applications/${draft.id}/submit`, { as: 'clerk1' });
}

/** Every required material seen on paper, except those given. */
function materialsWith(app: Json, given: Json[] = []) {
  const ids = new Set(given.map((m) => m.id));
  const paper = app.materials
    .filter((m: Json) => m.required && m.status === 'missing' && !ids.has(m.id))
    .map((m: Json) => ({ id: m.id, status: 'provided' }));
  return [...given, ...paper];
}

const search = (as: string) =>
  s.ok('POST', '/api/licences/search', { as, body: { holderId: APPLICANT_ID } }).then((r) => r.items);
const birthCertificate = async (as: string) =>
  ((await search(as)) as Json[]).find((l) => l.typeCode === 'birth-certificate');

beforeAll(async () => {
  s = await startCentreServer({ bundles: ['newborn'] });
  // Born in the city's hospital: the certificate is issued in the case, to the parent who applied.
  const app = await submitted(situation!);
  await s.ok('POST', `/api/applications/${app.id}/accept`, {
    as: 'clerk1',
    body: { materials: materialsWith(app) },
  });
  await s.ok('POST', `/api/tasks/${taskId(app.id, 'birth-certificate')}/approve`, {
    as: 'hospital1',
    body: { outputs: { birthCertNo: CERTIFICATE_NUMBER } },
  });
});
afterAll(() => s.close());

it.each(['supervisor1', 'clerk1'])(
  '%s finds the birth certificate with the baby’s data masked, the parents’ names as they are',
  async (who) => {
    const licence = await birthCertificate(who);
    expect(licence).toMatchObject({ holderId: APPLICANT_ID, status: 'valid' });
    expect(licence.signed.licence.data).toEqual({
      babyName: stars(BABY.babyName),
      babyGender: stars(BABY.babyGender),
      babyBirthTime: stars(BABY.babyBirthTime),
      birthCertNo: stars(CERTIFICATE_NUMBER),
      motherName: DATA.motherName,
      fatherName: DATA.fatherName,
    });
    expect(JSON.stringify(licence)).not.toContain(String(BABY.babyName));
  },
);

it('the parent holding it (the baby’s guardian) reads it in full', async () => {
  const licence = await birthCertificate('applicant1');
  expect(licence.signed.licence.data).toEqual({
    ...BABY,
    birthCertNo: CERTIFICATE_NUMBER,
    motherName: DATA.motherName,
    fatherName: DATA.fatherName,
  });
});

it('the masked copy the window picked verifies for a material; a changed one does not', async () => {
  const picked = await birthCertificate('clerk1');
  // A second baby's case: the first one's certificate stands in for the one the form asks for here.
  const app = await submitted({ ...situation, birthPlace: 'provinceHospital' });
  const offered = (licence: Json) => ({
    id: 'provinceBirthCertificate',
    status: 'eLicence',
    licenceId: picked.id,
    licence,
  });
  const changed = structuredClone(picked.signed);
  changed.licence.data.babyName = '李四';
  const refused = await s.call('POST', `/api/applications/${app.id}/accept`, {
    as: 'clerk1',
    body: { materials: materialsWith(app, [offered(changed)]) },
  });
  expect(refused.status).toBe(422);
  expect(refused.text).toContain('materials.provinceBirthCertificate.licenceId');

  const accepted = await s.ok('POST', `/api/applications/${app.id}/accept`, {
    as: 'clerk1',
    body: { materials: materialsWith(app, [offered(picked.signed)]) },
  });
  expect(accepted.materials.find((m: Json) => m.id === 'provinceBirthCertificate')).toMatchObject({
    status: 'eLicence',
    licenceId: picked.id,
  });
});
