/**
 * The documents of the `records` collection (see ./models.ts): their ids, how instances and tasks
 * become documents and back, and the bulk-write operations that project a step's effects.
 */
import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import type { HistoryEntry, Task } from '../../api.js';
import { type Effect, type InstanceState, withLocalKeys } from '../../runtime/state.js';
import { queueChangeOf } from '../../jobs/job-source.js';
import { queueOps, type QueueDoc } from '../../jobs/mongo-job-source.js';
import { taskCursor, type InstanceRecord } from '../port.js';
import {
  HISTORY_BUCKET,
  type HistoryDoc,
  type InstanceDoc,
  type JobDoc,
  type RecordDoc,
  type SubscriptionDoc,
  type TaskDoc,
  type TimerDoc,
} from './models.js';

export const instanceKey = (id: string): string => `i:${id}`;
export const taskKey = (id: string): string => `t:${id}`;
export const historyKey = (instanceId: string, n: number): string => `h:${instanceId}#${n}`;
/** The instance id of an instance document's `_id`. */
export const instanceIdOf = (key: string): string => key.slice(2);

export function instanceDoc(r: InstanceRecord): InstanceDoc {
  return {
    _id: instanceKey(r.id),
    k: 'i',
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

export function instanceOf(doc: InstanceDoc): InstanceRecord {
  const record: InstanceRecord = {
    id: instanceIdOf(doc._id),
    processId: doc.processId,
    version: doc.version,
    deploymentId: doc.deploymentId,
    status: doc.status as InstanceRecord['status'],
    rev: doc.rev,
    state: withLocalKeys(JSON.parse(doc.state) as InstanceState),
    startedAt: doc.startedAt,
    updatedAt: doc.updatedAt,
    outbox: doc.outbox ? (JSON.parse(doc.outbox) as Effect[]) : [],
  };
  if (doc.businessKey !== null && doc.businessKey !== undefined) record.businessKey = doc.businessKey;
  if (doc.parentInstanceId !== null && doc.parentInstanceId !== undefined)
    record.parentInstanceId = doc.parentInstanceId;
  return record;
}

/** What a task read needs of its document. */
export const TASK_FIELDS = { ts: 1, completedAt: 1, doc: 1 } as const;

export function taskOf(doc: Pick<TaskDoc, 'ts' | 'completedAt' | 'doc'>): Task {
  const task = JSON.parse(doc.doc) as Task;
  task.state = doc.ts as Task['state'];
  if (doc.completedAt !== null && doc.completedAt !== undefined) task.completedAt = doc.completedAt;
  return task;
}

/** The entries of an instance's history buckets, in step order. */
export function historyOf(buckets: readonly HistoryDoc[]): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const b of buckets)
    for (const json of Object.values(b.e ?? {})) entries.push(JSON.parse(json) as HistoryEntry);
  return entries.sort((a, b) => a.seq - b.seq);
}

/** The writes that project a step's effects, per collection, each in step order. */
export interface ProjectionOps {
  /** Tasks and history buckets (the `records` collection). */
  records: AnyBulkWriteOperation<RecordDoc>[];
  jobs: AnyBulkWriteOperation<JobDoc>[];
  timers: AnyBulkWriteOperation<TimerDoc>[];
  subscriptions: AnyBulkWriteOperation<SubscriptionDoc>[];
  queue: AnyBulkWriteOperation<QueueDoc>[];
  /** The history entries written, in step order, as a read returns them (parsed from their JSON). */
  history: HistoryEntry[];
}

/** Whether projecting needs a collection other than `records`. */
export function touchesOthers(ops: ProjectionOps): boolean {
  return ops.jobs.length > 0 || ops.timers.length > 0 || ops.subscriptions.length > 0 || ops.queue.length > 0;
}

export function projectionOps(instanceId: string, effects: readonly Effect[]): ProjectionOps {
  const ops: ProjectionOps = { records: [], jobs: [], timers: [], subscriptions: [], queue: [], history: [] };
  /** History entries by bucket number: `e.s<seq>` → entry JSON. */
  const buckets = new Map<number, Record<string, string>>();
  for (const e of effects) {
    const queued = queueChangeOf(instanceId, e);
    if (queued) ops.queue.push(...queueOps(queued));
    switch (e.type) {
      case 'task.created': {
        const t = e.task;
        const doc: Omit<TaskDoc, '_id'> = {
          k: 't',
          instanceId: t.instanceId,
          processId: t.processId,
          elementId: t.elementId,
          department: t.department ?? null,
          assignee: t.assignee ?? null,
          ts: t.state,
          ord: taskCursor(t),
          completedAt: t.completedAt ?? null,
          doc: JSON.stringify(t),
        };
        if (t.deadline !== undefined) doc.deadline = t.deadline;
        // Insert only: a replayed creation must not reopen a task that has ended since.
        ops.records.push({
          updateOne: { filter: { _id: taskKey(t.id) }, update: { $setOnInsert: doc }, upsert: true },
        });
        break;
      }
      case 'task.ended':
        ops.records.push({
          updateOne: {
            filter: { _id: taskKey(e.taskId), ts: 'open' },
            update: { $set: { ts: e.state, completedAt: e.at } },
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
        const json = JSON.stringify(e.entry);
        bucket[`e.s${e.entry.seq}`] = json;
        // Only `data` can hold what JSON changes (a Date, an undefined member); the rest is strings and numbers.
        ops.history.push(e.entry.data === undefined ? e.entry : (JSON.parse(json) as HistoryEntry));
        break;
      }
      default:
        break;
    }
  }
  let top = 0;
  for (const [n, entries] of buckets) {
    top = Math.max(top, n);
    ops.records.push({
      updateOne: {
        filter: { _id: historyKey(instanceId, n) },
        update: { $set: { k: 'h', instanceId, n, ...entries } },
        upsert: true,
      },
    });
  }
  if (top > 0) {
    ops.records.push({
      updateOne: {
        filter: { _id: historyKey(instanceId, 0) },
        update: { $set: { k: 'h', instanceId, n: 0 }, $max: { top } },
        upsert: true,
      },
    });
  }
  return ops;
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
