/**
 * Crash-test driver, run as a child process that the test SIGKILLs at random moments:
 *   npx tsx test/store/crash-driver.ts <sqlite|mongo> <file or URI> <instances> [concurrency]
 *
 * Opens the store, runs engine.recover() (what a killed predecessor left half done), prints
 * READY <completions left>, then drives instances `c0` … `c<n-1>` of `crash-parent` (which calls
 * `crash-child` and waits for the child's message, see processes.ts) to completion, several at a
 * time: start it if it does not exist, complete whatever task the parent or its child has open.
 * After each completion the engine acknowledged it prints
 *   ACK <instanceId> <elementId> <taskId>
 * and when every instance has completed it prints DONE and exits 0. Rerunning it after a kill
 * continues where the store says things are. An instance with nothing open that has not ended is
 * stuck (a follow-up was lost): the driver says so on stderr and exits 1.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createEngine } from '../../engine/src/index.js';
import { CALL_AND_MESSAGE, CALL_AND_MESSAGE_STEPS } from './processes.js';
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
if ((await store.latestVersion('crash-parent')) === 0) await engine.deploy(CALL_AND_MESSAGE);
// What is left to do, so the test can kill before the work runs out.
const completed = (await store.findTasks({ state: 'completed' })).length;
process.stdout.write(`READY ${CALL_AND_MESSAGE_STEPS * total - completed}\n`);

async function drive(id: string): Promise<void> {
  if (!(await store.getInstance(id))) {
    try {
      await startingId.run(id, () => engine.start('crash-parent', { businessKey: id }));
    } catch (err) {
      if ((err as { code?: string }).code !== 'conflict') throw err;
    }
  }
  for (;;) {
    const parent = (await store.getInstance(id))!;
    if (parent.status !== 'active') {
      if (parent.status !== 'completed') throw new Error(`instance ${id} ended ${parent.status}`);
      return;
    }
    // The called child, while the parent waits on it: the engine derives its id from the wait.
    const call = Object.values(parent.state.waits).find((w) => w.kind === 'call');
    const child = call && (await store.getInstance(`${call.id}-call`));
    const open = [parent, ...(child ? [child] : [])].flatMap((r) => Object.values(r.state.tasks));
    if (!open.length) {
      const waits = Object.values(parent.state.waits).map((w) => w.kind);
      throw new Error(`instance ${id} is stuck: nothing open, the parent waits on ${waits.join(', ')}`);
    }
    for (const task of open) {
      await engine.completeTask(task.id, { actor: 'driver' });
      process.stdout.write(`ACK ${id} ${task.elementId} ${task.id}\n`);
    }
  }
}

let next = 0;
await Promise.all(
  Array.from({ length: Number(parallel) }, async () => {
    while (next < total) await drive(`c${next++}`);
  }),
);
process.stdout.write('DONE\n');
await store.close();
