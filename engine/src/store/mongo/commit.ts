/**
 * A command's write as one ordered bulk write to the `records` collection (one round trip):
 *
 *   1. the instance save, a compare-and-set on `rev` written as an upsert: when no document has
 *      the `_id` and the expected rev, the upsert tries to insert one and fails, and an ordered
 *      bulk write stops there, so nothing of a lost race is written. A create expects rev -1,
 *      which no document has: its insert fails with a duplicate key when the instance exists.
 *      A save of a revision sets another `_id` on insert, which the server refuses (code 66,
 *      ImmutableField), so it fails also when the instance does not exist at all;
 *   2. the projections into `records` (inbox tasks, history), idempotent writes keyed by id;
 *   3. the outbox clear: only the follow-ups stay (see port.ts isFollowUp).
 *
 * The save carries the whole outbox, so if the server stops part-way (each write is durable on
 * its own; there is no transaction) recover() finds the outbox and finishes it, as before.
 * Projections into other collections (timers, jobs, subscriptions, the job queue) go after the
 * save and before the clear, as separate bulk writes.
 */
import { randomBytes } from 'node:crypto';
import type { AnyBulkWriteOperation, UpdateFilter } from 'mongodb';
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
 * with the commit id `w`, adding `delivery` (see InstanceRecord.delivery). The upsert inserts
 * only when creating (see above).
 */
export function saveOp(
  doc: InstanceDoc,
  delivery: string | undefined,
  expectedRev: number | null,
  w: string,
): AnyBulkWriteOperation<RecordDoc> {
  const { _id, ...fields } = doc;
  const set: Omit<InstanceDoc, '_id'> = { ...fields, w };
  // $set rather than a replacement: the deliveries list stays, and grows in the same write.
  const update: UpdateFilter<RecordDoc> =
    delivery !== undefined ? { $set: set, $addToSet: { deliveries: delivery } } : { $set: set };
  if (expectedRev !== null) update.$setOnInsert = { _id: `${_id}#` };
  return { updateOne: { filter: { _id, rev: expectedRev ?? -1 }, update, upsert: true } };
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
