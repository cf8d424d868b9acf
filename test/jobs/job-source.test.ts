/**
 * The JobSource contract (engine/src/jobs/job-source.contract.ts) on the durable stores' job
 * queues: SQLite in a temp file, MongoDB on the test MongoDB-wire server (never skipped: without a
 * server, opening the store throws and the tests fail with the reason).
 */
import { describeJobSourceContract } from '../../engine/src/jobs/job-source.contract.js';
import { TIMER_JOB_TYPE } from '../../engine/src/jobs/job-source.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import type { Store } from '../../engine/src/store/port.js';
import Database from 'better-sqlite3';
import { migrate } from '../../engine/src/store/sqlite/schema.js';
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
      const job = {
        id: 'i1.w2',
        instanceId: 'i1',
        elementId: 'notify',
        type: 'sms',
        createdAt: 5,
        variables: {},
      };
      if (factory.kind === 'sqlite') {
        // A real version-2 database: waiting timers and open jobs, no queue yet.
        const db = new Database(location);
        migrate(db, 2);
        db.prepare('INSERT INTO timers (id, instance_id, element_id, due_at) VALUES (?, ?, ?, ?)').run(
          'i1.w1',
          'i1',
          'wait',
          100,
        );
        db.prepare('INSERT INTO jobs (id, instance_id, type, created_at, doc) VALUES (?, ?, ?, ?, ?)').run(
          job.id,
          job.instanceId,
          job.type,
          job.createdAt,
          JSON.stringify({ ...job, retries: 2 }),
        );
        db.close();
      } else {
        // Forget the queue, as a database from before it would not have one.
        const store = await factory.open(location);
        await store.project('i1', [
          { type: 'timer.scheduled', timerId: 'i1.w1', dueAt: 100, elementId: 'wait' },
          { type: 'job.created', job, retries: 2 },
        ]);
        await (store as MongoStore).queue.model.collection.drop();
        await store.close();
      }
      const upgraded = await factory.open(location);
      try {
        const claimed = await upgraded.queue.claim(100, 'w', 1000, 10);
        expect(claimed.map((j) => [j.id, j.type, j.instanceId, j.elementId, j.maxAttempts])).toEqual([
          ['i1.w2', 'sms', 'i1', 'notify', 2],
          ['i1.w1', TIMER_JOB_TYPE, 'i1', 'wait', 3],
        ]);
      } finally {
        await dropStore(upgraded);
        await upgraded.close();
      }
    },
  );
});
