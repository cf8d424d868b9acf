/**
 * Store.countInstances on every adapter: as many as listInstances lists for the same filter
 * (what /metrics reads for its incidents gauge, without loading a record).
 */
import type { InstanceFilter, Store } from '../../engine/src/store/port.js';
import { record } from './records.js';
import { ALL, dropStore, type StoreFactory } from './stores.js';

describe.each(ALL)('Store.countInstances: $kind', (factory: StoreFactory) => {
  let store: Store;

  beforeAll(async () => {
    store = await factory.open(factory.location(`count-${factory.kind}`));
    const statuses = [
      'active',
      'incident',
      'completed',
      'incident',
      'active',
      'incident',
      'terminated',
    ] as const;
    for (const [i, status] of statuses.entries()) {
      await store.createInstance(
        record(`inst-${i}`, 1, [], {
          processId: i % 2 ? 'odd' : 'even',
          status,
          ...(i === 3 ? { businessKey: 'BK-3' } : {}),
        }),
      );
    }
  });
  afterAll(async () => {
    await dropStore(store);
    await store.close();
    factory.cleanup();
  });

  const filters: InstanceFilter[] = [
    {},
    { status: 'incident' },
    { status: 'completed' },
    { status: 'active', processId: 'even' },
    { processId: 'odd' },
    { businessKey: 'BK-3', status: 'incident' },
    { status: 'incident', processId: 'none' },
  ];

  test.each(filters)('counts what listInstances(%j) lists', async (filter) => {
    expect(await store.countInstances(filter)).toBe((await store.listInstances(filter)).length);
  });

  test('the incidents gauge figure', async () => {
    expect(await store.countInstances({ status: 'incident' })).toBe(3);
  });
});
