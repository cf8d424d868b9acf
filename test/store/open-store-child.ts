/**
 * Child process for the openStore tests: opens the store exactly as `npm start` does
 * (openStore(process.env), in this process's working directory) and prints one JSON line.
 *   first run  (no instance with business key "keep" yet): deploys and starts one;
 *   later runs: reports what it finds and completes the open task.
 */
import { createEngine } from '../../engine/src/index.js';
import { openStore } from '../../engine/src/store/index.js';
import { TWO_STEP } from './processes.js';

const store = await openStore(process.env);
const engine = createEngine({ store });
await engine.recover();
const [found] = await store.listInstances({ businessKey: 'keep' });
let out: Record<string, unknown>;
if (!found) {
  await engine.deploy(TWO_STEP);
  const v = await engine.start('two-step', { businessKey: 'keep', variables: { 'first.run': true } });
  out = { store: store.constructor.name, started: v.id, open: v.openTasks.map((t) => t.elementId) };
} else {
  const open = Object.values(found.state.tasks);
  for (const t of open) await engine.completeTask(t.id);
  const after = await engine.instance(found.id);
  out = {
    store: store.constructor.name,
    found: found.id,
    completed: open.map((t) => t.elementId),
    status: after.status,
    variables: after.variables,
    deployments: (await store.listDeployments()).length,
  };
}
await store.close();
process.stdout.write(JSON.stringify(out) + '\n');
