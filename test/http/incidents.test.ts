/**
 * /api/incidents: every open incident of an instance is listed (with `incident`, the oldest, for
 * older clients), and each is retried on its own by incidentId; without one, all are.
 */
import { createEngine, type Engine } from '../../engine/src/index.js';
import { chain, endEvent, model, serviceTask, startEvent, userTask } from '../../engine/src/testing/bpmn.js';
import { T0 } from '../../engine/src/testing/harness.js';
import { APPLICANT_ID, APPLICANT_PHONE, startCentreServer, type CentreServer } from './centre-fixture.js';
import { expectProblem, startServer, type TestServer } from './support.js';

const PARALLEL = model(
  'twoCalls',
  `${startEvent('s')}<bpmn:parallelGateway id="fork"/>${serviceTask('tax', 'tax')}${serviceTask('police', 'police')}
   <bpmn:parallelGateway id="join"/>${userTask('decide')}${endEvent('e')}
   ${chain('s', 'fork')}${chain('fork', 'tax', 'join')}${chain('fork', 'police', 'join')}${chain('join', 'decide', 'e')}`,
);

let s: TestServer;
let engine: Engine;

beforeAll(async () => {
  engine = createEngine({ clock: () => T0 });
  await engine.deploy(PARALLEL);
  s = await startServer({ engine });
});
afterAll(() => s.close());

/** An instance whose two calls both failed into incidents. */
async function bothFailed(businessKey: string): Promise<string> {
  const v = await engine.start('twoCalls', { businessKey });
  for (const job of await engine.jobs({ instanceId: v.id }))
    await engine.failJob(job.id, { message: `${job.elementId} system down` });
  return v.id;
}

describe('/api/incidents', () => {
  it('lists every open incident of an instance, the oldest also as `incident`', async () => {
    const id = await bothFailed('APP-1');
    const res = await s.call('GET', '/api/incidents', { as: 'supervisor1' });
    expect(res.status).toBe(200);
    const item = res.body.items.find((i: { instanceId: string }) => i.instanceId === id);
    expect(item).toMatchObject({ processId: 'twoCalls', businessKey: 'APP-1' });
    expect(item.incidents.map((i: { elementId: string }) => i.elementId)).toEqual(['tax', 'police']);
    expect(item.incidents[1]).toEqual({
      id: expect.any(String),
      elementId: 'police',
      elementType: 'serviceTask',
      code: 'job.failed',
      message: 'police: police system down',
      at: T0,
      jobId: expect.any(String),
    });
    expect(item.incident).toEqual(item.incidents[0]);
    expect(JSON.stringify(item)).not.toMatch(/"token"|"phase"/); // runtime internals stay inside
  });

  it('retries one incident by id; the same id again is 404; the last one makes the instance active', async () => {
    const id = await bothFailed('APP-2');
    const [tax, police] = (await engine.instance(id)).incidents;
    const first = await s.call('POST', `/api/incidents/${id}/retry`, {
      as: 'supervisor1',
      body: { incidentId: tax!.id },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ instanceId: id, status: 'incident', incidents: [police], incident: police });
    expect((await engine.jobs({ instanceId: id })).map((j) => j.elementId)).toEqual(['tax']);

    const again = expectProblem(
      await s.call('POST', `/api/incidents/${id}/retry`, {
        as: 'supervisor1',
        body: { incidentId: tax!.id },
      }),
      404,
    );
    expect(again.detail).toContain(tax!.id);

    const last = await s.call('POST', `/api/incidents/${id}/retry`, {
      as: 'supervisor1',
      body: { incidentId: police!.id },
    });
    expect(last.body).toEqual({ instanceId: id, status: 'active', incidents: [] });
    const listed = await s.call('GET', '/api/incidents', { as: 'supervisor1' });
    expect(listed.body.items.map((i: { instanceId: string }) => i.instanceId)).not.toContain(id);
  });

  it('without an incidentId retries all of them; with nothing left it is 409', async () => {
    const id = await bothFailed('APP-3');
    const res = await s.call('POST', `/api/incidents/${id}/retry`, { as: 'supervisor1', body: {} });
    expect(res.body).toEqual({ instanceId: id, status: 'active', incidents: [] });
    expect((await engine.jobs({ instanceId: id })).map((j) => j.elementId).sort()).toEqual(['police', 'tax']);
    const none = expectProblem(
      await s.call('POST', `/api/incidents/${id}/retry`, { as: 'supervisor1', body: {} }),
      409,
    );
    expect(none.detail).toContain('has no incident');
  });

  it('an incidentId that is not a string is refused naming the field', async () => {
    const id = await bothFailed('APP-4');
    const p = expectProblem(
      await s.call('POST', `/api/incidents/${id}/retry`, { as: 'supervisor1', body: { incidentId: 7 } }),
      422,
    );
    expect(JSON.stringify(p.errors)).toContain('incidentId');
    expect((await engine.instance(id)).incidents).toHaveLength(2);
  });
});

describe('/api/incidents within the region (SECURITY.md: a supervisor reads the incidents of their region)', () => {
  let c: CentreServer;
  let caseInstance: string;
  let caseless: string;
  const PUSH = model(
    'push',
    `${startEvent('s')}${serviceTask('tax', 'tax')}${userTask('u')}${endEvent('e')}${chain('s', 'tax', 'u', 'e')}`,
  );
  /** An instance whose call failed with a department system's error body quoting personal numbers. */
  const failed = async (businessKey?: string, instanceId?: string) => {
    const v = await c.engine.start('push', {
      ...(businessKey ? { businessKey } : {}),
      ...(instanceId ? { instanceId } : {}),
    });
    for (const job of await c.engine.jobs({ instanceId: v.id }))
      await c.engine.failJob(job.id, {
        message: `http://tax.example answered 400: {"error":"no taxpayer ${APPLICANT_ID}, mobile ${APPLICANT_PHONE}"}`,
      });
    return v.id;
  };
  const listed = async (as: string, query = '') =>
    (await c.ok('GET', `/api/incidents${query}`, { as })).items as {
      instanceId: string;
      incident: { message: string };
      incidents: { message: string }[];
    }[];

  beforeAll(async () => {
    c = await startCentreServer();
    await c.engine.deploy(PUSH);
    const appId = await c.caseIn('accepted'); // clerk1, 香洲 440402
    caseInstance = await failed(appId);
    caseless = await failed(); // an engine process tied to no case
  });
  afterAll(() => c.close());

  it("lists a case's incidents only to those who may see the case; the rest only what has no case", async () => {
    const ids = async (as: string) => (await listed(as)).map((i) => i.instanceId);
    expect(await ids('supervisor3')).toEqual(expect.arrayContaining([caseInstance, caseless])); // 香洲
    expect(await ids('supervisor1')).toEqual(expect.arrayContaining([caseInstance, caseless])); // the city
    expect(await ids('supervisor2')).toEqual([caseless]); // 斗门
    expect(await ids('analyst1')).toEqual([caseless]); // analysts read no case
  });

  it('fills a page past the incidents of cases the supervisor may not see', async () => {
    // Listed by instance id: these three come before every other one.
    for (let i = 0; i < 3; i++) await failed(await c.caseIn('accepted'), `0000-foreign-${i}`);
    const page = await listed('supervisor2', '?limit=1');
    expect(page.map((i) => i.instanceId)).toEqual([caseless]);
  });

  it('masks ID numbers and mobiles in the messages it shows', async () => {
    const [item] = (await listed('supervisor3')).filter((i) => i.instanceId === caseInstance);
    const text = JSON.stringify(item);
    expect(text).not.toContain(APPLICANT_ID);
    expect(text).not.toContain(APPLICANT_PHONE);
    expect(item!.incident.message).toContain('440402********1232');
    expect(item!.incident.message).toContain('138****8000');
    // The supervisor figures list incidents too.
    const figures = await c.ok('GET', '/api/metrics/aggregates', { as: 'supervisor3' });
    expect(figures.incidents.items.map((i: { instanceId: string }) => i.instanceId)).toContain(caseInstance);
    expect(JSON.stringify(figures.incidents)).not.toMatch(new RegExp(`${APPLICANT_ID}|${APPLICANT_PHONE}`));
  });

  it('a retry of an incident of a case the supervisor may not see is 404, as for no such instance', async () => {
    const strip = (b: Record<string, unknown>) => {
      const { instance: _i, requestId: _r, ...rest } = b;
      return JSON.stringify(rest).replaceAll(caseInstance, 'X').replaceAll('no-such-instance', 'X');
    };
    const foreign = expectProblem(
      await c.call('POST', `/api/incidents/${caseInstance}/retry`, { as: 'supervisor2', body: {} }),
      404,
    );
    const none = expectProblem(
      await c.call('POST', '/api/incidents/no-such-instance/retry', { as: 'supervisor2', body: {} }),
      404,
    );
    expect(strip(foreign)).toEqual(strip(none));
    expect((await c.engine.instance(caseInstance)).status).toBe('incident');
  });

  it('a supervisor may not set process variables on a retry: 403 naming the field', async () => {
    const p = expectProblem(
      await c.call('POST', `/api/incidents/${caseInstance}/retry`, {
        as: 'supervisor3',
        body: { variables: { injected: true } },
      }),
      403,
    );
    expect(p.errors.map((e: { field: string }) => e.field)).toEqual(['variables']);
    expect(p.zh.detail).toMatch(/[\u4e00-\u9fff]/);
    expect(p.en.detail).toMatch(/variables/);
    const still = await c.engine.instance(caseInstance);
    expect(still.status).toBe('incident');
    expect(still.variables).toEqual({});

    const retried = await c.call('POST', `/api/incidents/${caseInstance}/retry`, {
      as: 'supervisor3',
      body: {},
    });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ instanceId: caseInstance, status: 'active', incidents: [] });
  });
});
