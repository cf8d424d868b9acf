/**
 * The MongoDB Store (mongoose), chosen when MONGODB_URI is set. Production is a replica set;
 * tests run against the FerretDB MongoDB-wire server (test/mongo-server).
 *
 * Single-document atomicity only, no transactions: the instance document (state, open work and
 * the pending outbox) is saved with a compare-and-set on `rev` (replaceOne filtered by _id and
 * rev); every projection (inbox, jobs, timers, subscriptions, history) is an idempotent write
 * keyed by its id, sent as one ordered bulkWrite per step. A crash between the instance save and
 * the projections leaves the outbox in the instance document, and recover() finishes it.
 *
 * The models (./models.ts) declare the indexes; the hot paths use the models' native collections
 * to skip mongoose's casting, since every document is built here with the exact field types.
 */
import mongoose, { type Connection } from 'mongoose';
import type { AnyBulkWriteOperation, Collection, Filter } from 'mongodb';
import type { HistoryEntry, Task, TaskFilter } from '../../api.js';
import type { Effect, InstanceState } from '../../runtime/state.js';
import {
  ConflictError,
  taskCursor,
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
import { MongoJobSource, queueOps, type QueueDoc } from '../../jobs/mongo-job-source.js';
import {
  ensureIndexes,
  HISTORY_BUCKET,
  models,
  type InstanceDoc,
  type Models,
  type TaskDoc,
} from './models.js';

export interface MongoStoreOptions {
  /** How long to wait for a server before the first command fails, ms (default 10 s). */
  serverSelectionTimeoutMS?: number;
}

const DUPLICATE_KEY = 11000;

type DocOf<M> = M extends mongoose.Model<infer D> ? D : never;
/** The native driver collections behind the models, typed with their documents. */
type Collections = { [K in keyof Models]: Collection<DocOf<Models[K]>> };

export class MongoStore implements Store {
  private readonly c: Collections;

  private readonly q: Collection<QueueDoc>;

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
      const m = models(connection);
      await ensureIndexes(m);
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
    const doc = instanceDoc(record);
    if (record.delivery !== undefined) doc.deliveries = [record.delivery];
    try {
      await this.c.Instance.insertOne(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError(record.id, `instance ${record.id} already exists`);
      throw err;
    }
  }
  async getInstance(id: string) {
    const doc = await this.c.Instance.findOne({ _id: id });
    return doc ? instanceOf(doc) : undefined;
  }
  async saveInstance(record: InstanceRecord, expectedRev: number): Promise<void> {
    const { _id, ...fields } = instanceDoc(record);
    // $set rather than a replacement: the deliveries list stays, and grows in the same write.
    const result = await this.c.Instance.updateOne(
      { _id, rev: expectedRev },
      record.delivery !== undefined
        ? { $set: fields, $addToSet: { deliveries: record.delivery } }
        : { $set: fields },
    );
    if (result.matchedCount === 0) throw new ConflictError(record.id);
  }
  async hasDelivery(instanceId: string, deliveryId: string) {
    return (
      (await this.c.Instance.countDocuments({ _id: instanceId, deliveries: deliveryId }, { limit: 1 })) > 0
    );
  }
  async deliveredTo(deliveryId: string) {
    const docs = await this.c.Instance.find({ deliveries: deliveryId }, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => d._id);
  }
  async clearOutbox(instanceId: string, rev: number): Promise<void> {
    await this.c.Instance.updateOne(
      { _id: instanceId, rev, pending: true },
      { $set: { outbox: null, pending: false } },
    );
  }
  async pendingOutboxes(limit: number) {
    const docs = await this.c.Instance.find({ pending: true }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(instanceOf);
  }
  async listInstances(filter: InstanceFilter, page: Page = {}) {
    const query: Filter<InstanceDoc> = {};
    if (filter.processId !== undefined) query.processId = filter.processId;
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.businessKey !== undefined) query.businessKey = filter.businessKey;
    if (page.after !== undefined) query._id = { $gt: page.after };
    let cursor = this.c.Instance.find(query).sort({ _id: 1 });
    if (page.limit !== undefined) cursor = cursor.limit(page.limit);
    return (await cursor.toArray()).map(instanceOf);
  }

  // ── projections ──────────────────────────────────────────────────────────────────────

  async project(instanceId: string, effects: readonly Effect[]): Promise<void> {
    const ops = projectionOps(instanceId, effects);
    if (
      !ops.tasks.length &&
      !ops.jobs.length &&
      !ops.timers.length &&
      !ops.subscriptions.length &&
      !ops.history.length &&
      !ops.queue.length
    ) {
      return;
    }
    // Each collection gets its writes in step order; collections are independent of each other.
    // Two writers upserting one new id at once can both try to insert: the loser gets a
    // duplicate-key error, and since every write is idempotent, trying again settles it.
    for (let attempt = 0; ; attempt++) {
      try {
        await Promise.all([
          ops.tasks.length ? this.c.Task.bulkWrite(ops.tasks, { ordered: true }) : null,
          ops.jobs.length ? this.c.Job.bulkWrite(ops.jobs, { ordered: true }) : null,
          ops.timers.length ? this.c.Timer.bulkWrite(ops.timers, { ordered: true }) : null,
          ops.subscriptions.length
            ? this.c.Subscription.bulkWrite(ops.subscriptions, { ordered: true })
            : null,
          ops.history.length ? this.c.History.bulkWrite(ops.history, { ordered: true }) : null,
          ops.queue.length ? this.q.bulkWrite(ops.queue, { ordered: true }) : null,
        ]);
        return;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
      }
    }
  }

  // ── queries ──────────────────────────────────────────────────────────────────────────

  async findTasks(filter: TaskFilter, page: Page = {}) {
    const query: Filter<TaskDoc> = {};
    if (filter.instanceId !== undefined) query.instanceId = filter.instanceId;
    if (filter.department !== undefined) query.department = filter.department;
    if (filter.assignee !== undefined) query.assignee = filter.assignee;
    if (filter.state !== undefined) query.state = filter.state;
    if (filter.elementId !== undefined) query.elementId = filter.elementId;
    if (filter.processId !== undefined) query.processId = filter.processId;
    if (filter.dueBefore !== undefined) query.deadline = { $lte: filter.dueBefore };
    if (page.after !== undefined) query.ord = { $gt: page.after };
    let cursor = this.c.Task.find(query, { projection: { state: 1, completedAt: 1, doc: 1 } }).sort({
      ord: 1,
    });
    if (page.limit !== undefined) cursor = cursor.limit(page.limit);
    return (await cursor.toArray()).map(taskOf);
  }
  async getTask(id: string) {
    const doc = await this.c.Task.findOne({ _id: id }, { projection: { state: 1, completedAt: 1, doc: 1 } });
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
  async history(instanceId: string) {
    const first = await this.c.History.findOne({ _id: historyBucketId(instanceId, 0) });
    if (!first) return [];
    const buckets = [first];
    if (first.top) {
      const more = await Promise.all(
        Array.from({ length: first.top }, (_, i) =>
          this.c.History.findOne({ _id: historyBucketId(instanceId, i + 1) }),
        ),
      );
      for (const b of more) if (b) buckets.push(b);
    }
    const entries: HistoryEntry[] = [];
    for (const b of buckets)
      for (const json of Object.values(b.e ?? {})) entries.push(JSON.parse(json) as HistoryEntry);
    return entries.sort((a, b) => a.seq - b.seq);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** The mongoose models (for tools and tests). */
  get models(): Models {
    return this.m;
  }
}

interface ProjectionOps {
  tasks: AnyBulkWriteOperation<TaskDoc>[];
  jobs: AnyBulkWriteOperation<DocOf<Models['Job']>>[];
  timers: AnyBulkWriteOperation<DocOf<Models['Timer']>>[];
  subscriptions: AnyBulkWriteOperation<DocOf<Models['Subscription']>>[];
  history: AnyBulkWriteOperation<DocOf<Models['History']>>[];
  queue: AnyBulkWriteOperation<QueueDoc>[];
}

function projectionOps(instanceId: string, effects: readonly Effect[]): ProjectionOps {
  const ops: ProjectionOps = { tasks: [], jobs: [], timers: [], subscriptions: [], history: [], queue: [] };
  /** History entries by bucket number: `e.s<seq>` → entry JSON. */
  const buckets = new Map<number, Record<string, string>>();
  for (const e of effects) {
    const queued = queueChangeOf(instanceId, e);
    if (queued) ops.queue.push(...queueOps(queued));
    switch (e.type) {
      case 'task.created': {
        const t = e.task;
        const doc: Omit<TaskDoc, '_id'> = {
          instanceId: t.instanceId,
          processId: t.processId,
          elementId: t.elementId,
          department: t.department ?? null,
          assignee: t.assignee ?? null,
          state: t.state,
          ord: taskCursor(t),
          completedAt: t.completedAt ?? null,
          doc: JSON.stringify(t),
        };
        if (t.deadline !== undefined) doc.deadline = t.deadline;
        // Insert only: a replayed creation must not reopen a task that has ended since.
        ops.tasks.push({ updateOne: { filter: { _id: t.id }, update: { $setOnInsert: doc }, upsert: true } });
        break;
      }
      case 'task.ended':
        ops.tasks.push({
          updateOne: {
            filter: { _id: e.taskId, state: 'open' },
            update: { $set: { state: e.state, completedAt: e.at } },
          },
        });
        break;
      case 'job.created':
        ops.jobs.push(
          upsert(e.job.id, {
            instanceId: e.job.instanceId,
            type: e.job.type,
            createdAt: e.job.createdAt,
            doc: JSON.stringify({ ...e.job, retries: e.retries }),
          }),
        );
        break;
      case 'job.ended':
        ops.jobs.push(remove(e.jobId));
        break;
      case 'timer.scheduled':
        ops.timers.push(upsert(e.timerId, { instanceId, elementId: e.elementId, dueAt: e.dueAt }));
        break;
      case 'timer.cancelled':
        ops.timers.push(remove(e.timerId));
        break;
      case 'message.subscribed':
        ops.subscriptions.push(
          upsert(e.subscriptionId, {
            instanceId,
            messageName: e.messageName,
            correlationKey: e.correlationKey,
          }),
        );
        break;
      case 'message.unsubscribed':
        ops.subscriptions.push(remove(e.subscriptionId));
        break;
      case 'history': {
        const n = Math.floor(e.entry.seq / HISTORY_BUCKET);
        let bucket = buckets.get(n);
        if (!bucket) buckets.set(n, (bucket = {}));
        bucket[`e.s${e.entry.seq}`] = JSON.stringify(e.entry);
        break;
      }
      default:
        break;
    }
  }
  let top = 0;
  for (const [n, entries] of buckets) {
    top = Math.max(top, n);
    ops.history.push({
      updateOne: {
        filter: { _id: historyBucketId(instanceId, n) },
        update: { $set: { instanceId, n, ...entries } },
        upsert: true,
      },
    });
  }
  if (top > 0) {
    ops.history.push({
      updateOne: {
        filter: { _id: historyBucketId(instanceId, 0) },
        update: { $set: { instanceId, n: 0 }, $max: { top } },
        upsert: true,
      },
    });
  }
  return ops;
}

function historyBucketId(instanceId: string, n: number): string {
  return `${instanceId}#${n}`;
}

/** Write the whole document under this id, creating it if needed. */
function upsert<D extends { _id: string }>(
  id: string,
  replacement: Omit<D, '_id'>,
): AnyBulkWriteOperation<D> {
  return { replaceOne: { filter: { _id: id } as Filter<D>, replacement: replacement as D, upsert: true } };
}

function remove<D extends { _id: string }>(id: string): AnyBulkWriteOperation<D> {
  return { deleteOne: { filter: { _id: id } as Filter<D> } };
}

function instanceDoc(r: InstanceRecord): InstanceDoc {
  return {
    _id: r.id,
    processId: r.processId,
    version: r.version,
    deploymentId: r.deploymentId,
    businessKey: r.businessKey ?? null,
    status: r.status,
    parentInstanceId: r.parentInstanceId ?? null,
    rev: r.rev,
    startedAt: r.startedAt,
    updatedAt: r.updatedAt,
    state: JSON.stringify(r.state),
    outbox: r.outbox.length ? JSON.stringify(r.outbox) : null,
    pending: r.outbox.length > 0,
  };
}

function instanceOf(doc: InstanceDoc): InstanceRecord {
  const record: InstanceRecord = {
    id: doc._id,
    processId: doc.processId,
    version: doc.version,
    deploymentId: doc.deploymentId,
    status: doc.status as InstanceRecord['status'],
    rev: doc.rev,
    state: JSON.parse(doc.state) as InstanceState,
    startedAt: doc.startedAt,
    updatedAt: doc.updatedAt,
    outbox: doc.outbox ? (JSON.parse(doc.outbox) as Effect[]) : [],
  };
  if (doc.businessKey !== null && doc.businessKey !== undefined) record.businessKey = doc.businessKey;
  if (doc.parentInstanceId !== null && doc.parentInstanceId !== undefined)
    record.parentInstanceId = doc.parentInstanceId;
  return record;
}

function taskOf(doc: Pick<TaskDoc, 'state' | 'completedAt' | 'doc'>): Task {
  const task = JSON.parse(doc.doc) as Task;
  task.state = doc.state as Task['state'];
  if (doc.completedAt !== null && doc.completedAt !== undefined) task.completedAt = doc.completedAt;
  return task;
}

function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[] } | null;
  return e?.code === DUPLICATE_KEY || (e?.writeErrors?.some((w) => w.code === DUPLICATE_KEY) ?? false);
}
