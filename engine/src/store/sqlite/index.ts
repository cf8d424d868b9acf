/**
 * The SQLite Store (better-sqlite3): the embedded, durable default. One file, WAL journal.
 *
 * Durability: every write is one transaction (BEGIN IMMEDIATE, so a writer never has to upgrade
 * a read lock and two processes on one file queue on the busy timeout instead of failing).
 * synchronous=NORMAL (the default here) writes each commit to the WAL before it returns, so a
 * killed process loses nothing it acknowledged; only an operating-system crash or power loss can
 * drop the last commits (the file is never corrupted). synchronous=FULL also fsyncs each commit
 * and survives power loss, at the price of one fsync per command: choose it with
 * `{ synchronous: 'FULL' }` (ONETHING_DB_SYNCHRONOUS=FULL through openStore).
 *
 * Speed: statements are prepared once (the dynamic inbox queries once per filter shape), the
 * instance state is one JSON column, and `commit` saves the record and writes its projections in
 * the same transaction. Commits made while other commands of the engine are under way share one
 * transaction at the end of the event-loop turn (group commit, ../commit-group.ts), each in its
 * own savepoint and acknowledged only once the transaction is committed.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { HistoryEntry, Task, TaskFilter } from '../../api.js';
import { type Effect, type InstanceState, byPublicId, withLocalKeys } from '../../runtime/state.js';
import {
  ConflictError,
  compareText,
  followUpsOf,
  taskCursor,
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
import { SqliteJobSource } from '../../jobs/sqlite-job-source.js';
import { inSeqOrder } from '../history.js';
import { CommitGroup, type Queued } from '../commit-group.js';
import { migrate } from './schema.js';
import { WalCheckpointer, WRITER_CHECKPOINT_PAGES } from './wal-checkpointer.js';

export interface SqliteStoreOptions {
  /** 'NORMAL' (default): survives a process kill. 'FULL': also survives power loss, slower. */
  synchronous?: 'NORMAL' | 'FULL';
  /** How long a writer waits for another process's write lock, ms (default 10 s). */
  busyTimeoutMs?: number;
  /** The WAL size (pages) at which a commit checkpoints itself (default WRITER_CHECKPOINT_PAGES). */
  checkpointPages?: number;
}

interface InstanceRow {
  id: string;
  process_id: string;
  version: number;
  deployment_id: string;
  business_key: string | null;
  status: InstanceRecord['status'];
  parent_id: string | null;
  rev: number;
  started_at: number;
  updated_at: number;
  state: string;
  outbox: string | null;
}

interface TaskRow {
  state: Task['state'];
  completed_at: number | null;
  doc: string;
}

type Statement = Database.Statement<unknown[], unknown>;

/** What one command's commit writes: the record as stored, the effects projected, its history entries, the rev it replaces. */
type CommitArgs = [
  stored: InstanceRecord,
  effects: readonly Effect[],
  history: HistoryEntry[],
  expectedRev: number | null,
];

const INSTANCE_COLUMNS =
  'id, process_id, version, deployment_id, business_key, status, parent_id, rev, started_at, updated_at, state, outbox';

/** Task filter fields other than instanceId and state, which `findTasks` turns into SQL itself. */
const TASK_FILTER_COLUMNS: [keyof TaskFilter, string, string][] = [
  ['department', 'department', '='],
  ['assignee', 'assignee', '='],
  ['elementId', 'element_id', '='],
  ['processId', 'process_id', '='],
  ['dueBefore', 'deadline', '<='],
];

const INSTANCE_FILTER_COLUMNS: [keyof InstanceFilter, string, string][] = [
  ['processId', 'process_id', '='],
  ['status', 'status', '='],
  ['businessKey', 'business_key', '='],
];

const TASK_COLUMNS =
  'id, instance_id, process_id, element_id, department, assignee, state, ord, deadline, completed_at, doc';
/** The term of the partial index of spare task rows (schema migration 7), literally. */
const SPARE = '(n & 2147483648) <> 0';
/** A task's own slot holds numbers from 1 to this. */
const MAX_OWN = 2 ** 31 - 1;

/** Instances whose parsed history a store keeps (see `histories`). */
const CACHED_HISTORIES = 1000;
/** Instance records a store keeps parsed (see `records`). */
const CACHED_RECORDS = 1000;
/** Instance keys a store keeps in memory (see `keys`). */
const CACHED_KEYS = 10_000;
/** A history row or task is keyed by (instance key << 32) + a number below this. */
const PER_INSTANCE = 2 ** 32;

export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly file: string;
  /** Timers and service-task jobs, written by the projections in the same transaction. */
  readonly queue: SqliteJobSource;
  private readonly s: ReturnType<typeof prepare>;
  private readonly checkpointer: WalCheckpointer | undefined;
  private readonly queries = new Map<string, Statement>();
  /**
   * Parsed history of the instances read last (least recently read dropped first). History only
   * grows, and each commit appends entries after every one committed before it, so a read asks
   * only for the entries after the last it has: a view per command no longer re-reads and
   * re-parses the whole history. `rev`: the instance's revision at which `entries` is its whole
   * history, when known (see `commit` and `history`); a view asks for that one and needs no read.
   */
  private readonly histories = new Map<string, { entries: HistoryEntry[]; rev?: number }>();
  /** Records committed or read last whose outbox is empty (see getInstance). */
  private readonly records = new Map<string, InstanceRecord>();
  /**
   * The history row this store wrote last, with the entries it was made from: reading it back
   * (each command's view does) then needs no parse.
   */
  private lastHistoryRow: { instanceId: string; json: string; entries: HistoryEntry[] } | undefined;
  /**
   * Instance id → its key in instance_keys (see schema migration 5). A key never changes once
   * committed, so any committed one may be kept; keys created by the write transaction under
   * way wait in `newKeys` until it commits.
   */
  private readonly keys = new Map<string, number>();
  private readonly newKeys = new Map<string, number>();
  private readonly commitTx: Database.Transaction<(...args: CommitArgs) => void>;
  /** Commits held back to the end of the event-loop turn, written in one transaction (commit's `grouped`). */
  private readonly group: CommitGroup<CommitArgs>;
  private readonly writeTx: Database.Transaction<
    (record: InstanceRecord, expectedRev: number | null) => void
  >;
  private readonly projectTx: Database.Transaction<(instanceId: string, effects: readonly Effect[]) => void>;
  private readonly deployTx: Database.Transaction<(d: DeploymentRecord) => void>;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.file = file;
    if (file !== ':memory:' && !file.startsWith('file:')) createPrivately(file);
    this.db = new Database(file);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    // A bigger page cache. A restarted WAL is truncated only past twice the mark's size: below
    // that it is written over in place, without allocating its blocks again.
    this.db.pragma('cache_size = -32768');
    const mark = options.checkpointPages ?? WRITER_CHECKPOINT_PAGES;
    this.db.pragma(`journal_size_limit = ${Math.max(64 << 20, mark * 8192)}`);
    this.db.pragma(`wal_autocheckpoint = ${mark}`);
    migrate(this.db);
    this.s = prepare(this.db);
    // A worker thread copies the WAL into the database in the background; the commit crossing the
    // mark above finds nearly every page copied and lets the log restart (wal-checkpointer.ts).
    if (!this.db.memory && !file.startsWith('file:')) this.checkpointer = new WalCheckpointer(file, () => {});
    this.queue = new SqliteJobSource(this.db);

    this.projectTx = this.db.transaction((instanceId: string, effects: readonly Effect[]) =>
      this.applyEffects(instanceId, effects, historyOf(effects)),
    );
    this.writeTx = this.db.transaction((record: InstanceRecord, expectedRev: number | null) =>
      this.writeInstance(record, expectedRev),
    );
    this.commitTx = this.db.transaction(
      (
        stored: InstanceRecord,
        effects: readonly Effect[],
        history: HistoryEntry[],
        expectedRev: number | null,
      ) => {
        this.writeInstance(stored, expectedRev);
        this.applyEffects(stored.id, effects, history);
      },
    );
    // Each commit of a group in its own savepoint (a transaction function called inside another).
    const groupTx = this.db.transaction((group: Queued<CommitArgs>[]) => {
      for (const q of group) this.commitInGroup(q);
    });
    this.group = new CommitGroup((group) => this.write(groupTx, group));
    this.deployTx = this.db.transaction((d: DeploymentRecord) => {
      for (const p of d.processes) {
        if (this.s.claimVersion.run(p.id, p.version, d.id).changes === 0) {
          const owner = (this.s.versionOwner.get(p.id, p.version) as { deployment_id: string }).deployment_id;
          if (owner !== d.id)
            throw new ConflictError(p.id, `process ${p.id} version ${p.version} is already deployed`);
        }
      }
      this.s.upsertDeployment.run(d.id, d.createdAt, JSON.stringify(d));
    });
  }

  // ── deployments ──────────────────────────────────────────────────────────────────────

  /** Runs a write transaction; the instance keys it created are kept only if it committed. */
  private write<A extends unknown[]>(tx: Database.Transaction<(...args: A) => void>, ...args: A): void {
    let committed = false;
    try {
      tx.immediate(...args);
      committed = true;
    } finally {
      if (this.newKeys.size) {
        if (committed) for (const [id, k] of this.newKeys) this.rememberKey(id, k);
        this.newKeys.clear();
      }
    }
  }

  async saveDeployment(d: DeploymentRecord): Promise<void> {
    this.write(this.deployTx, d);
  }
  async getDeployment(id: string) {
    const row = this.s.getDeployment.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as DeploymentRecord) : undefined;
  }
  async listDeployments() {
    return (this.s.listDeployments.all() as { doc: string }[]).map(
      (r) => JSON.parse(r.doc) as DeploymentRecord,
    );
  }
  async latestVersion(processId: string) {
    return (this.s.latestVersion.get(processId) as { v: number | null }).v ?? 0;
  }

  // ── instances ────────────────────────────────────────────────────────────────────────

  async createInstance(record: InstanceRecord): Promise<void> {
    this.records.delete(record.id);
    // A delivery is a second row: both in one transaction.
    if (record.delivery !== undefined) this.write(this.writeTx, record, null);
    else this.writeInstance(record, null);
  }
  /**
   * A record this store committed or read is returned again, unparsed, while the row still has
   * its rev and an empty outbox (another process's save changes the rev; only clearOutbox
   * changes a row without it, and it never touches an empty outbox). Records are never changed
   * once saved: the engine steps on a copy, as it does with the MemoryStore's.
   */
  async getInstance(id: string) {
    const kept = this.records.get(id);
    if (kept) {
      const row = this.s.currentRev.get(id) as { rev: number } | undefined;
      if (row?.rev === kept.rev) return kept;
      this.records.delete(id);
    }
    const row = this.s.getInstance.get(id) as InstanceRow | undefined;
    if (!row) return undefined;
    const record = instanceOf(row);
    if (row.outbox === null) this.keepRecord(record);
    return record;
  }
  async saveInstance(record: InstanceRecord, expectedRev: number): Promise<void> {
    this.records.delete(record.id);
    if (record.delivery !== undefined) this.write(this.writeTx, record, expectedRev);
    else this.writeInstance(record, expectedRev);
  }
  async hasDelivery(instanceId: string, deliveryId: string) {
    return this.s.hasDelivery.get(deliveryId, instanceId) !== undefined;
  }
  async deliveredTo(deliveryId: string) {
    return (this.s.deliveredTo.all(deliveryId) as { instance_id: string }[]).map((r) => r.instance_id);
  }
  async commit(record: InstanceRecord, expectedRev: number | null, options?: CommitOptions): Promise<void> {
    const followUps = followUpsOf(record.outbox);
    const stored = { ...record, outbox: followUps };
    const history = historyOf(record.outbox);
    this.records.delete(record.id);
    if (options?.grouped || this.group.joinable)
      await this.group.add([stored, record.outbox, history, expectedRev]);
    else this.write(this.commitTx, stored, record.outbox, history, expectedRev);
    // A read while the group waited may have kept the older row.
    this.records.delete(record.id);
    this.historyCommitted(record, expectedRev, history);
    if (followUps.length === 0) {
      delete stored.delivery; // written, never read back (see InstanceRecord.delivery)
      this.keepRecord(stored);
    }
  }

  /**
   * One commit of a group, in its own savepoint: a failure rolls back this commit alone, and the
   * instance keys it created go with it.
   */
  private commitInGroup(q: Queued<CommitArgs>): void {
    const keysBefore = this.newKeys.size;
    try {
      this.commitTx(...q.item);
    } catch (err) {
      // Some errors (disk full, I/O) end the whole transaction: the group fails as one.
      if (!this.db.inTransaction) throw err;
      q.failed = true;
      q.error = err;
      let i = 0;
      for (const id of [...this.newKeys.keys()]) if (i++ >= keysBefore) this.newKeys.delete(id);
    }
  }

  /**
   * The record as this store committed or read it last (outbox empty), without a read: another
   * process may have saved the instance since, which the command's compare-and-set then catches
   * (see Store.committedInstance).
   */
  committedInstance(id: string): InstanceRecord | undefined {
    return this.records.get(id);
  }

  /** A task open in the record `committedInstance` gives for its instance (the runtime's task ids name it). */
  committedOpenTask(taskId: string): Task | undefined {
    const own = ownSlot(taskId);
    const tasks = own && this.records.get(own.instanceId)?.state.tasks;
    const task = tasks && byPublicId(tasks, taskId);
    return task?.state === 'open' ? task : undefined;
  }

  /**
   * The kept history after this store's commit of `record`: exact at its rev when it was exact at
   * the rev the commit replaced (the compare-and-set makes that the one before) and the commit's
   * entries all come after it (entries carried again from an unfinished outbox do not).
   */
  private historyCommitted(record: InstanceRecord, expectedRev: number | null, sorted: HistoryEntry[]): void {
    const kept = this.histories.get(record.id);
    const before = expectedRev === null ? [] : kept?.rev === expectedRev ? kept.entries : undefined;
    if (before && (sorted.length === 0 || (before.at(-1)?.seq ?? -1) < sorted[0]!.seq))
      this.keepHistory(record.id, { entries: before.concat(sorted), rev: record.rev });
    else if (kept) kept.rev = undefined;
  }

  private keepHistory(instanceId: string, kept: { entries: HistoryEntry[]; rev?: number }): void {
    this.histories.delete(instanceId);
    this.histories.set(instanceId, kept);
    if (this.histories.size > CACHED_HISTORIES) this.histories.delete(this.histories.keys().next().value!);
  }

  private keepRecord(record: InstanceRecord): void {
    if (this.records.size >= CACHED_RECORDS) this.records.delete(this.records.keys().next().value!);
    this.records.set(record.id, record);
  }
  async clearOutbox(instanceId: string, rev: number): Promise<void> {
    this.s.clearOutbox.run(instanceId, rev);
  }
  async pendingOutboxes(limit: number) {
    return (this.s.pendingOutboxes.all(limit) as InstanceRow[]).map(instanceOf);
  }
  async listInstances(filter: InstanceFilter, page: Page = {}) {
    // The literal term lets SQLite use the partial index of unfinished instances (schema migration 6).
    const given =
      filter.status !== undefined && filter.status !== 'completed'
        ? { where: ["status <> 'completed'"], params: [] }
        : undefined;
    const rows = this.select(
      'instances',
      INSTANCE_COLUMNS,
      INSTANCE_FILTER_COLUMNS,
      filter,
      'id',
      page,
      given,
    );
    return (rows as InstanceRow[]).map(instanceOf);
  }

  async countInstances(filter: InstanceFilter): Promise<number> {
    // Counted on an index (the partial one of unfinished instances for a status other than
    // 'completed', as in listInstances): no instance state is read.
    const where =
      filter.status !== undefined && filter.status !== 'completed' ? ["status <> 'completed'"] : [];
    const params: unknown[] = [];
    for (const [key, column] of INSTANCE_FILTER_COLUMNS) {
      if (filter[key] === undefined) continue;
      where.push(`${column} = ?`);
      params.push(filter[key]);
    }
    const sql = `SELECT count(*) AS n FROM instances${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    let stmt = this.queries.get(sql);
    if (!stmt) this.queries.set(sql, (stmt = this.db.prepare(sql)));
    return (stmt.get(...params) as { n: number }).n;
  }

  /** Insert (expectedRev null) or compare-and-set update; the caller's transaction, if any, rolls back on conflict. */
  private writeInstance(r: InstanceRecord, expectedRev: number | null): void {
    this.writeRecord(r, expectedRev);
    if (r.delivery !== undefined) this.s.insertDelivery.run(r.delivery, r.id);
  }

  private writeRecord(r: InstanceRecord, expectedRev: number | null): void {
    const outbox = r.outbox.length ? JSON.stringify(r.outbox) : null;
    const state = JSON.stringify(r.state);
    if (expectedRev === null) {
      try {
        this.s.insertInstance.run(
          r.id,
          r.processId,
          r.version,
          r.deploymentId,
          r.businessKey ?? null,
          r.status,
          r.parentInstanceId ?? null,
          r.rev,
          r.startedAt,
          r.updatedAt,
          state,
          outbox,
        );
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new ConflictError(r.id, `instance ${r.id} already exists`);
        }
        throw err;
      }
      return;
    }
    // Identity columns (process id, business key, parent, start) never change. The status rarely
    // does: first try the update that leaves the status index alone.
    const same = this.s.updateInstance.run(
      r.version,
      r.deploymentId,
      r.rev,
      r.updatedAt,
      state,
      outbox,
      r.id,
      expectedRev,
      r.status,
    );
    if (same.changes > 0) return;
    const result = this.s.updateInstanceStatus.run(
      r.version,
      r.deploymentId,
      r.rev,
      r.updatedAt,
      state,
      outbox,
      r.status,
      r.id,
      expectedRev,
    );
    if (result.changes === 0) throw new ConflictError(r.id);
  }

  // ── projections ──────────────────────────────────────────────────────────────────────

  async project(instanceId: string, effects: readonly Effect[]): Promise<void> {
    if (!effects.length) return;
    // Entries written outside a commit: the kept history is no longer known exact at a rev.
    const kept = this.histories.get(instanceId);
    if (kept) kept.rev = undefined;
    this.write(this.projectTx, instanceId, effects);
  }

  /** `history`: the effects' history entries in seq order (historyOf). */
  private applyEffects(instanceId: string, effects: readonly Effect[], history: HistoryEntry[]): void {
    const s = this.s;
    for (const e of effects) {
      const queued = queueChangeOf(instanceId, e);
      if (queued) {
        if ('schedule' in queued) this.queue.schedule(queued.schedule);
        else this.queue.finish(queued.finish);
      }
      switch (e.type) {
        case 'task.created':
          this.insertTask(e.task);
          break;
        case 'task.ended':
          this.endTask(e.taskId, e.state, e.at);
          break;
        case 'job.created':
          s.upsertJob.run(
            e.job.id,
            e.job.instanceId,
            e.job.type,
            e.job.createdAt,
            JSON.stringify({ ...e.job, retries: e.retries }),
          );
          break;
        case 'job.ended':
          s.deleteJob.run(e.jobId);
          break;
        case 'timer.scheduled':
          s.upsertTimer.run(e.timerId, instanceId, e.elementId, e.dueAt);
          break;
        case 'timer.cancelled':
          s.deleteTimer.run(e.timerId);
          break;
        case 'message.subscribed':
          s.upsertSubscription.run(e.subscriptionId, instanceId, e.messageName, e.correlationKey);
          break;
        case 'message.unsubscribed':
          s.deleteSubscription.run(e.subscriptionId);
          break;
        default:
          break;
      }
    }
    if (history.length) this.appendHistory(instanceId, history);
  }

  /**
   * One row for a command's entries, keyed by its last seq. A replayed projection finds that row
   * and adds only the entries it lacks (none, when the replay is the same command).
   */
  private appendHistory(instanceId: string, entries: HistoryEntry[]): void {
    const last = entries.at(-1)!.seq;
    if (!Number.isSafeInteger(last) || last < 0 || last >= PER_INSTANCE)
      throw new RangeError(`history seq ${last} of instance ${instanceId} is outside 0…2^32`);
    const k = this.keyFor(instanceId);
    const json = entriesJson(instanceId, entries);
    if (this.s.insertHistory.run(k, last, json).changes > 0) {
      this.lastHistoryRow = { instanceId, json, entries };
      return;
    }
    const row = this.s.historyRow.get(k, last) as { entries: string };
    const stored = parseEntries(instanceId, row.entries);
    const merged = inSeqOrder(stored.concat(entries));
    if (merged.length > stored.length) this.s.updateHistory.run(entriesJson(instanceId, merged), k, last);
  }

  // ── tasks by id (see schema migration 7) ──────────────────────────────────────────────

  /** Inserts the task unless one with its id exists (a replayed projection). */
  private insertTask(t: Task): void {
    const s = this.s;
    const k = this.keyFor(t.instanceId);
    const columns = [
      t.id,
      t.instanceId,
      t.processId,
      t.elementId,
      t.department ?? null,
      t.assignee ?? null,
      t.state,
      taskCursor(t),
      t.deadline ?? null,
      t.completedAt ?? null,
      JSON.stringify(t),
    ];
    const own = ownSlot(t.id);
    if (own?.instanceId === t.instanceId) {
      // A spare row with this id is the task already (see taskRow).
      if (s.spareTaskExists.get(t.id) !== undefined) return;
      if (s.insertTaskAt.run(k, own.number, ...columns).changes > 0) return;
      // The slot holds this task already, or another id with the same number.
      if (this.taskRow(t.id)) return;
    } else if (this.taskRow(t.id)) return;
    s.insertSpareTask.run(k, k, k, ...columns);
  }

  private endTask(id: string, state: Task['state'], at: number): void {
    const own = ownSlot(id);
    const k = own && this.keyOf(own.instanceId);
    if (k !== undefined && this.s.endTaskAt.run(state, at, k, own!.number, id).changes > 0) return;
    this.s.endSpareTask.run(state, at, id);
  }

  /** The task's row: at its own slot (one rowid lookup), else among the spare rows. */
  private taskRow(id: string): TaskRow | undefined {
    const own = ownSlot(id);
    const k = own && this.keyOf(own.instanceId);
    if (k !== undefined) {
      const row = this.s.taskAt.get(k, own!.number) as (TaskRow & { id: string }) | undefined;
      if (row?.id === id) return row;
    }
    return this.s.spareTask.get(id) as TaskRow | undefined;
  }

  // ── instance keys ────────────────────────────────────────────────────────────────────

  /** The instance's key, or undefined when nothing of it was projected yet. */
  private keyOf(instanceId: string): number | undefined {
    const known = this.keys.get(instanceId) ?? this.newKeys.get(instanceId);
    if (known !== undefined) return known;
    const row = this.s.keyOf.get(instanceId) as { k: number } | undefined;
    // Inside a write transaction a key found here is committed: this store's own new keys are in newKeys.
    if (row) this.rememberKey(instanceId, row.k);
    return row?.k;
  }

  /** The instance's key, created (inside the caller's write transaction) when it has none. */
  private keyFor(instanceId: string): number {
    const known = this.keyOf(instanceId);
    if (known !== undefined) return known;
    const k = Number(this.s.insertKey.run(instanceId).lastInsertRowid);
    this.newKeys.set(instanceId, k);
    return k;
  }

  private rememberKey(instanceId: string, k: number): void {
    if (this.keys.size >= CACHED_KEYS) this.keys.clear();
    this.keys.set(instanceId, k);
  }

  // ── queries ──────────────────────────────────────────────────────────────────────────

  /**
   * An instance's tasks are a rowid range (see schema migration 5), and open tasks are in the
   * partial indexes, which SQLite uses only for the literal `state = 'open'`.
   */
  async findTasks(filter: TaskFilter, page: Page = {}) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.instanceId !== undefined) {
      const k = this.keyOf(filter.instanceId);
      if (k === undefined) return [];
      where.push('n >= (? << 32) AND n < ((? + 1) << 32) AND instance_id = ?');
      params.push(k, k, filter.instanceId);
    }
    if (filter.state === 'open') {
      // A page of every department's (without a limit, SQLite sorts them all as before; a limit of
      // 0 or less goes that way too, as on every other query: LIMIT 0 reads none, LIMIT -1 all).
      if (
        page.limit !== undefined &&
        page.limit > 0 &&
        filter.instanceId === undefined &&
        filter.department === undefined &&
        filter.assignee === undefined &&
        filter.dueBefore === undefined
      )
        return this.openPageOfEveryDepartment(filter, page.limit, page.after);
      where.push("state = 'open'");
    } else if (filter.state !== undefined) {
      where.push('state = ?');
      params.push(filter.state);
    }
    const rows = this.select('tasks', 'state, completed_at, doc', TASK_FILTER_COLUMNS, filter, 'ord', page, {
      where,
      params,
    });
    return (rows as TaskRow[]).map(taskOf);
  }

  /**
   * A page of the open tasks of every department, in inbox order. No index holds them all in
   * that order: one more b-tree written by nearly every command was a WAL page each (schema
   * migration 9). Each department's first `limit` come in order from its index (those of none
   * too) as row numbers and cursors only; the merged first `limit` are then read whole. One read
   * transaction, so the departments and their pages are of one state of the file.
   */
  private openPageOfEveryDepartment(filter: TaskFilter, limit: number, after: string | undefined): Task[] {
    return this.db.transaction(() => {
      /** The first `limit` found so far, in order: a department's tasks past the last are not read. */
      let top: { n: number; ord: string }[] = [];
      const page = after === undefined ? { limit } : { limit, after };
      for (const department of this.openDepartments()) {
        const given = { where: ["state = 'open'"], params: [] as unknown[] };
        if (department === null) given.where.push('department IS NULL');
        if (top.length === limit) {
          given.where.push('ord < ?');
          given.params.push(top[limit - 1]!.ord);
        }
        const only = department === null ? filter : { ...filter, department };
        const heads = this.select('tasks', 'n, ord', TASK_FILTER_COLUMNS, only, 'ord', page, given);
        if (heads.length) top = mergeFirst(top, heads as { n: number; ord: string }[], limit);
      }
      return top.map((h) => taskOf(this.s.taskByRowid.get(h.n) as TaskRow));
    })();
  }

  /** The departments with open tasks (null for tasks of none): one index seek each. */
  private openDepartments(): (string | null)[] {
    const found: (string | null)[] = [];
    if (this.s.openTaskWithoutDepartment.get() !== undefined) found.push(null);
    let row = this.s.firstOpenDepartment.get() as { department: string } | undefined;
    while (row) {
      found.push(row.department);
      row = this.s.nextOpenDepartment.get(row.department) as { department: string } | undefined;
    }
    return found;
  }

  async getTask(id: string) {
    const row = this.taskRow(id);
    return row ? taskOf(row) : undefined;
  }
  async findJobs(filter: { instanceId?: string; type?: string }) {
    const rows = (
      filter.instanceId !== undefined
        ? filter.type !== undefined
          ? this.s.jobsByInstanceType.all(filter.instanceId, filter.type)
          : this.s.jobsByInstance.all(filter.instanceId)
        : filter.type !== undefined
          ? this.s.jobsByType.all(filter.type)
          : this.s.allJobs.all()
    ) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as JobRecord);
  }
  async getJob(id: string) {
    const row = this.s.getJob.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as JobRecord) : undefined;
  }
  async dueTimers(now: number, limit: number) {
    return (
      this.s.dueTimers.all(now, limit) as {
        id: string;
        instance_id: string;
        element_id: string;
        due_at: number;
      }[]
    ).map((r): TimerRecord => ({
      id: r.id,
      instanceId: r.instance_id,
      elementId: r.element_id,
      dueAt: r.due_at,
    }));
  }
  async findSubscriptions(messageName: string, correlationKey: string | null) {
    return (
      this.s.findSubscriptions.all(messageName, correlationKey) as {
        id: string;
        instance_id: string;
        message_name: string;
        correlation_key: string | null;
      }[]
    ).map((r): SubscriptionRecord => ({
      id: r.id,
      instanceId: r.instance_id,
      messageName: r.message_name,
      correlationKey: r.correlation_key,
    }));
  }
  /**
   * `rev`: the caller holds the instance at that revision (see Store.history). The history this
   * store knows exact at it needs no read; else the entries after the last kept one are read.
   */
  async history(instanceId: string, rev?: number) {
    const kept = this.histories.get(instanceId);
    if (rev !== undefined && kept?.rev === rev) {
      this.keepHistory(instanceId, kept);
      return kept.entries.slice();
    }
    let entries = kept?.entries;
    const after = entries?.at(-1)?.seq ?? -1;
    const k = this.keyOf(instanceId);
    if (k === undefined) return [];
    const rows = this.s.historyAfter.all(k, after, k) as { entries: string }[];
    if (rows.length || !entries) {
      const known = this.lastHistoryRow?.instanceId === instanceId ? this.lastHistoryRow : undefined;
      const added = newEntries(instanceId, rows, after, known);
      entries = entries ? entries.concat(added) : added;
    }
    // Exact at `rev` when that is the kept record's (its outbox empty: every entry of it written)
    // and nothing after its last seq was read (no later revision's entries).
    const record = rev === undefined ? undefined : this.records.get(instanceId);
    const exact =
      record !== undefined && record.rev === rev && (entries.at(-1)?.seq ?? -1) <= record.state.seq;
    this.keepHistory(instanceId, exact ? { entries, rev } : { entries });
    return entries.slice();
  }

  /** Closing under way: a second close() (two shutdown paths) waits for the same one. */
  private closing: Promise<void> | undefined;

  close(): Promise<void> {
    return (this.closing ??= this.closeOnce());
  }

  private async closeOnce(): Promise<void> {
    if (!this.db.open) return;
    this.group.flush();
    // The worker's connection closes first: the last one to close checkpoints and removes the WAL.
    await this.checkpointer?.stop();
    if (!this.db.open) return;
    this.group.flush(); // what was queued while the worker stopped
    this.db.pragma('optimize');
    this.db.close();
  }

  /**
   * A filtered, ordered page: `column op ?` for each filter field present, `order > after`,
   * ORDER BY order, LIMIT. Prepared once per filter shape (which fields are present).
   */
  private select<F extends object>(
    table: string,
    columns: string,
    filterColumns: readonly (readonly [keyof F, string, string])[],
    filter: F,
    order: string,
    page: Page,
    /** Conditions the caller built itself (their text is part of the shape). */
    given: { where: string[]; params: unknown[] } = { where: [], params: [] },
  ): unknown[] {
    const where = given.where;
    const params = given.params;
    let shape = `${table}|${columns}|${where.join('|')}`;
    for (const [key, column, op] of filterColumns) {
      if (filter[key] === undefined) continue;
      where.push(`${column} ${op} ?`);
      params.push(filter[key]);
      shape += `|${String(key)}`;
    }
    if (page.after !== undefined) {
      where.push(`${order} > ?`);
      params.push(page.after);
      shape += '|after';
    }
    params.push(page.limit ?? -1);
    let stmt = this.queries.get(shape);
    if (!stmt) {
      const sql = `SELECT ${columns} FROM ${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
      this.queries.set(shape, (stmt = this.db.prepare(sql)));
    }
    return stmt.all(...params);
  }
}

/**
 * Creates the database file (and its directory) readable by this user only, unless it exists:
 * it holds every case, and SQLite gives its -wal and -shm files the database file's mode.
 */
function createPrivately(file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function prepare(db: Database.Database) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    claimVersion: p(
      'INSERT INTO process_versions (process_id, version, deployment_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    versionOwner: p('SELECT deployment_id FROM process_versions WHERE process_id = ? AND version = ?'),
    upsertDeployment: p(
      'INSERT INTO deployments (id, created_at, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc',
    ),
    getDeployment: p('SELECT doc FROM deployments WHERE id = ?'),
    listDeployments: p('SELECT doc FROM deployments ORDER BY created_at, rowid'),
    latestVersion: p('SELECT max(version) AS v FROM process_versions WHERE process_id = ?'),

    insertInstance: p(
      `INSERT INTO instances (${INSTANCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateInstance: p(
      'UPDATE instances SET version = ?, deployment_id = ?, rev = ?, updated_at = ?, state = ?, outbox = ? ' +
        'WHERE id = ? AND rev = ? AND status = ?',
    ),
    updateInstanceStatus: p(
      'UPDATE instances SET version = ?, deployment_id = ?, rev = ?, updated_at = ?, state = ?, outbox = ?, status = ? ' +
        'WHERE id = ? AND rev = ?',
    ),
    getInstance: p(`SELECT ${INSTANCE_COLUMNS} FROM instances WHERE id = ?`),
    currentRev: p('SELECT rev FROM instances WHERE id = ? AND outbox IS NULL'),
    clearOutbox: p('UPDATE instances SET outbox = NULL WHERE id = ? AND rev = ? AND outbox IS NOT NULL'),
    insertDelivery: p(
      'INSERT INTO deliveries (delivery_id, instance_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
    ),
    hasDelivery: p('SELECT 1 FROM deliveries WHERE delivery_id = ? AND instance_id = ?'),
    deliveredTo: p('SELECT instance_id FROM deliveries WHERE delivery_id = ? ORDER BY instance_id'),
    pendingOutboxes: p(
      `SELECT ${INSTANCE_COLUMNS} FROM instances WHERE outbox IS NOT NULL ORDER BY id LIMIT ?`,
    ),

    // Tasks: see schema migration 7. A task at its own slot, unless a spare row has its id.
    // Two statements, not one INSERT … SELECT … WHERE NOT EXISTS: an INSERT whose SELECT reads the
    // table it writes builds a temporary table for its one row first.
    spareTaskExists: p(`SELECT 1 FROM tasks WHERE id = ? AND ${SPARE}`),
    // The open-task department index, seeked (see openDepartments).
    openTaskWithoutDepartment: p("SELECT 1 FROM tasks WHERE state = 'open' AND department IS NULL LIMIT 1"),
    firstOpenDepartment: p(
      "SELECT department FROM tasks WHERE state = 'open' AND department IS NOT NULL ORDER BY department LIMIT 1",
    ),
    nextOpenDepartment: p(
      "SELECT department FROM tasks WHERE state = 'open' AND department > ? ORDER BY department LIMIT 1",
    ),
    insertTaskAt: p(
      `INSERT INTO tasks (n, ${TASK_COLUMNS}) VALUES ((? << 32) + ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    // A spare row: one past the highest spare n of the instance.
    insertSpareTask: p(
      `INSERT INTO tasks (n, ${TASK_COLUMNS}) VALUES (coalesce((SELECT max(n) FROM tasks ` +
        'WHERE n >= (? << 32) + 2147483648 AND n < ((? + 1) << 32)), (? << 32) + 2147483648) + 1, ' +
        '?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    endTaskAt: p(
      "UPDATE tasks SET state = ?, completed_at = ? WHERE n = (? << 32) + ? AND id = ? AND state = 'open'",
    ),
    endSpareTask: p(
      `UPDATE tasks SET state = ?, completed_at = ? WHERE id = ? AND ${SPARE} AND state = 'open'`,
    ),
    taskAt: p('SELECT id, state, completed_at, doc FROM tasks WHERE n = (? << 32) + ?'),
    taskByRowid: p('SELECT state, completed_at, doc FROM tasks WHERE n = ?'),
    spareTask: p(`SELECT state, completed_at, doc FROM tasks WHERE id = ? AND ${SPARE}`),

    upsertJob: p(
      'INSERT INTO jobs (id, instance_id, type, created_at, doc) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, type = excluded.type, ' +
        'created_at = excluded.created_at, doc = excluded.doc',
    ),
    deleteJob: p('DELETE FROM jobs WHERE id = ?'),
    getJob: p('SELECT doc FROM jobs WHERE id = ?'),
    allJobs: p('SELECT doc FROM jobs ORDER BY created_at, id'),
    jobsByInstance: p('SELECT doc FROM jobs WHERE instance_id = ? ORDER BY created_at, id'),
    jobsByType: p('SELECT doc FROM jobs WHERE type = ? ORDER BY created_at, id'),
    jobsByInstanceType: p('SELECT doc FROM jobs WHERE instance_id = ? AND type = ? ORDER BY created_at, id'),

    upsertTimer: p(
      'INSERT INTO timers (id, instance_id, element_id, due_at) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, element_id = excluded.element_id, due_at = excluded.due_at',
    ),
    deleteTimer: p('DELETE FROM timers WHERE id = ?'),
    dueTimers: p(
      'SELECT id, instance_id, element_id, due_at FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?',
    ),

    upsertSubscription: p(
      'INSERT INTO subscriptions (id, instance_id, message_name, correlation_key) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, message_name = excluded.message_name, ' +
        'correlation_key = excluded.correlation_key',
    ),
    deleteSubscription: p('DELETE FROM subscriptions WHERE id = ?'),
    findSubscriptions: p(
      'SELECT id, instance_id, message_name, correlation_key FROM subscriptions WHERE message_name = ? AND correlation_key IS ? ORDER BY id',
    ),

    keyOf: p('SELECT k FROM instance_keys WHERE instance_id = ?'),
    insertKey: p('INSERT INTO instance_keys (instance_id) VALUES (?)'),
    // n is (k << 32) + the last seq in the row: see schema migration 5.
    insertHistory: p('INSERT INTO history (n, entries) VALUES ((? << 32) + ?, ?) ON CONFLICT DO NOTHING'),
    historyRow: p('SELECT entries FROM history WHERE n = (? << 32) + ?'),
    updateHistory: p('UPDATE history SET entries = ? WHERE n = (? << 32) + ?'),
    historyAfter: p('SELECT entries FROM history WHERE n > (? << 32) + ? AND n < ((? + 1) << 32) ORDER BY n'),
  };
}

/** The history entries among the effects, in seq order, each seq once (as inSeqOrder). */
function historyOf(effects: readonly Effect[]): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const e of effects) if (e.type === 'history') entries.push(e.entry);
  return inSeqOrder(entries);
}

function instanceOf(row: InstanceRow): InstanceRecord {
  const record: InstanceRecord = {
    id: row.id,
    processId: row.process_id,
    version: row.version,
    deploymentId: row.deployment_id,
    status: row.status,
    rev: row.rev,
    state: withLocalKeys(JSON.parse(row.state) as InstanceState),
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    outbox: row.outbox === null ? [] : (JSON.parse(row.outbox) as Effect[]),
  };
  if (row.business_key !== null) record.businessKey = row.business_key;
  if (row.parent_id !== null) record.parentInstanceId = row.parent_id;
  return record;
}

/**
 * The entries after seq `after` from the rows whose last seq is after it. A row may also hold
 * older entries, and entries written out of order or replayed may overlap between rows.
 */
function newEntries(
  instanceId: string,
  rows: readonly { entries: string }[],
  after: number,
  known?: { json: string; entries: HistoryEntry[] },
): HistoryEntry[] {
  const added: HistoryEntry[] = [];
  for (const row of rows) {
    const entries = row.entries === known?.json ? known.entries : parseEntries(instanceId, row.entries);
    for (const entry of entries) if (entry.seq > after) added.push(entry);
  }
  return inSeqOrder(added);
}

/**
 * A history row's JSON. An entry's id (`<instance id>:<seq>`) and instanceId are left out when
 * they are the ones its row implies, which halves the row (fewer pages written per command);
 * `parseEntries` puts them back, first, as the runtime writes them.
 */
function entriesJson(instanceId: string, entries: readonly HistoryEntry[]): string {
  let json = '[';
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (i > 0) json += ',';
    json += impliedEntryJson(instanceId, entry) ?? JSON.stringify(entry);
  }
  return `${json}]`;
}

/**
 * The JSON of an entry whose id and instanceId its row implies, without them, written field by
 * field: copying each entry without the two keys for JSON.stringify cost twice as much. Undefined
 * for any other entry (other ids, a key this does not know), which is then stored whole.
 */
function impliedEntryJson(instanceId: string, e: HistoryEntry): string | undefined {
  const { seq, at, type, elementId, elementType, data } = e;
  if (
    e.instanceId !== instanceId ||
    typeof seq !== 'number' ||
    !Number.isFinite(seq) ||
    e.id !== `${instanceId}:${seq}` ||
    typeof at !== 'number' ||
    !Number.isFinite(at) ||
    typeof type !== 'string'
  )
    return undefined;
  let keys = 5;
  let json = `{"seq":${seq},"at":${at},"type":${JSON.stringify(type)}`;
  if (elementId !== undefined) {
    if (typeof elementId !== 'string') return undefined;
    json += `,"elementId":${JSON.stringify(elementId)}`;
    keys++;
  }
  if (elementType !== undefined) {
    if (typeof elementType !== 'string') return undefined;
    json += `,"elementType":${JSON.stringify(elementType)}`;
    keys++;
  }
  if (data !== undefined) {
    const dataJson = JSON.stringify(data) as string | undefined; // undefined for a function, say
    if (dataJson === undefined) return undefined;
    json += `,"data":${dataJson}`;
    keys++;
  }
  // Every key known, none left out: an entry with more keys is stored whole.
  let own = 0;
  for (const _key in e) own++;
  return own === keys ? `${json}}` : undefined;
}

function parseEntries(instanceId: string, json: string): HistoryEntry[] {
  const entries = JSON.parse(json) as (Omit<HistoryEntry, 'id' | 'instanceId'> & Partial<HistoryEntry>)[];
  return entries.map((e) =>
    e.id === undefined ? { id: `${instanceId}:${e.seq}`, instanceId, ...e } : (e as HistoryEntry),
  );
}

/**
 * Where a task with this id may sit by its id alone (schema migration 7): its id is
 * '<instance id>.<letters><number>', the number written without leading zeros.
 */
function ownSlot(id: string): { instanceId: string; number: number } | undefined {
  const dot = id.lastIndexOf('.');
  if (dot < 0) return undefined;
  let i = dot + 1;
  while (i < id.length && isLetter(id.charCodeAt(i))) i++;
  const digits = id.slice(i);
  if (!/^[1-9][0-9]{0,9}$/.test(digits)) return undefined;
  const number = Number(digits);
  return number <= MAX_OWN ? { instanceId: id.slice(0, dot), number } : undefined;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** The first `limit` of two lists in inbox order (as SQLite orders `ord`). */
function mergeFirst<T extends { ord: string }>(a: readonly T[], b: readonly T[], limit: number): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && compareText(a[i]!.ord, b[j]!.ord) <= 0)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

function taskOf(row: TaskRow): Task {
  const task = JSON.parse(row.doc) as Task;
  task.state = row.state;
  if (row.completed_at !== null) task.completedAt = row.completed_at;
  return task;
}
