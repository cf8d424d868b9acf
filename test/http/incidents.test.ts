/**
 * /api/incidents: every open incident of an instance is listed (with `incident`, the oldest, for
 * older clients), and each is retried on its own by incidentId; without one, all are.
 */
import { createEngine, type Engine } from '../../engine/src/index.js';
import { chain, endEvent, model, serviceTask, startEvent, userTask } from '../../engine/src/testing/bpmn.js';
import { T0 } from '../../engine/src/testing/harness.js';
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
      body: { incidentId: police!.id, variables: { note: 'police system back' } },
    });
    expect(last.body).toEqual({ instanceId: id, status: 'active', incidents: [] });
    expect((await engine.instance(id)).variables).toEqual({ note: 'police system back' });
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
