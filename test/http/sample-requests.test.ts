/**
 * The sample requests shipped in examples/requests/ (README), sent as the README sends them: a
 * clerk at the 香洲区 centre creates, submits and accepts each bundle's case on the server set-up
 * (cases routed through the Zhuhai network to the competent office, 属地), and the demo department
 * users find every routed item in their inbox and approve it until the results are ready.
 */
import { readFileSync } from 'node:fs';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { startCentreServer, type CentreServer } from './centre-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const BUNDLES = ['business-startup', 'restaurant', 'newborn', 'flexible-employment', 'utility-connection'];
const request = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../examples/requests/${name}.json`, import.meta.url), 'utf8'));
const DEPARTMENT_USERS: string[] = JSON.parse(
  readFileSync(new URL('../../engine/src/http/auth/demo-users.json', import.meta.url), 'utf8'),
)
  .users.filter((u: Json) => u.role === 'department')
  .map((u: Json) => u.username);

let s: CentreServer;
beforeAll(async () => {
  s = await startCentreServer({ sqlite: true, bundles: BUNDLES });
});
afterAll(() => s.close());

/** Creates, submits and accepts the bundle's sample request as clerk1 (香洲区政务服务中心). */
async function acceptSample(code: string): Promise<string> {
  const app = await s.ok('POST', '/api/applications', { as: 'clerk1', body: request(`${code}-application`) });
  await s.ok('POST', `/api/applications/${app.id}/submit`, { as: 'clerk1' });
  await s.ok('POST', `/api/applications/${app.id}/accept`, { as: 'clerk1', body: request(`${code}-accept`) });
  return app.id;
}

/** Demo department users approve what their inboxes hold of this case, round after round. */
async function processAll(appId: string): Promise<{ app: Json; decidedBy: Map<string, string> }> {
  const decidedBy = new Map<string, string>();
  for (let round = 0; round < 10; round++) {
    let approved = 0;
    for (const user of DEPARTMENT_USERS) {
      const inbox = await s.ok('GET', '/api/tasks?state=open&limit=100', { as: user });
      for (const task of inbox.items.filter((t: Json) => t.applicationId === appId)) {
        await s.ok('POST', `/api/tasks/${encodeURIComponent(task.id)}/approve`, {
          as: user,
          body: approvalOf(task.item),
        });
        decidedBy.set(task.item, user);
        approved++;
      }
    }
    const app = await s.ok('GET', `/api/applications/${appId}`, { as: 'clerk1' });
    if (app.status === 'results-ready' || approved === 0) return { app, decidedBy };
  }
  throw new Error('the case did not finish');
}

describe.each(BUNDLES)('the %s sample request at the 香洲区 centre', (code) => {
  it('is accepted, routed, and every item is decided by a demo department user', async () => {
    const appId = await acceptSample(code);
    const { app, decidedBy } = await processAll(appId);
    expect(app.acceptedVenue).toBe('xiangzhou-centre');
    const active = app.items.filter((i: Json) => i.status !== 'skipped' && i.status !== 'not-applicable');
    expect(active.length).toBeGreaterThan(0);
    for (const item of active) expect(item.decidingDepartment).toEqual(expect.any(String));
    expect([...decidedBy.keys()].sort()).toEqual(active.map((i: Json) => i.item).sort());
    expect(app.status).toBe('results-ready');
  });
});
