/**
 * Group commit on MongoDB: commits made while other commands are under way go to the server as
 * one ordered bulk write at the end of the event-loop turn (a grouped conflict failing alone is in
 * the store contract). A client alone sends one bulk write per commit; a close sends what waits.
 */
import { createEngine } from '../../engine/src/index.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import { freshDbUri } from '../support/mongo.js';
import { TWO_STEP } from './processes.js';
import { created, hist, record, state, task } from './records.js';

const opened: MongoStore[] = [];
afterAll(async () => {
  for (const s of opened) {
    await s.connection.dropDatabase().catch(() => undefined);
    await s.close();
  }
});

/** A store on a fresh database, with its bulk writes to `records` counted. */
async function countingStore(name: string) {
  const uri = freshDbUri(name);
  const store = await MongoStore.open(uri);
  opened.push(store);
  const records = store.models.Record.collection;
  const bulkWrite = records.bulkWrite.bind(records);
  const sent = { bulkWrites: 0 };
  records.bulkWrite = ((...args: Parameters<typeof bulkWrite>) => {
    sent.bulkWrites++;
    return bulkWrite(...args);
  }) as typeof records.bulkWrite;
  return { store, sent, uri };
}

test('ten starts at once reach the server in fewer bulk writes, and every one is stored', async () => {
  const { store, sent, uri } = await countingStore('group-starts');
  const engine = createEngine({ store });
  await engine.deploy(TWO_STEP);
  sent.bulkWrites = 0;
  const views = await Promise.all(Array.from({ length: 10 }, () => engine.start('two-step')));
  // How many go together depends on when the server's answers to the starts' reads arrive.
  expect(sent.bulkWrites).toBeLessThan(10);
  const other = await MongoStore.open(uri);
  try {
    for (const v of views) expect((await other.getTask(v.openTasks[0]!.id))?.state).toBe('open');
  } finally {
    await other.close();
  }
});

test('a client alone sends each commit as it comes', async () => {
  const { store, sent } = await countingStore('group-alone');
  const engine = createEngine({ store });
  await engine.deploy(TWO_STEP);
  sent.bulkWrites = 0;
  const view = await engine.start('two-step');
  await engine.completeTask(view.openTasks[0]!.id);
  expect(sent.bulkWrites).toBe(2);
});

const grouped = { grouped: true };
const withTask = (id: string) => record(id, 1, [created(task(`${id}.w1`, { instanceId: id })), hist(id, 1)]);

test('closing the store sends the commits held back, and those the last group set off', async () => {
  const uri = freshDbUri('group-close');
  const store = await MongoStore.open(uri);
  const held = store.commit(withTask('x'), null, grouped);
  // A follow-up of a commit the closing store answers: queued while the close waits.
  const next = held.then(() => store.commit(withTask('y'), null, grouped));
  await store.close();
  await Promise.all([held, next]);
  const again = await MongoStore.open(uri);
  opened.push(again);
  expect((await again.getTask('x.w1'))?.state).toBe('open');
  expect((await again.getTask('y.w1'))?.state).toBe('open');
});

test('a commit the driver refuses (a document over 16 MB) fails alone; the others in its group are written', async () => {
  const { store } = await countingStore('group-too-large');
  const huge = record('b', 1, [hist('b', 1)], { state: state('b', { scan: 'x'.repeat(17 * 2 ** 20) }) });
  const outcomes = await Promise.allSettled([
    store.commit(withTask('a'), null, grouped),
    store.commit(huge, null, grouped),
    store.commit(withTask('c'), null, grouped),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((await store.getTask('a.w1'))?.state).toBe('open');
  expect((await store.getTask('c.w1'))?.state).toBe('open');
  expect(await store.getInstance('b')).toBeUndefined();
});
