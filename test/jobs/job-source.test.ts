/**
 * The JobSource contract (engine/src/jobs/job-source.contract.ts) on the durable stores' job
 * queues: SQLite in a temp file, MongoDB on the test MongoDB-wire server (never skipped: without a
 * server, opening the store throws and the tests fail with the reason).
 */
import { describeJobSourceContract } from '../../engine/src/jobs/job-source.contract.js';
import type { Store } from '../../engine/src/store/port.js';
import { dropStore, mongo, sqlite, type StoreFactory } from '../store/stores.js';

for (const factory of [sqlite, mongo] as StoreFactory[]) {
  describeJobSourceContract(factory.kind, async () => {
    const store: Store = await factory.open(factory.location(`job-source-${factory.kind}`));
    return {
      source: store.queue,
      add: (job) => store.queue.add(job),
      close: async () => {
        await dropStore(store);
        await store.close();
      },
    };
  });
}

afterAll(() => sqlite.cleanup());
