/**
 * An answer set under which no item of the bundle applies is nothing to apply for: the centre
 * refuses to create it, to change a draft into it, and to accept it, with a problem (zh and en)
 * that names the answers why; in process and through the HTTP API on SQLite.
 */
import { APPLICATIONS } from '../../engine/src/applications/centre.js';
import type { Application } from '../../engine/src/applications/types.js';
import { MemoryDocStore } from '../../engine/src/domain/docs.js';
import { APPLICANTS, clerk, Desk, sample } from './support.js';

const insuredByEmployer = { ...sample('flexible-employment').answers, employerInsured: true };
const refusal = {
  code: 'invalid',
  text: {
    zh: expect.stringContaining(
      '按所答情形，“灵活就业”没有可办理的事项，不能申请或受理（目前是否由单位参保：是',
    ),
    en: expect.stringContaining('No item of "Flexible employment registration" applies'),
  },
  fieldErrors: [expect.objectContaining({ field: 'answers' })],
};

describe.each([false, true])('zero-item applications are refused (over HTTP: %s)', (http) => {
  it('creating one: the problem names the answer that leaves no item (already insured by an employer)', async () => {
    const desk = await Desk.open({ codes: ['flexible-employment'], http });
    await expect(
      desk.centre.createApplication(clerk, {
        bundleCode: 'flexible-employment',
        answers: insuredByEmployer,
        data: sample('flexible-employment').data,
        applicant: APPLICANTS['flexible-employment'],
      }),
    ).rejects.toMatchObject(refusal);
    expect(await desk.centre.listApplications(clerk, {})).toMatchObject({ items: [] });
  });

  it('a joint utility connection with no connection chosen: the problem names the empty choice', async () => {
    const desk = await Desk.open({ codes: ['utility-connection'], http });
    await expect(
      desk.centre.createApplication(clerk, {
        bundleCode: 'utility-connection',
        answers: { ...sample('utility-connection').answers, utilities: [], crossesRoad: 'no' },
        applicant: APPLICANTS['utility-connection'],
      }),
    ).rejects.toMatchObject({
      code: 'invalid',
      text: {
        zh: expect.stringContaining('报装哪些业务：均未选择'),
        en: expect.stringContaining('Which connections: none chosen'),
      },
    });
  });

  it('changing a draft into one: refused, the draft keeps its items', async () => {
    const desk = await Desk.open({ codes: ['flexible-employment'], http });
    const draft = await desk.centre.createApplication(clerk, {
      bundleCode: 'flexible-employment',
      answers: sample('flexible-employment').answers,
      applicant: APPLICANTS['flexible-employment'],
    });
    await expect(
      desk.centre.updateApplication(clerk, draft.id, { answers: insuredByEmployer }),
    ).rejects.toMatchObject(refusal);
    expect((await desk.get(draft.id)).items).toHaveLength(draft.items.length);
  });
});

it('accepting one stored before the rule (no items): refused, nothing is started', async () => {
  const docs = new MemoryDocStore();
  const desk = await Desk.open({ codes: ['flexible-employment'], docs });
  const app = await desk.submitted('flexible-employment');
  const stored = (await docs.get<Application>(APPLICATIONS, app.id))!;
  await docs.put(
    APPLICATIONS,
    { ...stored, answers: insuredByEmployer, items: [], materials: [] },
    stored.rev,
  );
  await expect(desk.accept(await desk.get(app.id))).rejects.toMatchObject(refusal);
  const after = await desk.get(app.id);
  expect(after.status).toBe('submitted');
  expect(after.instanceId).toBeUndefined();
});
