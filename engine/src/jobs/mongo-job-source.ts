/**
 * The job queue on MongoDB (mongoose model, collection `job_queue`). Single-document atomicity
 * only: each job is one document holding its lease, retry bookkeeping and its incidents, so every
 * change is one conditional update. Claiming picks due candidates, then takes each with a
 * compare-and-set on the document's `seq`; a candidate another node took first is skipped and
 * the search goes on, so concurrent claimers share the due jobs without holding one twice.
 *
 * The store's projections queue jobs through `queueOps` (in the same bulk write as the other
 * projections, covered by the instance's outbox like them).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { AnyBulkWriteOperation, Collection, Filter } from 'mongodb';
import { incidentId, type ClaimedJob, type JobQueue, type NewJob } from './job-source.js';
import {
  IncidentStateError,
  initialRetryState,
  openIncident,
  resolveIncident,
  type IncidentRecord,
} from './retry.js';

export interface QueueDoc {
  _id: string;
  type: string;
  /** JSON, null when none. */
  payload: string | null;
  instanceId: string | null;
  elementId: string | null;
  /** finished: the instance is done with it (never claimed again), its holder may still report. */
  state: 'ready' | 'finished' | 'done' | 'incident' | 'cancelled';
  /** As scheduled; scheduling again with another due time makes the job due afresh. */
  dueAt: number;
  /** When it may run next; null once it has given up. */
  nextRunAt: number | null;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  owner: string | null;
  leaseUntil: number;
  /** Bumped by every claim: the compare-and-set that keeps one job with one owner. */
  seq: number;
  /** Every incident the job has had, the open one last. */
  incidents: IncidentRecord[];
  /** True once the job has had an incident (indexed for the supervisors' list). */
  hadIncident: boolean;
}

const schema = new Schema<QueueDoc>(
  {
    _id: String,
    type: String,
    payload: String,
    instanceId: String,
    elementId: String,
    state: String,
    dueAt: Number,
    nextRunAt: Number,
    attempts: Number,
    maxAttempts: Number,
    lastError: String,
    owner: String,
    leaseUntil: Number,
    seq: Number,
    incidents: Schema.Types.Mixed,
    hadIncident: Boolean,
  },
  { versionKey: false, autoIndex: false, autoCreate: false, strict: true, collection: 'job_queue' },
);
schema.index({ state: 1, nextRunAt: 1, _id: 1 }, { name: 'due' });
schema.index({ hadIncident: 1, instanceId: 1 }, { name: 'incidents' });

/** The mongoose model on a connection (created once per connection). */
export function queueModel(conn: Connection): Model<QueueDoc> {
  return (conn.models.JobQueue as Model<QueueDoc> | undefined) ?? conn.model<QueueDoc>('JobQueue', schema);
}

/** A new job's document. */
function newDoc(job: NewJob): QueueDoc {
  const retry = initialRetryState(job.dueAt, job.maxAttempts);
  return {
    _id: job.id,
    type: job.type,
    payload: job.payload === undefined ? null : JSON.stringify(job.payload),
    instanceId: job.instanceId ?? null,
    elementId: job.elementId ?? null,
    state: 'ready',
    dueAt: job.dueAt,
    nextRunAt: retry.nextRunAt,
    attempts: 0,
    maxAttempts: retry.maxAttempts,
    lastError: null,
    owner: null,
    leaseUntil: 0,
    seq: 0,
    incidents: [],
    hadIncident: false,
  };
}

/**
 * The bulk-write operations of a projection: `schedule` inserts the job if absent and makes it due
 * afresh if its due time changed (same rules as MemoryJobSource.schedule); `finish` marks it done.
 */
export function queueOps(
  change: { schedule: NewJob } | { finish: string },
): AnyBulkWriteOperation<QueueDoc>[] {
  if ('finish' in change) {
    // A job nobody holds is done; a held one is finished until its holder reports.
    const _id = change.finish;
    return [
      { updateOne: { filter: { _id, state: 'ready', owner: null }, update: { $set: { state: 'done' } } } },
      { updateOne: { filter: { _id, state: 'ready' }, update: { $set: { state: 'finished' } } } },
    ];
  }
  const job = change.schedule;
  const { _id, ...doc } = newDoc(job);
  return [
    { updateOne: { filter: { _id }, update: { $setOnInsert: doc }, upsert: true } },
    {
      updateOne: {
        filter: { _id, dueAt: { $ne: job.dueAt } },
        update: {
          $set: {
            state: 'ready',
            dueAt: job.dueAt,
            nextRunAt: job.dueAt,
            payload: doc.payload,
            attempts: 0,
            lastError: null,
            owner: null,
            leaseUntil: 0,
          },
          $inc: { seq: 1 },
        },
      },
    },
  ];
}

export class MongoJobSource implements JobQueue {
  private readonly c: Collection<QueueDoc>;

  constructor(readonly model: Model<QueueDoc>) {
    this.c = model.collection as unknown as Collection<QueueDoc>;
  }

  /** Creates the collection and its indexes (idempotent). */
  static async open(conn: Connection): Promise<MongoJobSource> {
    const model = queueModel(conn);
    await model.createCollection().catch((err: { codeName?: string; code?: number }) => {
      if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
    });
    await model.createIndexes();
    return new MongoJobSource(model);
  }

  async add(job: NewJob): Promise<void> {
    const { _id, ...doc } = newDoc(job);
    await this.c
      .updateOne({ _id }, { $setOnInsert: doc }, { upsert: true })
      .catch((err: { code?: number }) => {
        if (err.code !== 11000) throw err; // added concurrently: the same outcome
      });
  }

  async claim(
    now: number,
    owner: string,
    leaseMs: number,
    limit: number,
    types?: readonly string[],
  ): Promise<ClaimedJob[]> {
    if (types?.length === 0) return [];
    const due: Filter<QueueDoc> = {
      state: 'ready',
      nextRunAt: { $lte: now },
      $or: [{ owner: null }, { leaseUntil: { $lte: now } }],
    };
    if (types) due.type = { $in: [...types] };
    const claimed: ClaimedJob[] = [];
    const skip = new Set<string>();
    while (claimed.length < limit) {
      const candidates = await this.c
        .find(skip.size ? { ...due, _id: { $nin: [...skip] } } : due)
        .sort({ nextRunAt: 1, _id: 1 })
        .limit(limit - claimed.length)
        .toArray();
      if (!candidates.length) break;
      for (const doc of candidates) {
        skip.add(doc._id);
        const leaseUntil = now + leaseMs;
        const taken = await this.c.updateOne(
          { _id: doc._id, seq: doc.seq, state: 'ready' },
          { $set: { owner, leaseUntil }, $inc: { seq: 1 } },
        );
        if (taken.modifiedCount === 1) claimed.push(claimedOf({ ...doc, owner, leaseUntil }));
      }
    }
    return claimed;
  }

  async finish(id: string): Promise<void> {
    await this.c.bulkWrite(queueOps({ finish: id }), { ordered: true });
  }

  async complete(id: string, owner: string): Promise<boolean> {
    const r = await this.c.updateOne(
      { _id: id, state: { $in: ['ready', 'finished'] }, owner },
      { $set: { state: 'done' } },
    );
    return r.modifiedCount === 1;
  }

  async fail(
    id: string,
    owner: string,
    error: string,
    nextRunAt: number | null,
    now: number,
  ): Promise<boolean> {
    const doc = await this.c.findOne({ _id: id, state: { $in: ['ready', 'finished'] }, owner });
    if (!doc) return false;
    if (doc.state === 'finished') return this.complete(id, owner); // nothing to retry
    const incidents = doc.incidents ?? []; // see claimedOf on fields an upsert wrote
    const held = { _id: id, seq: doc.seq, state: 'ready' as const, owner };
    const base = { attempts: doc.attempts + 1, lastError: error, owner: null, leaseUntil: 0 };
    if (nextRunAt !== null) {
      const r = await this.c.updateOne(held, { $set: { ...base, nextRunAt }, $inc: { seq: 1 } });
      return r.modifiedCount === 1;
    }
    const incident = openIncident(
      incidentId(id, incidents.length + 1),
      { id, instanceId: doc.instanceId ?? null, elementId: doc.elementId ?? null },
      error,
      now,
    );
    const r = await this.c.updateOne(held, {
      $set: {
        ...base,
        nextRunAt: null,
        state: 'incident',
        incidents: [...incidents, incident],
        hadIncident: true,
      },
      $inc: { seq: 1 },
    });
    return r.modifiedCount === 1;
  }

  async listIncidents(filter: { open?: boolean; instanceId?: string } = {}): Promise<IncidentRecord[]> {
    const query: Filter<QueueDoc> = { hadIncident: true };
    if (filter.instanceId !== undefined) query.instanceId = filter.instanceId;
    const docs = await this.c.find(query, { projection: { incidents: 1 } }).toArray();
    return docs
      .flatMap((d) => d.incidents ?? [])
      .filter((i) => filter.open === undefined || (i.resolvedAt === null) === filter.open)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async retryIncident(id: string, now: number, comment = 'retried'): Promise<IncidentRecord> {
    // A retry is a fresh set of attempts, due now (grantRetry); the last error stays for the record.
    return this.close(id, comment, now, {
      state: 'ready',
      attempts: 0,
      nextRunAt: now,
      owner: null,
      leaseUntil: 0,
    });
  }

  async resolveIncident(id: string, comment: string, now: number): Promise<IncidentRecord> {
    return this.close(id, comment, now, { state: 'cancelled', owner: null });
  }

  /** Closes the job's open incident `id` and applies `job` to the job, in one conditional update. */
  private async close(
    id: string,
    comment: string,
    now: number,
    job: Partial<QueueDoc>,
  ): Promise<IncidentRecord> {
    const jobId = id.slice(0, id.lastIndexOf('#'));
    const doc = await this.c.findOne({ _id: jobId });
    const incident = doc?.incidents?.find((i) => i.id === id);
    if (!doc || !incident) throw new IncidentStateError(`no incident ${id}`);
    const closed = resolveIncident(incident, comment, now);
    const r = await this.c.updateOne(
      { _id: jobId, seq: doc.seq },
      {
        $set: { ...job, incidents: doc.incidents!.map((i) => (i.id === id ? closed : i)) },
        $inc: { seq: 1 },
      },
    );
    if (r.modifiedCount !== 1)
      throw new IncidentStateError(`incident ${id} was changed concurrently; try again`);
    return closed;
  }
}

function claimedOf(doc: QueueDoc): ClaimedJob {
  return {
    id: doc._id,
    type: doc.type,
    // `?? null`: a null written by an upsert's $setOnInsert may come back as a missing field.
    payload: typeof doc.payload === 'string' ? (JSON.parse(doc.payload) as unknown) : null,
    instanceId: doc.instanceId ?? null,
    elementId: doc.elementId ?? null,
    attempts: doc.attempts,
    maxAttempts: doc.maxAttempts,
    lastError: doc.lastError ?? null,
    leaseUntil: doc.leaseUntil,
  };
}
