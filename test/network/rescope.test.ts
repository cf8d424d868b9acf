/**
 * Inbox rows projected before 属地 scoping carry no decider fields; the server rebuilds them at
 * start (Centre.reprojectUnscopedTasks) so the deciding office finds its earlier tasks again.
 */
import { DEPARTMENT_TASKS } from '../../engine/src/applications/centre.js';
import { startCentreServer, taskId, type CentreServer } from '../http/centre-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

let s: CentreServer;
beforeAll(async () => {
  s = await startCentreServer({ sqlite: true });
});
afterAll(() => s.close());

const inbox = async (user: string, appId: string) =>
  (await s.ok('GET', '/api/tasks?limit=100', { as: user })).items
    .filter((t: Json) => t.applicationId === appId)
    .map((t: Json) => t.item);

it('rows without the decider fields are rebuilt once, and the office sees its task again', async () => {
  const appId = await s.caseIn('accepted');
  const rows = await s.docs.find<Json>(DEPARTMENT_TASKS, { where: { applicationId: appId } });
  expect(rows.length).toBeGreaterThan(0);
  // As an earlier version wrote them.
  for (const { deciderRegion: _r, deciderDistrict: _d, deciderCity: _c, ...old } of rows)
    await s.docs.replace(DEPARTMENT_TASKS, old);
  expect(await inbox('market-regulation1', appId)).toEqual([]);

  expect(await s.centre.reprojectUnscopedTasks()).toBe(1);
  expect(await inbox('market-regulation1', appId)).toEqual(['enterprise-registration']);
  const row = await s.docs.get<Json>(DEPARTMENT_TASKS, taskId(appId, 'enterprise-registration'));
  expect(row).toMatchObject({ deciderRegion: '440402', deciderDistrict: '440402', deciderCity: '440400' });
  expect(await s.centre.reprojectUnscopedTasks()).toBe(0);
});
