/**
 * The JobSource contract (engine/src/jobs/job-source.contract.ts) on the durable stores' job
 * queues: SQLite in a temp file, MongoDB on the test MongoDB-wire server (never skipped: without a
 * server, opening the store throws and the tests fail with the reason).
 */
import { describeJobSourceContract } from '../../engine/src/jobs/job-source.contract.js';
import { TIMER_JOB_TYPE } from '../../engine/src/jobs/job-source.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import type { Store } from '../../engine/src/store/port.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
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

describe('the job queue of a database written before it existed', () => {
  afterAll(() => sqlite.cleanup());

  test.each([sqlite, mongo])(
    '$kind: waiting timers and open jobs are queued when the store opens',
    async (factory) => {
      const location = factory.location(`job-queue-upgrade-${factory.kind}`);
      let store = await factory.open(location);
      const job = {
        id: 'i1.w2',
        instanceId: 'i1',
        elementId: 'notify',
        type: 'sms',
        createdAt: 5,
        variables: {},
      };
      await store.project('i1', [
        { type: 'timer.scheduled', timerId: 'i1.w1', dueAt: 100, elementId: 'wait' },
        { type: 'job.created', job, retries: 2 },
      ]);
      // Forget the queue, as a database from before it would not have one (and give SQLite the
      // history table of that version, which migration 4 rebuilds).
      if (store instanceof SqliteStore) {
        store.db.exec(
          'DROP TABLE job_queue; DROP TABLE incidents; DROP TABLE history; ' +
            'CREATE TABLE history (instance_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL, ' +
            'PRIMARY KEY (instance_id, seq)) WITHOUT ROWID; PRAGMA user_version = 2',
        );
      } else {
        await (store as MongoStore).queue.model.collection.drop();
      }
      await store.close();
      store = await factory.open(location);
      try {
        const claimed = await store.queue.claim(100, 'w', 1000, 10);
        expect(claimed.map((j) => [j.id, j.type, j.instanceId, j.elementId, j.maxAttempts])).toEqual([
          ['i1.w2', 'sms', 'i1', 'notify', 2],
          ['i1.w1', TIMER_JOB_TYPE, 'i1', 'wait', 3],
        ]);
      } finally {
        await dropStore(store);
        await store.close();
      }
    },
  );
});
