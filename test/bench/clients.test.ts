/**
 * bench/lib/onething.ts runInstances with several clients: every instance run once, to its end,
 * with the clients' instances under way at the same time (what lets SQLite group their commits).
 */
import { createEngine } from '../../engine/src/index.js';
import { MemoryStore } from '../../engine/src/store/memory.js';
import { fanout } from '../../bench/cases/engine.js';
import { runInstances } from '../../bench/lib/onething.js';

it('runs each instance once with four clients at once, and counts their user tasks', async () => {
  const store = new MemoryStore();
  const engine = createEngine({ store });
  await engine.deploy(fanout.xml);
  let open = 0;
  let most = 0;
  const start = engine.start.bind(engine);
  engine.start = async (...args) => {
    most = Math.max(most, ++open);
    return start(...args);
  };
  const complete = engine.completeTask.bind(engine);
  engine.completeTask = async (...args) => {
    const view = await complete(...args);
    if (view.status !== 'active') open--;
    return view;
  };

  const work = await runInstances(engine, fanout, 10, 100, 4);

  expect(work).toEqual({ ops: 10, tasks: 10 * fanout.variants[0]!.tasks });
  const instances = await store.listInstances({ processId: fanout.processId }, { limit: 100 });
  expect(instances.map((i) => i.status)).toEqual(Array(10).fill('completed'));
  expect(new Set(instances.map((i) => i.businessKey)).size).toBe(10);
  expect(most).toBe(4);
});
