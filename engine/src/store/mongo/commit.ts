/**
 * A command's write as one ordered bulk write to the `records` collection (one round trip):
 *
 *   1. the instance save, a compare-and-set on `rev` written as an upsert: when the stored rev is
 *      not the expected one, the upsert tries to insert a second document with the same `_id`
 *      and fails with a duplicate key, and an ordered bulk write stops there, so nothing of a
 *      lost race is written (a create expects rev -1, which no document has);
 *   2. the projections into `records` (inbox tasks, history), idempotent writes keyed by id;
 *   3. the outbox clear: only the follow-ups stay (see port.ts isFollowUp).
 *
 * The save carries the whole outbox, so if the server stops part-way (each write is durable on
 * its own; there is no transaction) recover() finds the outbox and finishes it, as before.
 * Projections into other collections (timers, jobs, subscriptions, the job queue) go after the
 * save and before the clear, as separate bulk writes.
 */
import { randomBytes } from 'node:crypto';
import type { AnyBulkWriteOperation } from 'mongodb';
import type { Effect } from '../../runtime/state.js';
import type { InstanceRecord } from '../port.js';
import type { InstanceDoc, RecordDoc } from './models.js';
import { instanceKey } from './records.js';

/** Per-process prefix and counter: every commit gets an id no other commit has. */
const PROCESS = randomBytes(9).toString('base64url');
let commits = 0;
export function newCommitId(): string {
  return `${PROCESS}.${(commits++).toString(36)}`;
}

/** `doc` with `outbox` in place of the record's whole outbox. */
export function withOutbox(doc: InstanceDoc, outbox: readonly Effect[]): InstanceDoc {
  return { ...doc, outbox: outbox.length ? JSON.stringify(outbox) : null, pending: outbox.length > 0 };
}

/**
 * The compare-and-set save (expectedRev null: create) of the instance document `doc`, stamped
 * with the commit id `w`, adding `delivery` (see InstanceRecord.delivery). An instance is never
 * deleted, so the upsert inserts only when creating.
 */
export function saveOp(
  doc: InstanceDoc,
  delivery: string | undefined,
  expectedRev: number | null,
  w: string,
): AnyBulkWriteOperation<RecordDoc> {
  const { _id, ...fields } = doc;
  const set: Omit<InstanceDoc, '_id'> = { ...fields, w };
  return {
    updateOne: {
      filter: { _id, rev: expectedRev ?? -1 },
      // $set rather than a replacement: the deliveries list stays, and grows in the same write.
      update: delivery !== undefined ? { $set: set, $addToSet: { deliveries: delivery } } : { $set: set },
      upsert: true,
    },
  };
}

/** Leaves only `left` (the follow-ups) in the outbox of the revision commit `w` wrote. */
export function clearOp(
  record: InstanceRecord,
  left: readonly Effect[],
  w: string,
): AnyBulkWriteOperation<RecordDoc> {
  return {
    updateOne: {
      filter: { _id: instanceKey(record.id), rev: record.rev, w },
      update: { $set: { outbox: left.length ? JSON.stringify(left) : null, pending: left.length > 0 } },
    },
  };
}
