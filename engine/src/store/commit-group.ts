/**
 * Group commit. A write costs about the same for one command as for twenty: on SQLite a WAL
 * commit writes mostly the same b-tree leaves (instance keys, task numbers and history rows of
 * instances started one after another sit side by side) and pays its locks and log header once;
 * on MongoDB a bulk write is one round trip. So commits that arrive while other commands are
 * under way wait for the end of the event-loop turn and are written together. Each still
 * resolves only once it is committed, and one whose own write fails rejects alone.
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

  /** Groups being written (an asynchronous `writeAll`), for `drain`. */
  private readonly writing = new Set<Promise<void>>();

  /**
   * `writeAll` writes a group, at once or by the promise it returns, marking each item whose own
   * write failed (`failed`, `error`); it throws (or rejects) when the group's write as a whole
   * failed, and then every item fails.
   */
  constructor(private readonly writeAll: (group: Queued<T>[]) => void | Promise<void>) {}

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
    let written: void | Promise<void>;
    try {
      written = this.writeAll(group);
    } catch (err) {
      return failGroup(group, err);
    }
    if (!written) return settle(group);
    const done: Promise<void> = written.then(
      () => settle(group),
      (err: unknown) => failGroup(group, err),
    );
    this.writing.add(done);
    void done.finally(() => this.writing.delete(done));
  };

  /** Writes what is queued and waits for every group still being written, and what they set off. */
  async drain(): Promise<void> {
    do {
      this.flush();
      await Promise.all(this.writing);
    } while (this.queued.length > 0 || this.writing.size > 0);
  }
}

/** The group's write as a whole failed: so did each commit of it (one that failed first keeps its own error). */
function failGroup<T>(group: Queued<T>[], err: unknown): void {
  for (const q of group) if (!q.failed) Object.assign(q, { failed: true, error: err });
  settle(group);
}

/** Answers each commit of a written group. */
function settle<T>(group: Queued<T>[]): void {
  for (const q of group) {
    if (!q.failed) q.resolve();
    else q.reject(q.error);
  }
}
