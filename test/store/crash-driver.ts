/**
 * Crash-test driver, run as a child process that the test SIGKILLs at random moments:
 *   npx tsx test/store/crash-driver.ts <sqlite|mongo> <file or URI> <instances> [concurrency]
 *
 * Opens the store, runs engine.recover() (what a killed predecessor left half done), prints
 * READY, then drives instances `c0` … `c<n-1>` of the two-step process to completion, several
 * at a time: start it if it does not exist, complete whatever task the instance record says is
 * open. After each completion the engine acknowledged it prints
 *   ACK <instanceId> <elementId> <taskId>
 * and when every instance has completed it prints DONE and exits 0. Rerunning it after a kill
 * continues where the store says things are.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createEngine } from '../../engine/src/index.js';
import { TWO_STEP } from './processes.js';
import { openStore } from '../../engine/src/store/index.js';

const [kind, location, count = '2000', parallel = '8'] = process.argv.slice(2);
if ((kind !== 'sqlite' && kind !== 'mongo') || !location) {
  process.stderr.write('usage: crash-driver.ts <sqlite|mongo> <location> [instances] [concurrency]\n');
  process.exit(64);
}
const total = Number(count);

// Instance ids are fixed (c0, c1, …) so a rerun finds what an earlier run started: engine.start
// takes its id from newId, which returns the id of the start it is called from.
const startingId = new AsyncLocalStorage<string>();
// openStore, as `npm start` does (mongoose is only loaded for MongoDB).
const store = await openStore(kind === 'mongo' ? { MONGODB_URI: location } : { ONETHING_DB: location });
const engine = createEngine({ store, newId: () => startingId.getStore() ?? randomUUID() });

while ((await engine.recover()) > 0) {
  // until nothing is pending
}
if ((await store.latestVersion('two-step')) === 0) await engine.deploy(TWO_STEP);
process.stdout.write('READY\n');

async function drive(id: string): Promise<void> {
  let record = await store.getInstance(id);
  if (!record) {
    try {
      await startingId.run(id, () => engine.start('two-step'));
    } catch (err) {
      if ((err as { code?: string }).code !== 'conflict') throw err;
    }
    record = (await store.getInstance(id))!;
  }
  while (record.status === 'active') {
    for (const task of Object.values(record.state.tasks)) {
      await engine.completeTask(task.id, { actor: 'driver' });
      process.stdout.write(`ACK ${id} ${task.elementId} ${task.id}\n`);
    }
    record = (await store.getInstance(id))!;
  }
  if (record.status !== 'completed') throw new Error(`instance ${id} ended ${record.status}`);
}

let next = 0;
await Promise.all(
  Array.from({ length: Number(parallel) }, async () => {
    while (next < total) await drive(`c${next++}`);
  }),
);
process.stdout.write('DONE\n');
await store.close();
