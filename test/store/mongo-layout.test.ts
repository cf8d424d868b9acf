/**
 * MongoDB only: how the store lays its documents out. A database written by the earlier layout
 * (instances, tasks and history in collections of their own) is moved into `records` on open;
 * a commit is one round trip to write; a caller's instance id cannot collide with a task's.
 */
import mongoose from 'mongoose';
import type { Task } from '../../engine/src/api.js';
import { FORMAT_VERSION } from '../../engine/src/store/mongo/format.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import type { InstanceRecord } from '../../engine/src/store/port.js';
import { freshDbUri } from '../support/mongo.js';

const T0 = Date.UTC(2026, 0, 5, 9);

function task(id: string, instanceId: string): Task {
  return {
    id,
    instanceId,
    processId: 'p',
    elementId: 'review',
    name: 'Review',
    state: 'open',
    department: 'tax',
    createdAt: T0,
  } as Task;
}

function record(id: string, rev: number, outbox: InstanceRecord['outbox'] = []): InstanceRecord {
  return {
    id,
    processId: 'p',
    version: 1,
    deploymentId: 'd1',
    status: 'active',
    rev,
    state: {
      id,
      processId: 'p',
      deploymentId: 'd1',
      version: 1,
      status: 'active',
    } as InstanceRecord['state'],
    startedAt: T0,
    updatedAt: T0,
    outbox,
  };
}

const stores: MongoStore[] = [];
afterAll(async () => {
  for (const s of stores) {
    await s.connection.dropDatabase().catch(() => undefined);
    await s.close();
  }
});

async function open(uri: string): Promise<MongoStore> {
  const store = await MongoStore.open(uri);
  stores.push(store);
  return store;
}

test("the database keeps the stored format's version: recorded on open, never lowered, a newer one refused", async () => {
  const uri = freshDbUri('mongo-format');
  const store = await open(uri);
  const meta = store.connection.db!.collection<{ _id: string; version: number }>('onething_meta');
  expect(await meta.findOne({ _id: 'format' })).toMatchObject({ version: FORMAT_VERSION });
  await open(uri); // opening again changes nothing
  expect(await meta.countDocuments()).toBe(1);
  await meta.updateOne({ _id: 'format' }, { $set: { version: FORMAT_VERSION + 1 } });
  await expect(MongoStore.open(uri)).rejects.toThrow(
    `database format version ${FORMAT_VERSION + 1} is newer than this OneThing understands (${FORMAT_VERSION})`,
  );
  expect(await meta.findOne({ _id: 'format' })).toMatchObject({ version: FORMAT_VERSION + 1 });
});

test('a database in the earlier layout is moved into records on open', async () => {
  const uri = freshDbUri('mongo-legacy');
  const conn = await mongoose.createConnection(uri).asPromise();
  try {
    const db = conn.db!;
    const r = record('i1', 3, [{ type: 'task.created', task: task('i1.w2', 'i1') }]);
    await db.collection('instances').insertOne({
      _id: 'i1',
      processId: 'p',
      version: 1,
      deploymentId: 'd1',
      businessKey: 'app-1',
      status: 'active',
      parentInstanceId: null,
      rev: 3,
      startedAt: T0,
      updatedAt: T0,
      state: JSON.stringify(r.state),
      outbox: JSON.stringify(r.outbox),
      pending: true,
      deliveries: ['x@1#0'],
    } as never);
    const t = task('i1.w1', 'i1');
    await db.collection('tasks').insertOne({
      _id: 'i1.w1',
      instanceId: 'i1',
      processId: 'p',
      elementId: 'review',
      department: 'tax',
      assignee: null,
      state: 'completed',
      ord: 'o',
      completedAt: T0 + 5,
      doc: JSON.stringify(t),
    } as never);
    const entry = { id: 'i1:1', instanceId: 'i1', seq: 1, at: T0, type: 'instance.started' };
    await db.collection('history').insertOne({
      _id: 'i1#0',
      instanceId: 'i1',
      n: 0,
      e: { s1: JSON.stringify(entry) },
    } as never);
  } finally {
    await conn.close();
  }

  const store = await open(uri);
  const moved = await store.getInstance('i1');
  expect(moved).toMatchObject({ id: 'i1', rev: 3, businessKey: 'app-1' });
  expect(moved!.outbox).toHaveLength(1);
  expect((await store.pendingOutboxes(10)).map((x) => x.id)).toEqual(['i1']);
  expect(await store.hasDelivery('i1', 'x@1#0')).toBe(true);
  expect(await store.getTask('i1.w1')).toMatchObject({ state: 'completed', completedAt: T0 + 5 });
  expect((await store.history('i1')).map((h) => h.seq)).toEqual([1]);
  const names = (await store.connection.db!.listCollections().toArray()).map((c) => c.name);
  expect(names).toContain('records');
  expect(names).not.toContain('instances');
  expect(names).not.toContain('tasks');
  expect(names).not.toContain('history');

  // The moved instance goes on: a commit from its stored rev.
  await store.commit(
    record('i1', 4, [{ type: 'task.ended', taskId: 'i1.w2', state: 'completed', at: T0 }]),
    3,
  );
  expect((await store.getInstance('i1'))!.rev).toBe(4);
});

test('a commit is one write round trip; ids of instances, tasks and history never collide', async () => {
  // Command monitoring on, to count what is sent.
  const uri = freshDbUri('mongo-commit');
  const store = await open(`${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`);
  const commands: string[] = [];
  const client = store.connection.getClient();
  const listen = (e: { commandName: string }) => commands.push(e.commandName);
  client.on('commandStarted', listen);
  try {
    // An instance named like another instance's task and history bucket.
    await store.commit(
      record('a', 1, [
        { type: 'task.created', task: task('a.w1', 'a') },
        {
          type: 'history',
          entry: { id: 'a:1', instanceId: 'a', seq: 1, at: T0, type: 'instance.started' },
        } as never,
      ]),
      null,
    );
    await store.commit(record('a.w1', 1), null);
    await store.commit(record('a#0', 1), null);
  } finally {
    client.off('commandStarted', listen);
  }
  expect(commands).toEqual(['update', 'update', 'update']);
  expect((await store.getTask('a.w1'))!.state).toBe('open');
  expect((await store.history('a')).map((h) => h.seq)).toEqual([1]);
  expect((await store.listInstances({})).map((r) => r.id)).toEqual(['a', 'a#0', 'a.w1']);
  expect((await store.findTasks({})).map((t) => t.id)).toEqual(['a.w1']);
});
