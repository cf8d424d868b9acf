/**
 * Child process for the concurrency test: its own store connection and engine. Usage:
 *   node --import tsx test/store/race-worker.ts <sqlite|mongo> <file or URI> <name>
 * Prints READY, then for each task id read from stdin (one per line) completes the task and
 * prints one JSON line {taskId, outcome: 'ok' | 'conflict' | 'error', message?}. Exits when
 * stdin closes.
 */
import { createInterface } from 'node:readline';
import { createEngine } from '../../engine/src/index.js';
import { openStore } from '../../engine/src/store/index.js';

const [kind, location, name = 'worker'] = process.argv.slice(2);
if ((kind !== 'sqlite' && kind !== 'mongo') || !location) {
  process.stderr.write('usage: race-worker.ts <sqlite|mongo> <location> [name]\n');
  process.exit(64);
}

// openStore, as `npm start` does (mongoose is only loaded for MongoDB).
const store = await openStore(kind === 'mongo' ? { MONGODB_URI: location } : { ONETHING_DB: location });
const engine = createEngine({ store });
process.stdout.write('READY\n');

for await (const line of createInterface({ input: process.stdin })) {
  const taskId = line.trim();
  if (!taskId) continue;
  let result: { taskId: string; outcome: string; message?: string };
  try {
    await engine.completeTask(taskId, { actor: name });
    result = { taskId, outcome: 'ok' };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    result = { taskId, outcome: e.code === 'conflict' ? 'conflict' : 'error', message: String(e.message) };
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}
await store.close();
