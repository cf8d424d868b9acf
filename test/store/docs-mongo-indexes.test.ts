/**
 * MongoDocStore creates its indexes when it is made, and its writes wait for them. A failure of
 * that creation must not be an unhandled rejection (Node 20 ends the process on one): the writes
 * waiting for it fail with a clear error, and the next write tries again.
 */
import mongoose from 'mongoose';
import { MongoDocStore } from '../../engine/src/domain/docs-mongo.js';
import { freshDbUri } from '../support/mongo.js';

interface Item {
  id: string;
  rev: number;
  status: string;
}

test('a failed index creation is reported by the writes waiting for it and tried again by the next', async () => {
  const connection = await mongoose.createConnection(freshDbUri('docs_indexes')).asPromise();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const db = connection.db!;
  const collection = db.collection.bind(db);
  let failures = 1;
  // The first index creation fails (a server refusing it, a lost connection).
  db.collection = ((...args: Parameters<typeof collection>) => {
    const c = collection(...args);
    const createIndex = c.createIndex.bind(c);
    c.createIndex = (async (...a: Parameters<typeof createIndex>) => {
      if (failures > 0) {
        failures--;
        throw new Error('simulated index failure');
      }
      return createIndex(...a);
    }) as typeof c.createIndex;
    return c;
  }) as typeof db.collection;
  try {
    const docs = new MongoDocStore(connection, { items: [['status']] });
    const first: Item = { id: 'a', rev: 0, status: 'open' };
    await expect(docs.put('items', first, 0)).rejects.toThrow(
      /creating the document indexes failed: simulated index failure/,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
    // Not kept: the next write creates the indexes and is written.
    expect((await docs.put('items', first, 0)).rev).toBe(1);
    await docs.replace('items', { id: 'b', rev: 1, status: 'done' });
    const names = (await collection('docs_items').indexes()).map((i) => Object.keys(i.key).join());
    expect(names).toContain('f.status');
    expect((await docs.find<Item>('items', { where: { status: 'done' } })).map((d) => d.id)).toEqual(['b']);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
});

test('a store whose connection closes before its indexes exist does not end the process', async () => {
  const connection = await mongoose.createConnection(freshDbUri('docs_indexes_closed')).asPromise();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const docs = new MongoDocStore(connection, { c: [['status'], ['deadline']] });
    await connection.close();
    await expect(docs.put('c', { id: 'x', rev: 0 }, 0)).rejects.toThrow(
      /creating the document indexes failed/,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
