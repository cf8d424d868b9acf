/**
 * Group commit. A WAL commit costs about the same for one command as for twenty: the pages it
 * writes are mostly the same b-tree leaves (instance keys, task numbers and history rows of
 * instances started one after another sit side by side), and each transaction also pays its
 * locks and log header. So commits that arrive while other commands are under way wait for the
 * end of the event-loop turn and are written in one transaction. Each still resolves only once
 * it is committed, and one whose own write fails (a savepoint rolled back) rejects alone.
 */

/** One commit waiting for its group. `failed`: its own write failed (with `error`); the others' may not have. */
export interface Queued<T> {
  readonly item: T;
  failed?: boolean;
  error?: unknown;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class CommitGroup<T> {
  private queued: Queued<T>[] = [];

  /**
   * `writeAll` writes a group in one transaction, marking each item whose own write failed
   * (`failed`, `error`), and throws when the transaction itself fails (then every item fails).
   */
  constructor(private readonly writeAll: (group: Queued<T>[]) => void) {}

  /** A group was written in this event-loop turn (see `joinable`). */
  private justWritten = false;
  private readonly turnEnded = (): void => {
    this.justWritten = false;
  };

  /**
   * A commit now had better join a group, without being asked: one is queued (its write is on
   * its way anyway), or one was written in this turn: the commands it answered are under way
   * again and will commit before the turn ends.
   */
  get joinable(): boolean {
    return this.queued.length > 0 || this.justWritten;
  }

  /** Resolves once `item` is committed with the others queued in this event-loop turn. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.queued.push({ item, resolve, reject }) === 1) setImmediate(this.flush);
    });
  }

  /** Writes what is queued now: at the end of the turn, or at once before the store closes. */
  readonly flush = (): void => {
    const group = this.queued;
    if (group.length === 0) return;
    this.queued = [];
    if (!this.justWritten) setImmediate(this.turnEnded);
    this.justWritten = true;
    try {
      this.writeAll(group);
    } catch (err) {
      // The transaction is gone: every commit of it failed (one that failed first keeps its own error).
      for (const q of group) if (!q.failed) Object.assign(q, { failed: true, error: err });
    }
    for (const q of group) {
      if (!q.failed) q.resolve();
      else q.reject(q.error);
    }
  };
}
