/**
 * /metrics and /api/metrics count incidents on the store's index instead of loading every
 * instance in incident, and the public /metrics and /healthz count against the per-IP budget.
 */
import { createEngine, type Engine } from '../../engine/src/index.js';
import type { InstanceFilter, Page } from '../../engine/src/store/port.js';
import { MemoryStore } from '../../engine/src/store/memory.js';
import { chain, endEvent, model, serviceTask, startEvent } from '../../engine/src/testing/bpmn.js';
import { expectProblem, startServer, stubCentre, type TestServer } from './support.js';

const ONE_CALL = model(
  'oneCall',
  `${startEvent('s')}${serviceTask('tax', 'tax')}${endEvent('e')}${chain('s', 'tax', 'e')}`,
);

/** A memory store that remembers how many instance records were listed (each a full state). */
class ListingStore extends MemoryStore {
  listedRecords = 0;
  override async listInstances(filter: InstanceFilter, page?: Page) {
    const records = await super.listInstances(filter, page);
    this.listedRecords += records.length;
    return records;
  }
}

describe('incident figures', () => {
  let s: TestServer;
  let store: ListingStore;
  let engine: Engine;

  beforeAll(async () => {
    store = new ListingStore();
    engine = createEngine({ store });
    await engine.deploy(ONE_CALL);
    for (const key of ['A', 'B', 'C']) {
      const v = await engine.start('oneCall', { businessKey: key });
      for (const job of await engine.jobs({ instanceId: v.id }))
        await engine.failJob(job.id, { message: 'down' });
    }
    await engine.start('oneCall', { businessKey: 'still running' });
    s = await startServer({
      engine,
      centre: stubCentre({ listApplications: async () => ({ items: [] }) }),
    });
  });
  afterAll(() => s.close());

  it('/metrics and /api/metrics count the instances in incident without loading one', async () => {
    expect(await store.countInstances({ status: 'incident' })).toBe(3);
    store.listedRecords = 0;
    const scrape = await s.call('GET', '/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.text).toMatch(/^onething_incidents 3$/m);
    const summary = await s.call('GET', '/api/metrics', { as: 'supervisor1' });
    expect(summary.status).toBe(200);
    expect(summary.body.incidents).toBe(3);
    expect(store.listedRecords).toBe(0);
  });
});

describe('per-IP budget on the public probes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({
      rateLimits: { ip: { points: 3, seconds: 60 }, user: false, userWrites: false, login: false },
    });
  });
  afterAll(() => s.close());

  it('/metrics and /healthz count against the client address, and answer 429 over it', async () => {
    expect((await s.call('GET', '/metrics')).status).toBe(200);
    expect((await s.call('GET', '/healthz')).headers.get('ratelimit-remaining')).toBe('1');
    expect((await s.call('GET', '/metrics')).status).toBe(200);
    const over = await s.call('GET', '/metrics');
    expectProblem(over, 429);
    expect(over.headers.get('retry-after')).toBeTruthy();
    expectProblem(await s.call('GET', '/healthz'), 429);
  });
});
