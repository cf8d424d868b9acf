/**
 * The MongoDB Store (mongoose), chosen when MONGODB_URI is set. Production is a replica set;
 * tests run against the FerretDB MongoDB-wire server (test/mongo-server).
 *
 * Single-document atomicity only, no transactions: the instance document (state, open work and
 * the pending outbox) is saved with a compare-and-set on `rev`; every projection (inbox, jobs,
 * timers, subscriptions, history) is an idempotent write keyed by its id. `commit` sends the save,
 * the inbox and history projections and the outbox clear as one ordered bulk write (./commit.ts),
 * so a command costs one round trip to write. A crash part-way leaves the outbox in the instance
 * document, and recover() finishes it. Commands read nothing when this store committed the
 * instance last (./committed.ts): the instance and its open task come from that commit (the next
 * commit's compare-and-set rejects them if stale), the view's history at that revision too
 * (exact); read-only views still read the instance.
 *
 * The models (./models.ts) declare the indexes; the hot paths use the models' native collections
 * to skip mongoose's casting, since every document is built here with the exact field types.
 */
import mongoose, { type Connection } from 'mongoose';
import type { AnyBulkWriteOperation, Collection, Filter } from 'mongodb';
import type { HistoryEntry, Task, TaskFilter } from '../../api.js';
import type { Effect } from '../../runtime/state.js';
import {
  ConflictError,
  followUpsOf,
  type CommitOptions,
  type DeploymentRecord,
  type InstanceFilter,
  type InstanceRecord,
  type JobRecord,
  type Page,
  type Store,
  type SubscriptionRecord,
  type TimerRecord,
} from '../port.js';
import { queueChangeOf } from '../../jobs/job-source.js';
import { MongoJobSource, type QueueDoc } from '../../jobs/mongo-job-source.js';
import { CommitGroup, type Queued } from '../commit-group.js';
import { clearOp, newCommitId, saveOp, withOutbox } from './commit.js';
import { CommittedRecords } from './committed.js';
import { claimFormat } from './format.js';
import { moveLegacyRecords } from './legacy.js';
import {
  ensureIndexes,
  models,
  usesSecondaryIndexes,
  type HistoryDoc,
  type InstanceDoc,
  type Models,
  type RecordDoc,
  type TaskDoc,
} from './models.js';
import {
  historyKey,
  historyOf,
  instanceDoc,
  instanceIdOf,
  instanceKey,
  instanceOf,
  projectionOps,
  TASK_FIELDS,
  taskKey,
  taskOf,
  touchesOthers,
  type ProjectionOps,
} from './records.js';

export interface MongoStoreOptions {
  /** How long to wait for a server before the first command fails, ms (default 10 s). */
  serverSelectionTimeoutMS?: number;
}

const DUPLICATE_KEY = 11000;

type DocOf<M> = M extends mongoose.Model<infer D> ? D : never;

/** One command's ordered batch (see ./commit.ts), the instance and the rev it replaces, its commit id. */
type CommitBatch = [
  batch: AnyBulkWriteOperation<RecordDoc>[],
  id: string,
  expectedRev: number | null,
  w: string,
];
/** The native driver collections behind the models, typed with their documents. */
type Collections = { [K in keyof Models]: Collection<DocOf<Models[K]>> };

export class MongoStore implements Store {
  private readonly c: Collections;

  private readonly q: Collection<QueueDoc>;

  /** The `records` collection, and typed views of it per kind of document. */
  private readonly records: Collection<RecordDoc>;
  private readonly instances: Collection<InstanceDoc>;
  private readonly tasks: Collection<TaskDoc>;
  private readonly buckets: Collection<HistoryDoc>;

  /** What this store committed last per instance, to skip re-reading it (see ./committed.ts). */
  private readonly own = new CommittedRecords();
  /** Commits held to the end of the event-loop turn and sent as one bulk write (commit's `grouped`). */
  private readonly group = new CommitGroup<CommitBatch>((group) => this.writeGroup(group));

  private constructor(
    readonly connection: Connection,
    private readonly m: Models,
    /** Timers and service-task jobs, written by the projections (collection job_queue). */
    readonly queue: MongoJobSource,
  ) {
    this.q = queue.model.collection as unknown as Collection<QueueDoc>;
    this.c = Object.fromEntries(
      Object.entries(m).map(([k, model]) => [k, model.collection]),
    ) as unknown as Collections;
    this.records = this.c.Record;
    this.instances = this.c.Record as unknown as Collection<InstanceDoc>;
    this.tasks = this.c.Record as unknown as Collection<TaskDoc>;
    this.buckets = this.c.Record as unknown as Collection<HistoryDoc>;
  }

  /** Connects, creates collections and indexes (idempotent), and returns the store. */
  static async open(uri: string, options: MongoStoreOptions = {}): Promise<MongoStore> {
    const connection = await mongoose
      .createConnection(uri, {
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
        autoIndex: false,
      })
      .asPromise();
    try {
      await claimFormat(connection);
      const m = models(connection);
      await ensureIndexes(m, await usesSecondaryIndexes(connection));
      await moveLegacyRecords(connection);
      const store = new MongoStore(connection, m, await MongoJobSource.open(connection));
      await store.queueWhatWaited();
      return store;
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * A database written before the job queue existed: its waiting timers and open jobs are queued
   * (once: only while the queue is empty; adding is idempotent if two nodes start together).
   */
  private async queueWhatWaited(): Promise<void> {
    if (await this.q.findOne({}, { projection: { _id: 1 } })) return;
    for (const t of await this.c.Timer.find({}).toArray()) {
      const change = queueChangeOf(t.instanceId, {
        type: 'timer.scheduled',
        timerId: t._id,
        dueAt: t.dueAt,
        elementId: t.elementId,
      });
      if (change && 'schedule' in change) await this.queue.add(change.schedule);
    }
    for (const d of await this.c.Job.find({}, { projection: { doc: 1 } }).toArray()) {
      const job = JSON.parse(d.doc) as JobRecord;
      const change = queueChangeOf(job.instanceId, { type: 'job.created', job, retries: job.retries });
      if (change && 'schedule' in change) await this.queue.add(change.schedule);
    }
  }

  // ── deployments ──────────────────────────────────────────────────────────────────────

  /**
   * The deployment document first (so latestVersion counts it even if a crash stops what
   * follows), then one claim per process version; a claim owned by another deployment means a
   * concurrent deploy took the version: our document and claims are removed and ConflictError
   * is thrown.
   */
  async saveDeployment(d: DeploymentRecord): Promise<void> {
    const processes = d.processes.map((p) => ({ id: p.id, version: p.version }));
    await this.c.Deployment.replaceOne(
      { _id: d.id },
      { createdAt: d.createdAt, processes, doc: JSON.stringify(d) },
      { upsert: true },
    );
    for (const p of d.processes) {
      try {
        await this.c.ProcessVersion.insertOne({ processId: p.id, version: p.version, deploymentId: d.id });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const owner = await this.c.ProcessVersion.findOne({ processId: p.id, version: p.version });
        if (owner?.deploymentId === d.id) continue;
        await this.c.ProcessVersion.deleteMany({ deploymentId: d.id });
        await this.c.Deployment.deleteOne({ _id: d.id });
        throw new ConflictError(p.id, `process ${p.id} version ${p.version} is already deployed`);
      }
    }
  }
  async getDeployment(id: string) {
    const doc = await this.c.Deployment.findOne({ _id: id }, { projection: { doc: 1 } });
    return doc ? (JSON.parse(doc.doc) as DeploymentRecord) : undefined;
  }
  async listDeployments() {
    const docs = await this.c.Deployment.find({}, { projection: { doc: 1 } })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map((d) => JSON.parse(d.doc) as DeploymentRecord);
  }
  async latestVersion(processId: string) {
    const docs = await this.c.Deployment.find(
      { 'processes.id': processId },
      { projection: { processes: 1 } },
    ).toArray();
    let latest = 0;
    for (const d of docs)
      for (const p of d.processes) if (p.id === processId && p.version > latest) latest = p.version;
    return latest;
  }

  // ── instances ────────────────────────────────────────────────────────────────────────

  async createInstance(record: InstanceRecord): Promise<void> {
    this.own.forget(record.id);
    const doc = instanceDoc(record);
    if (record.delivery !== undefined) doc.deliveries = [record.delivery];
    try {
      await this.records.insertOne(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError(record.id, `instance ${record.id} already exists`);
      throw err;
    }
  }
  async getInstance(id: string) {
    const doc = await this.instances.findOne({ _id: instanceKey(id) });
    return doc ? instanceOf(doc) : undefined;
  }
  async saveInstance(record: InstanceRecord, expectedRev: number): Promise<void> {
    this.own.forget(record.id);
    const { _id, ...fields } = instanceDoc(record);
    // $set rather than a replacement: the deliveries list stays, and grows in the same write.
    const result = await this.instances.updateOne(
      { _id, rev: expectedRev },
      record.delivery !== undefined
        ? { $set: fields, $addToSet: { deliveries: record.delivery } }
        : { $set: fields },
    );
    if (result.matchedCount === 0) throw new ConflictError(record.id);
  }

  /** Save, project and clear in one round trip when only `records` is projected (see ./commit.ts). */
  async commit(record: InstanceRecord, expectedRev: number | null, options?: CommitOptions): Promise<void> {
    const before = this.own.take(record.id);
    const w = newCommitId();
    const ops = projectionOps(record.id, record.outbox);
    const left = followUpsOf(record.outbox);
    const others = touchesOthers(ops);
    const projecting = others || ops.records.length > 0;
    const doc = instanceDoc(record);
    /** The document once the commit is done: the outbox holds only the follow-ups. */
    const done = record.outbox.length === left.length ? doc : withOutbox(doc, left);
    // Nothing to project: the save itself leaves only the follow-ups.
    const batch = [saveOp(projecting ? doc : done, record.delivery, expectedRev, w), ...ops.records];
    const clear = projecting ? clearOp(record, left, w) : undefined;
    if (clear && !others) batch.push(clear);
    // Projections into other collections go after the save, one by one: such commits are not grouped.
    if (!others && (options?.grouped || this.group.joinable))
      await this.group.add([batch, record.id, expectedRev, w]);
    else await this.writeCommit(batch, record.id, expectedRev, w);
    if (others) {
      await this.projectOthers(ops);
      await this.records.bulkWrite([clear!]);
    }
    this.own.committed(done, expectedRev, before, ops.history);
  }

  /** The record this store committed last, if it still holds it and its outbox is empty (see port.ts). */
  committedInstance(id: string): InstanceRecord | undefined {
    return this.own.record(id);
  }
  /** A task open in the record committedInstance gives for its instance (see port.ts). */
  committedOpenTask(taskId: string): Task | undefined {
    return this.own.openTask(taskId);
  }

  /**
   * Runs a commit's ordered batch. A duplicate key means a lost compare-and-set (the batch stopped
   * at the save: nothing written) or, rarely, a projection upsert racing a replay of itself after
   * the save went through; the commit id stored with the instance tells which, since FerretDB
   * does not report which write failed. The rest of the batch is idempotent and is sent again.
   */
  private async writeCommit(
    batch: AnyBulkWriteOperation<RecordDoc>[],
    id: string,
    expectedRev: number | null,
    w: string,
    /** The save is known to have gone through (a group's): only the rest is sent. */
    alreadySaved = false,
  ): Promise<void> {
    for (let attempt = 0, saved = alreadySaved; ; attempt++) {
      try {
        await this.records.bulkWrite(saved ? batch.slice(1) : batch, { ordered: true });
        return;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
        if (!saved) {
          const doc = await this.instances.findOne({ _id: instanceKey(id) }, { projection: { w: 1 } });
          if (doc?.w !== w)
            throw expectedRev === null
              ? new ConflictError(id, `instance ${id} already exists`)
              : new ConflictError(id);
          saved = true;
        }
      }
    }
  }

  /**
   * A group's batches in one ordered bulk write. When it fails the server does not say whose
   * write failed (FerretDB reports index 0), and an ordered write stops there.
   */
  private async writeGroup(group: Queued<CommitBatch>[]): Promise<void> {
    try {
      await this.records.bulkWrite(
        group.flatMap((q) => q.item[0]),
        { ordered: true },
      );
      return;
    } catch (err) {
      // Lost connection: what reached the server is unknown, as for one commit in flight.
      if (isConnectionError(err)) throw err;
    }
    // Which saves went through, read at once by their commit ids (another node may move an
    // instance on later); then each commit is finished on its own, so one that cannot be written
    // (a lost compare-and-set, a document too large) fails alone.
    const ids = group.map((q) => instanceKey(q.item[1]));
    const stored = await this.instances.find({ _id: { $in: ids } }, { projection: { w: 1 } }).toArray();
    const saved = new Set(stored.map((d) => d.w));
    for (const q of group) {
      try {
        await this.writeCommit(...q.item, saved.has(q.item[3]));
      } catch (own) {
        Object.assign(q, { failed: true, error: own });
      }
    }
  }

  async hasDelivery(instanceId: string, deliveryId: string) {
    return (
      (await this.instances.countDocuments(
        { _id: instanceKey(instanceId), deliveries: deliveryId },
        { limit: 1 },
      )) > 0
    );
  }
  async deliveredTo(deliveryId: string) {
    const docs = await this.instances
      .find({ k: 'i', deliveries: deliveryId }, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => instanceIdOf(d._id));
  }
  async clearOutbox(instanceId: string, rev: number): Promise<void> {
    await this.instances.updateOne(
      { _id: instanceKey(instanceId), rev, pending: true },
      { $set: { outbox: null, pending: false } },
    );
    this.own.outboxCleared(instanceId, rev);
  }
  async pendingOutboxes(limit: number) {
    const docs = await this.instances.find({ k: 'i', pending: true }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(instanceOf);
  }
  async listInstances(filter: InstanceFilter, page: Page = {}) {
    const query: Filter<InstanceDoc> = { k: 'i' };
    if (filter.processId !== undefined) query.processId = filter.processId;
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.businessKey !== undefined) query.businessKey = filter.businessKey;
    if (page.after !== undefined) query._id = { $gt: instanceKey(page.after) };
    let cursor = this.instances.find(query).sort({ _id: 1 });
    if (page.limit !== undefined) cursor = cursor.limit(page.limit);
    return (await cursor.toArray()).map(instanceOf);
  }

  // ── projections ──────────────────────────────────────────────────────────────────────

  async project(instanceId: string, effects: readonly Effect[]): Promise<void> {
    const ops = projectionOps(instanceId, effects);
    // History written outside a commit (an outbox replayed): read it from the database from now on.
    if (ops.history.length) this.own.forget(instanceId);
    await Promise.all([
      ops.records.length
        ? retryingDuplicates(() => this.records.bulkWrite(ops.records, { ordered: true }))
        : null,
      this.projectOthers(ops),
    ]);
  }

  /** The projections outside `records`; collections are independent of each other. */
  private async projectOthers(ops: ProjectionOps): Promise<void> {
    if (!touchesOthers(ops)) return;
    await retryingDuplicates(() =>
      Promise.all([
        ops.jobs.length ? this.c.Job.bulkWrite(ops.jobs, { ordered: true }) : null,
        ops.timers.length ? this.c.Timer.bulkWrite(ops.timers, { ordered: true }) : null,
        ops.subscriptions.length ? this.c.Subscription.bulkWrite(ops.subscriptions, { ordered: true }) : null,
        ops.queue.length ? this.q.bulkWrite(ops.queue, { ordered: true }) : null,
      ]),
    );
  }

  // ── queries ──────────────────────────────────────────────────────────────────────────

  async findTasks(filter: TaskFilter, page: Page = {}) {
    const query: Filter<TaskDoc> = { k: 't' };
    if (filter.instanceId !== undefined) query.instanceId = filter.instanceId;
    if (filter.department !== undefined) query.department = filter.department;
    if (filter.assignee !== undefined) query.assignee = filter.assignee;
    if (filter.state !== undefined) query.ts = filter.state;
    if (filter.elementId !== undefined) query.elementId = filter.elementId;
    if (filter.processId !== undefined) query.processId = filter.processId;
    if (filter.dueBefore !== undefined) query.deadline = { $lte: filter.dueBefore };
    if (page.after !== undefined) query.ord = { $gt: page.after };
    let cursor = this.tasks.find(query, { projection: TASK_FIELDS }).sort({ ord: 1 });
    if (page.limit !== undefined) cursor = cursor.limit(page.limit);
    return (await cursor.toArray()).map(taskOf);
  }
  async getTask(id: string) {
    const doc = await this.tasks.findOne({ _id: taskKey(id) }, { projection: TASK_FIELDS });
    return doc ? taskOf(doc) : undefined;
  }
  async findJobs(filter: { instanceId?: string; type?: string }) {
    const query: Record<string, string> = {};
    if (filter.instanceId !== undefined) query.instanceId = filter.instanceId;
    if (filter.type !== undefined) query.type = filter.type;
    const docs = await this.c.Job.find(query, { projection: { doc: 1 } })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map((d) => JSON.parse(d.doc) as JobRecord);
  }
  async getJob(id: string) {
    const doc = await this.c.Job.findOne({ _id: id }, { projection: { doc: 1 } });
    return doc ? (JSON.parse(doc.doc) as JobRecord) : undefined;
  }
  async dueTimers(now: number, limit: number) {
    const docs = await this.c.Timer.find({ dueAt: { $lte: now } })
      .sort({ dueAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d): TimerRecord => ({
      id: d._id,
      instanceId: d.instanceId,
      elementId: d.elementId,
      dueAt: d.dueAt,
    }));
  }
  async findSubscriptions(messageName: string, correlationKey: string | null) {
    const docs = await this.c.Subscription.find({ messageName, correlationKey }).sort({ _id: 1 }).toArray();
    return docs.map((d): SubscriptionRecord => ({
      id: d._id,
      instanceId: d.instanceId,
      messageName: d.messageName,
      correlationKey: d.correlationKey,
    }));
  }
  /**
   * With `rev`, the history of the instance at that revision: from what this store committed
   * when it committed that revision itself, else read (and kept for the next view, see ./committed.ts).
   */
  async history(instanceId: string, rev?: number): Promise<HistoryEntry[]> {
    if (rev === undefined) return this.readHistory(instanceId);
    const known = this.own.history(instanceId, rev);
    if (known) return known;
    const seen = this.own.current(instanceId);
    const read = await this.readHistory(instanceId);
    this.own.fill(instanceId, rev, read, seen);
    return read;
  }
  private async readHistory(instanceId: string): Promise<HistoryEntry[]> {
    const first = await this.buckets.findOne({ _id: historyKey(instanceId, 0) });
    if (!first) return [];
    const buckets = [first];
    if (first.top) {
      const more = await Promise.all(
        Array.from({ length: first.top }, (_, i) =>
          this.buckets.findOne({ _id: historyKey(instanceId, i + 1) }),
        ),
      );
      for (const b of more) if (b) buckets.push(b);
    }
    return historyOf(buckets);
  }

  async close(): Promise<void> {
    await this.group.drain();
    await this.connection.close();
  }

  /** The mongoose models (for tools and tests). */
  get models(): Models {
    return this.m;
  }
}

/** Runs idempotent upserts again when two writers inserting one new id at once lost to each other. */
async function retryingDuplicates(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await write();
      return;
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 3) throw err;
    }
  }
}

/** The driver lost or never had the server (rather than the server refusing a write). */
function isConnectionError(err: unknown): boolean {
  const { MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError, MongoNotConnectedError } =
    mongoose.mongo;
  return (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoTopologyClosedError ||
    err instanceof MongoNotConnectedError
  );
}

function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[] } | null;
  return e?.code === DUPLICATE_KEY || (e?.writeErrors?.some((w) => w.code === DUPLICATE_KEY) ?? false);
}
