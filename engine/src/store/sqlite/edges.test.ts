/**
 * Edges of the SQLite store's life and paging, found in review: two shutdown paths closing it at
 * once, and a page of open tasks asked with a limit of none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../../index.js';
import { chain, endEvent, model, startEvent, userTask } from '../../testing/bpmn.js';
import { SqliteStore } from './index.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'onething-sqlite-edges-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('two close() at once both resolve, and the file is closed', async () => {
  const store = new SqliteStore(path.join(dir, 'a.db'));
  await new Promise((resolve) => setTimeout(resolve, 50)); // the checkpoint worker has opened its connection
  const outcome = await Promise.race([
    Promise.all([store.close(), store.close()]).then(() => 'closed'),
    new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
  ]);
  expect(outcome).toBe('closed');
  expect(store.db.open).toBe(false);
});

it('a page of open tasks of every department with a limit of 0 holds none; of -1, every one (as LIMIT does)', async () => {
  const store = new SqliteStore(path.join(dir, 'b.db'));
  const engine = createEngine({ store });
  await engine.deploy(
    model(
      'p',
      `${startEvent('s')}${userTask('t', { department: 'tax' })}${endEvent('e')}${chain('s', 't', 'e')}`,
    ),
  );
  await engine.start('p');
  await engine.start('p');
  expect(await store.findTasks({ state: 'open' }, { limit: 0 })).toEqual([]);
  expect(await store.findTasks({ state: 'open' }, { limit: -1 })).toHaveLength(2);
  expect(await store.findTasks({ state: 'open' }, { limit: 1 })).toHaveLength(1);
  await store.close();
});
