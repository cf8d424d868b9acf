/**
 * What a MongoStore committed itself, for the instances it committed last: the instance document
 * as its commit left it, and the instance's history at that revision. Serving these saves the
 * reads every command and view would otherwise make (instance, inbox task, history).
 *
 * Several nodes may share the database, so an entry may be stale. It is used only where that is
 * caught or cannot happen:
 *  - the record and its open tasks, for a command only: the command's save is a compare-and-set
 *    on `rev`, so a record someone else has moved on from makes it a ConflictError, and the
 *    engine decides the command again on a fresh read (see Store.committedInstance);
 *  - the history at a given revision: exact while the rev matches. Every entry of a revision is
 *    written by the commit that made it (or by one before, carrying an unfinished outbox), and
 *    the compare-and-set means the entry for `rev - 1` was current when this store committed
 *    `rev` on top of it.
 * Records are kept as the documents the commit wrote and turned into records the way a read
 * does (state parsed from its JSON), so a command decides exactly as on a fresh read.
 */
import type { HistoryEntry, Task } from '../../api.js';
import { withEntries } from '../history.js';
import { byPublicId } from '../../runtime/state.js';
import type { InstanceRecord } from '../port.js';
import type { InstanceDoc } from './models.js';
import { instanceIdOf, instanceOf } from './records.js';

interface Entry {
  doc: InstanceDoc;
  /** instanceOf(doc), parsed on first use. */
  record?: InstanceRecord;
  /** The history at doc.rev, in seq order; undefined when unknown (an earlier revision was someone else's). */
  history?: HistoryEntry[];
}

/** Instances kept (least recently committed or used dropped first). */
const KEPT = 1000;
/** Longest history kept for an instance: a longer one is read each time (bounds memory per entry). */
const KEPT_HISTORY = 1000;

export class CommittedRecords {
  private readonly entries = new Map<string, Entry>();

  /**
   * Removes and returns the entry of an instance about to be committed: until the commit has
   * gone through, nothing about the instance is known (a failed commit may have written part).
   */
  take(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry;
  }

  /**
   * A commit went through: `doc` is the instance document it left (outbox: the follow-ups), made
   * from `expectedRev` (null: created) with `added` history entries (as a read returns them).
   */
  committed(
    doc: InstanceDoc,
    expectedRev: number | null,
    before: Entry | undefined,
    added: HistoryEntry[],
  ): void {
    const id = instanceIdOf(doc._id);
    let history: HistoryEntry[] | undefined;
    if (expectedRev === null) history = withEntries([], added);
    else if (before?.history && before.doc.rev === expectedRev) history = withEntries(before.history, added);
    this.keep(id, history && history.length <= KEPT_HISTORY ? { doc, history } : { doc });
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  /** The outbox of revision `rev` was emptied (it only ever empties at a given rev). */
  outboxCleared(id: string, rev: number): void {
    const entry = this.entries.get(id);
    if (!entry || entry.doc.rev !== rev || !entry.doc.pending) return;
    entry.doc = { ...entry.doc, outbox: null, pending: false };
    entry.record = undefined;
  }

  /** The record as committed, unless its outbox still has follow-ups to run (a read decides then). */
  record(id: string): InstanceRecord | undefined {
    const entry = this.entries.get(id);
    if (!entry || entry.doc.pending) return undefined;
    this.keep(id, entry);
    return (entry.record ??= instanceOf(entry.doc));
  }

  /** A task open in the committed record of its instance (task ids are '<instance id>.<letters><number>'). */
  openTask(taskId: string): Task | undefined {
    const dot = taskId.lastIndexOf('.');
    if (dot < 0) return undefined;
    const tasks = this.record(taskId.slice(0, dot))?.state.tasks;
    const task = tasks && byPublicId(tasks, taskId);
    return task?.state === 'open' ? task : undefined;
  }

  /** The history at revision `rev`, a fresh array; undefined when this store does not know it. */
  history(id: string, rev: number): HistoryEntry[] | undefined {
    const entry = this.entries.get(id);
    return entry?.doc.rev === rev ? entry.history?.slice() : undefined;
  }

  /** What is kept for an instance now: pass it to `fill` with a read that starts after this call. */
  current(id: string): object | undefined {
    return this.entries.get(id);
  }

  /**
   * The history at `rev` read from the database, kept when `rev` is the committed one. `seen` is
   * `current(id)` from before the read began: only an entry that was there already is filled. A
   * commit is not atomic on MongoDB (the save, then its history entries), and an entry stored
   * while the read ran may belong to a commit whose entries the read missed.
   */
  fill(id: string, rev: number, read: HistoryEntry[], seen: object | undefined): void {
    const entry = this.entries.get(id);
    if (!entry || entry !== seen || entry.doc.rev !== rev || entry.history) return;
    // This store's commit of `rev` wrote every entry up to it; entries after it are later revisions'.
    const last = (entry.record ??= instanceOf(entry.doc)).state.seq;
    const history = read.filter((e) => e.seq <= last);
    if (history.length <= KEPT_HISTORY) entry.history = history;
  }

  private keep(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    if (this.entries.size > KEPT) this.entries.delete(this.entries.keys().next().value!);
  }
}
