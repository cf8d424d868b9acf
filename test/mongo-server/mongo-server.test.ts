/**
 * Smoke test of the test MongoDB-wire server (FerretDB v1, SQLite backend) through mongoose:
 * the operations the mongo store adapter relies on. Never skipped: without a server it fails.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { freshDbUri, withDatabase } from '../support/mongo.js';
import { startMongoServer } from './launch.js';

interface Job {
  key: string;
  dept: string;
  due: Date;
  rev: number;
  lease?: { owner: string; until: Date } | null;
  n?: number;
}

const jobSchema = new Schema<Job>(
  {
    key: { type: String, required: true },
    dept: { type: String, required: true },
    due: { type: Date, required: true },
    rev: { type: Number, required: true },
    lease: { type: { owner: String, until: Date }, default: null, _id: false },
    n: Number,
  },
  { collection: 'jobs', autoIndex: false, versionKey: false },
);
jobSchema.index({ key: 1 }, { unique: true, name: 'key_unique' });
jobSchema.index({ dept: 1, due: 1 }, { name: 'dept_due' });

describe('test MongoDB server (FerretDB) via mongoose', () => {
  let conn: Connection;
  const Job = () => conn.model<Job>('Job', jobSchema);

  beforeAll(async () => {
    conn = await mongoose
      .createConnection(freshDbUri('mongo-server-smoke'), { serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    await Job().createIndexes();
  });

  afterAll(async () => {
    if (!conn) return;
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  });

  test('explicit indexes are created, including a unique one', async () => {
    const indexes = await Job().collection.indexes();
    const byName = Object.fromEntries(indexes.map((i) => [i.name, i]));
    expect(byName.key_unique).toMatchObject({ key: { key: 1 }, unique: true });
    expect(byName.dept_due).toMatchObject({ key: { dept: 1, due: 1 } });
  });

  test('insert, then find with filter, sort and limit', async () => {
    const t0 = Date.UTC(2030, 0, 1);
    await Job().insertMany(
      Array.from({ length: 10 }, (_, i) => ({
        key: `find-${i}`,
        dept: i % 2 ? 'odd' : 'even',
        due: new Date(t0 + (9 - i) * 60_000),
        rev: 0,
      })),
    );
    const page1 = await Job().find({ dept: 'even' }).sort({ due: 1, key: 1 }).limit(3).lean();
    expect(page1.map((j) => j.key)).toEqual(['find-8', 'find-6', 'find-4']);
    const page2 = await Job().find({ dept: 'even' }).sort({ due: 1, key: 1 }).skip(3).limit(3).lean();
    expect(page2.map((j) => j.key)).toEqual(['find-2', 'find-0']);
    expect(await Job().countDocuments({ dept: 'odd', due: { $lt: new Date(t0 + 5 * 60_000) } })).toBe(3);
  });

  test('findOneAndUpdate compare-and-set on rev: matches once, then returns null', async () => {
    await Job().create({ key: 'cas', dept: 'd', due: new Date(), rev: 0 });
    const first = await Job()
      .findOneAndUpdate(
        { key: 'cas', rev: 0 },
        { $inc: { rev: 1 }, $set: { n: 1 } },
        { returnDocument: 'after' },
      )
      .lean();
    expect(first).toMatchObject({ key: 'cas', rev: 1, n: 1 });
    const stale = await Job()
      .findOneAndUpdate(
        { key: 'cas', rev: 0 },
        { $inc: { rev: 1 }, $set: { n: 2 } },
        { returnDocument: 'after' },
      )
      .lean();
    expect(stale).toBeNull();
    expect(await Job().findOne({ key: 'cas' }).lean()).toMatchObject({ rev: 1, n: 1 });
  });

  test('concurrent compare-and-set on rev: exactly one of many wins, every round', async () => {
    const rounds = 20;
    const racers = 10;
    await Job().create({ key: 'race', dept: 'd', due: new Date(), rev: 0 });
    for (let rev = 0; rev < rounds; rev++) {
      const results = await Promise.all(
        Array.from({ length: racers }, (_, i) =>
          Job()
            .findOneAndUpdate(
              { key: 'race', rev },
              { $inc: { rev: 1 }, $set: { n: i } },
              { returnDocument: 'after' },
            )
            .lean(),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    }
    expect(await Job().findOne({ key: 'race' }).lean()).toMatchObject({ rev: rounds });
  });

  test('job lease: claim a due job whose lease is missing or expired, with sort', async () => {
    const now = new Date();
    const past = new Date(now.getTime() - 60_000);
    const future = new Date(now.getTime() + 60_000);
    await Job().insertMany([
      {
        key: 'lease-a',
        dept: 'lease',
        due: new Date(now.getTime() - 3000),
        rev: 0,
        lease: { owner: 'x', until: future },
      },
      {
        key: 'lease-b',
        dept: 'lease',
        due: new Date(now.getTime() - 2000),
        rev: 0,
        lease: { owner: 'dead', until: past },
      },
      { key: 'lease-c', dept: 'lease', due: new Date(now.getTime() - 1000), rev: 0, lease: null },
      { key: 'lease-d', dept: 'lease', due: future, rev: 0, lease: null },
    ]);
    const claim = (owner: string) =>
      Job()
        .findOneAndUpdate(
          { dept: 'lease', due: { $lte: now }, $or: [{ lease: null }, { 'lease.until': { $lt: now } }] },
          { $set: { lease: { owner, until: future } }, $inc: { rev: 1 } },
          { sort: { due: 1 }, returnDocument: 'after' },
        )
        .lean();
    expect(await claim('n1')).toMatchObject({ key: 'lease-b', rev: 1, lease: { owner: 'n1' } });
    expect(await claim('n2')).toMatchObject({ key: 'lease-c', rev: 1, lease: { owner: 'n2' } });
    expect(await claim('n3')).toBeNull();
  });

  test('duplicate insert on the unique index fails with code 11000', async () => {
    await Job().create({ key: 'dup', dept: 'd', due: new Date(), rev: 0 });
    const err = await Job()
      .create({ key: 'dup', dept: 'other', due: new Date(), rev: 0 })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 11000 });
    expect(await Job().countDocuments({ key: 'dup' })).toBe(1);
  });

  test('compound unique index (process id + version) rejects a duplicate pair with 11000', async () => {
    const schema = new Schema(
      { processId: { type: String, required: true }, version: { type: Number, required: true }, xml: String },
      { collection: 'deployments', autoIndex: false, versionKey: false },
    );
    schema.index({ processId: 1, version: -1 }, { unique: true, name: 'process_version' });
    const Deployment = conn.model('Deployment', schema);
    await Deployment.createIndexes();
    await Deployment.create([
      { processId: 'p', version: 1, xml: 'a' },
      { processId: 'p', version: 2, xml: 'b' },
      { processId: 'q', version: 1, xml: 'c' },
    ]);
    await expect(Deployment.create({ processId: 'p', version: 2, xml: 'd' })).rejects.toMatchObject({
      code: 11000,
    });
    const latest = await Deployment.findOne({ processId: 'p' }).sort({ version: -1 }).lean();
    expect(latest).toMatchObject({ version: 2, xml: 'b' });
  });

  test('bulkWrite with upserts (idempotent projection writes)', async () => {
    const ops = (n: number) =>
      ['p1', 'p2', 'p3'].map((key) => ({
        updateOne: {
          filter: { key },
          update: { $setOnInsert: { dept: 'proj', due: new Date(0), rev: 0 }, $set: { n } },
          upsert: true,
        },
      }));
    const first = await Job().bulkWrite(ops(1), { ordered: false });
    expect(first.upsertedCount).toBe(3);
    const again = await Job().bulkWrite(ops(2), { ordered: false });
    expect(again.upsertedCount).toBe(0);
    expect(again.matchedCount).toBe(3);
    const docs = await Job().find({ dept: 'proj' }).sort({ key: 1 }).lean();
    expect(docs.map((d) => [d.key, d.n])).toEqual([
      ['p1', 2],
      ['p2', 2],
      ['p3', 2],
    ]);
  });

  test('bulkWrite of inserts keyed by a unique id reports duplicates as 11000 (idempotent replay)', async () => {
    const docs = [
      { key: 'ev-1', dept: 'ev', due: new Date(0), rev: 0 },
      { key: 'ev-2', dept: 'ev', due: new Date(0), rev: 0 },
    ];
    await Job().bulkWrite(
      docs.map((document) => ({ insertOne: { document } })),
      { ordered: false },
    );
    const err = await Job()
      .bulkWrite(
        [...docs, { key: 'ev-3', dept: 'ev', due: new Date(0), rev: 0 }].map((document) => ({
          insertOne: { document },
        })),
        { ordered: false },
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 11000 });
    expect(await Job().countDocuments({ dept: 'ev' })).toBe(3);
  });
});

describe('launcher', () => {
  test('startMongoServer starts a second server on a free port and stops it', async () => {
    const server = await startMongoServer();
    try {
      expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
      const c = await mongoose.createConnection(withDatabase(server.uri, 'launcher')).asPromise();
      const ping = await c.db!.admin().ping();
      expect(ping.ok).toBe(1);
      await c.close();
    } finally {
      await server.stop();
    }
    expect(() => process.kill(server.pid, 0)).toThrow();
  });
});
