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
/** The server refused a change of `_id` (the compare-and-set of a commit that expects a revision, see ./commit.ts). */
const IMMUTABLE_FIELD = 66;
/**
 * How old a process version claim must be, with no deployment document, to count as left over
 * from a deploy that stopped part-way (a deploy writes its document right after its claims).
 */
const ABANDONED_CLAIM_MS = 60_000;

type DocOf<M> = M extends mongoose.Model<infer D> ? D : never;

/** One command's ordered batch (see ./commit.ts), the instance and the rev it replaces, its commit id. */
interface CommitBatch {
  batch: AnyBulkWriteOperation<RecordDoc>[];
  id: string;
  expectedRev: number | null;
  w: string;
  /** Set once written: false when the save is but some of the rest is not (see MongoStore.commit). */
  finished?: boolean;
}
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
  /**
   * Instances whose last commit by this store saved its outbox but may not have projected it all
   * (a write after the save failed): the revision. clearOutbox projects that outbox before it
   * empties it, so that the follow-ups run after such a commit clear nothing unprojected.
   */
  private readonly unfinished = new Map<string, number>();
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
   * The claims first, one per process version (sorted, so two deploys of the same processes meet
   * on the first), then the deployment document: readers find a deployment by its document, so one
   * is seen only once it owns every version it names. A claim held by another deployment is a
   * ConflictError; the claims this call made are withdrawn (a failed withdrawal leaves only
   * claims, which no reader sees, and which a later deploy takes over, see claimVersion).
   */
  async saveDeployment(d: DeploymentRecord): Promise<void> {
    const wanted = [...d.processes].sort((a, b) =>
      a.id === b.id ? a.version - b.version : a.id < b.id ? -1 : 1,
    );
    const made: { processId: string; version: number }[] = [];
    try {
      for (const p of wanted)
        if (await this.claimVersion(d.id, p.id, p.version))
          made.push({ processId: p.id, version: p.version });
    } catch (err) {
      for (const key of made)
        await this.c.ProcessVersion.deleteOne({ ...key, deploymentId: d.id }).catch(() => undefined);
      throw err;
    }
    const processes = d.processes.map((p) => ({ id: p.id, version: p.version }));
    await this.c.Deployment.replaceOne(
      { _id: d.id },
      { createdAt: d.createdAt, processes, doc: JSON.stringify(d) },
      { upsert: true },
    );
    // A claim taken over meanwhile (it looked abandoned, see claimVersion): withdraw.
    const owned = await this.c.ProcessVersion.countDocuments({ deploymentId: d.id });
    if (owned < wanted.length) {
      await this.c.Deployment.deleteOne({ _id: d.id });
      await this.c.ProcessVersion.deleteMany({ deploymentId: d.id }).catch(() => undefined);
      throw new ConflictError(d.id, `deployment ${d.id} lost a process version to another deploy`);
    }
  }

  /**
   * Claims `processId` version `version` for deployment `id`: true when this call made the claim,
   * false when `id` held it already (the same deployment saved again); ConflictError when another
   * deployment holds it. A claim whose deployment has no document and that is older than
   * ABANDONED_CLAIM_MS is left over from a deploy that stopped part-way (a crash, a failed
   * withdrawal) and is taken over; given back if that deployment's document appeared after all.
   */
  private async claimVersion(id: string, processId: string, version: number): Promise<boolean> {
    const key = { processId, version };
    const claims = this.c.ProcessVersion;
    for (let attempt = 0; ; attempt++) {
      try {
        await claims.insertOne({ ...key, deploymentId: id, at: Date.now() });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const owner = await claims.findOne(key);
      // Withdrawn since: claim it again.
      if (!owner && attempt < 3) continue;
      if (owner?.deploymentId === id) return false;
      if (
        owner &&
        (owner.at ?? 0) < Date.now() - ABANDONED_CLAIM_MS &&
        !(await this.hasDeployment(owner.deploymentId))
      ) {
        const taken = await claims.updateOne(
          { ...key, deploymentId: owner.deploymentId },
          { $set: { deploymentId: id, at: Date.now() } },
        );
        if (taken.modifiedCount === 1) {
          if (!(await this.hasDeployment(owner.deploymentId))) return true;
          await claims.updateOne(
            { ...key, deploymentId: id },
            { $set: { deploymentId: owner.deploymentId } },
          );
        }
      }
      throw new ConflictError(processId, `process ${processId} version ${version} is already deployed`);
    }
  }
  private async hasDeployment(id: string): Promise<boolean> {
    return (await this.c.Deployment.countDocuments({ _id: id }, { limit: 1 })) > 0;
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

  /**
   * Save, project and clear in one round trip when only `records` is projected (see ./commit.ts).
   * Rejects only when the save is not known to be written. Once it is, what fails after it (the
   * projections into other collections, the outbox clear, the rest of a failed group's batch)
   * does not fail the commit: the saved outbox holds every effect, and recover() projects it.
   */
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
    const commit: CommitBatch = { batch, id: record.id, expectedRev, w };
    // Projections into other collections go after the save, one by one: such commits are not grouped.
    if (!others && (options?.grouped || this.group.joinable)) await this.group.add(commit);
    else commit.finished = await this.writeCommit(commit);
    if (others && commit.finished) {
      try {
        await this.projectOthers(ops);
        await this.records.bulkWrite([clear!]);
      } catch {
        commit.finished = false;
      }
    }
    if (commit.finished) {
      this.unfinished.delete(record.id);
      this.own.committed(done, expectedRev, before, ops.history);
    } else {
      // Saved with its whole outbox, not all of it projected: read from the database from now on.
      this.unfinished.set(record.id, record.rev);
    }
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
   * Runs a commit's ordered batch. Resolves true when all of it is written, false when the save
   * is but some of the rest is not (left in the saved outbox for recover()); rejects when the
   * save is not known to be written. A refused save (a duplicate key, or the refused `_id` change
   * of ./commit.ts) means a lost compare-and-set (the batch stopped at the save: nothing written)
   * or, rarely, a projection upsert racing a replay of itself after the save went through; the
   * commit id stored with the instance tells which, since FerretDB does not report which write
   * failed. It tells also whether a batch that failed otherwise (a lost connection) saved. The
   * rest of the batch is idempotent and is sent again after a duplicate key.
   */
  private async writeCommit(
    { batch, id, expectedRev, w }: CommitBatch,
    /** The save is known to have gone through (a group's): only the rest is sent. */
    alreadySaved = false,
  ): Promise<boolean> {
    for (let attempt = 0, saved = alreadySaved; ; attempt++) {
      try {
        const rest = saved ? batch.slice(1) : batch;
        if (rest.length) await this.records.bulkWrite(rest, { ordered: true });
        return true;
      } catch (err) {
        if (!saved) {
          const doc = await this.instances
            .findOne({ _id: instanceKey(id) }, { projection: { w: 1 } })
            .catch(() => undefined);
          if (doc === undefined) throw err;
          if (doc?.w !== w) {
            if (!isRefusedSave(err)) throw err;
            throw expectedRev === null
              ? new ConflictError(id, `instance ${id} already exists`)
              : new ConflictError(id);
          }
          saved = true;
        }
        if (!isDuplicateKey(err) || attempt >= 3) return false;
      }
    }
  }

  /**
   * A group's batches in one ordered bulk write. When it fails the server does not say whose
   * write failed (FerretDB reports index 0), and an ordered write stops there. Whatever the cause
   * (a lost connection too: the driver reports it as a MongoBulkWriteError), which saves went
   * through is read at once by their commit ids (another node may move an instance on later);
   * then each commit is finished on its own, so one that cannot be written (a lost
   * compare-and-set, a document too large) fails alone, and one whose save went through does
   * not fail. If that read fails too, nothing is known and the whole group fails.
   */
  private async writeGroup(group: Queued<CommitBatch>[]): Promise<void> {
    try {
      await this.records.bulkWrite(
        group.flatMap((q) => q.item.batch),
        { ordered: true },
      );
      for (const q of group) q.item.finished = true;
      return;
    } catch {
      // Finished one by one below.
    }
    const ids = group.map((q) => instanceKey(q.item.id));
    const stored = await this.instances.find({ _id: { $in: ids } }, { projection: { w: 1 } }).toArray();
    const saved = new Set(stored.map((d) => d.w));
    for (const q of group) {
      try {
        q.item.finished = await this.writeCommit(q.item, saved.has(q.item.w));
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
    if (this.unfinished.get(instanceId) === rev) return this.projectAndClear(instanceId, rev);
    await this.instances.updateOne(
      { _id: instanceKey(instanceId), rev, pending: true },
      { $set: { outbox: null, pending: false } },
    );
    this.own.outboxCleared(instanceId, rev);
  }
  /**
   * clearOutbox after a commit of this store that saved the outbox of `rev` but may not have
   * projected it (see commit): projects that outbox, then empties it. On a failure the outbox
   * stays for recover(), which projects it too; the commit's caller is not failed for it.
   */
  private async projectAndClear(instanceId: string, rev: number): Promise<void> {
    const query = { _id: instanceKey(instanceId), rev, pending: true };
    try {
      const doc = await this.instances.findOne(query);
      if (doc) {
        await this.project(instanceId, instanceOf(doc).outbox);
        await this.instances.updateOne(query, { $set: { outbox: null, pending: false } });
      }
      if (this.unfinished.get(instanceId) === rev) this.unfinished.delete(instanceId);
    } catch {
      // Left for recover().
    }
  }
  async pendingOutboxes(limit: number) {
    if (limit <= 0) return [];
    const docs = await this.instances.find({ k: 'i', pending: true }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(instanceOf);
  }
  async listInstances(filter: InstanceFilter, page: Page = {}) {
    const query = instanceQuery(filter);
    if (page.after !== undefined) query._id = { $gt: instanceKey(page.after) };
    // The driver's limit(0) is no limit.
    if (page.limit !== undefined && page.limit <= 0) return [];
    let cursor = this.instances.find(query).sort({ _id: 1 });
    if (page.limit !== undefined) cursor = cursor.limit(page.limit);
    return (await cursor.toArray()).map(instanceOf);
  }

  async countInstances(filter: InstanceFilter) {
    return this.instances.countDocuments(instanceQuery(filter));
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
    if (page.limit !== undefined && page.limit <= 0) return [];
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
    if (limit <= 0) return [];
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
/** The instance records a filter selects (on the instance_status and instance_process_status indexes). */
function instanceQuery(filter: InstanceFilter): Filter<InstanceDoc> {
  const query: Filter<InstanceDoc> = { k: 'i' };
  if (filter.processId !== undefined) query.processId = filter.processId;
  if (filter.status !== undefined) query.status = filter.status;
  if (filter.businessKey !== undefined) query.businessKey = filter.businessKey;
  return query;
}

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

function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[] } | null;
  return e?.code === DUPLICATE_KEY || (e?.writeErrors?.some((w) => w.code === DUPLICATE_KEY) ?? false);
}

/** A commit's save refused by its compare-and-set (see ./commit.ts saveOp), or any duplicate key. */
function isRefusedSave(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[] } | null;
  return (
    isDuplicateKey(err) ||
    e?.code === IMMUTABLE_FIELD ||
    (e?.writeErrors?.some((w) => w.code === IMMUTABLE_FIELD) ?? false)
  );
}
