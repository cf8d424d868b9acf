/**
 * The in-memory Store: the reference implementation of the port, used by tests, the CLI and the
 * in-memory benchmark. Records are kept as given; callers never mutate what they hand over.
 */
import type { HistoryEntry, Task, TaskFilter } from '../api.js';
import { queueChangeOf } from '../jobs/job-source.js';
import { MemoryJobSource } from '../jobs/memory-job-source.js';
import type { Effect } from '../runtime/state.js';
import {
  ConflictError,
  compareText,
  followUpsOf,
  matchesTask,
  taskCursor,
  type DeploymentRecord,
  type InstanceFilter,
  type InstanceRecord,
  type JobRecord,
  type Page,
  type Store,
  type SubscriptionRecord,
  type TimerRecord,
} from './port.js';

export { matchesTask } from './port.js';

/** Index key of a subscription: a null correlation key and an empty one are different keys. */
const subscriptionKey = (name: string, key: string | null) =>
  `${name}\u0000${key === null ? '-' : `=${key}`}`;

/**
 * One instance's history, in seq order. Steps append in seq order, so an entry is almost always
 * pushed at the end; a replayed projection (same seq) replaces its entry in place. An array keeps
 * that cheap: no hashing per entry, reading is one copy, and it holds far less memory per
 * instance than a Map (the store keeps every instance's history).
 */
type HistoryLog = HistoryEntry[];

/** Index of the first entry whose seq is at least `seq` (binary search; the log is sorted). */
function seqIndex(log: HistoryLog, seq: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds an entry, or replaces the one with its seq (projections are idempotent). */
function appendEntry(log: HistoryLog, entry: HistoryEntry): void {
  const last = log[log.length - 1];
  if (last === undefined || last.seq < entry.seq) {
    log.push(entry);
    return;
  }
  const at = seqIndex(log, entry.seq);
  if (log[at]!.seq === entry.seq) log[at] = entry;
  else log.splice(at, 0, entry);
}

/**
 * A task ended since it was last read: the open task and how it ended, made into the ended Task
 * on its first read (MemoryStore.taskNow). Most ended tasks are never read again, and the copy
 * (Object.assign of every field) was the larger part of projecting a step.
 */
class EndedTask {
  constructor(
    readonly open: Task,
    readonly state: 'completed' | 'cancelled',
    readonly at: number,
  ) {}
  /** The task as getTask returns it. */
  made(): Task {
    return Object.assign({}, this.open, { state: this.state, completedAt: this.at });
  }
}

function matchesInstance(r: InstanceRecord, filter: InstanceFilter): boolean {
  return (
    (filter.processId === undefined || r.processId === filter.processId) &&
    (filter.status === undefined || r.status === filter.status) &&
    (filter.businessKey === undefined || r.businessKey === filter.businessKey)
  );
}

export class MemoryStore implements Store {
  private readonly deployments = new Map<string, DeploymentRecord>();
  private readonly versions = new Map<string, number>();
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly tasks = new Map<string, Task | EndedTask>();
  private readonly cursors = new Map<string, string>();
  private readonly jobs = new Map<string, JobRecord>();
  private readonly timers = new Map<string, TimerRecord>();
  private readonly subscriptions = new Map<string, SubscriptionRecord>();
  private readonly subscriptionIndex = new Map<string, Set<string>>();
  private readonly histories = new Map<string, HistoryLog>();
  private readonly deliveries = new Map<string, Set<string>>();
  private readonly pending = new Set<string>();
  readonly queue = new MemoryJobSource();

  async saveDeployment(d: DeploymentRecord): Promise<void> {
    for (const p of d.processes) {
      const taken = [...this.deployments.values()].find(
        (o) => o.id !== d.id && o.processes.some((q) => q.id === p.id && q.version === p.version),
      );
      if (taken) throw new ConflictError(p.id, `process ${p.id} version ${p.version} is already deployed`);
    }
    this.deployments.set(d.id, d);
    for (const p of d.processes) this.versions.set(p.id, Math.max(this.versions.get(p.id) ?? 0, p.version));
  }
  async getDeployment(id: string) {
    return this.deployments.get(id);
  }
  async listDeployments() {
    return [...this.deployments.values()].sort((a, b) => a.createdAt - b.createdAt);
  }
  async latestVersion(processId: string) {
    return this.versions.get(processId) ?? 0;
  }

  async createInstance(record: InstanceRecord): Promise<void> {
    if (this.instances.has(record.id)) throw new ConflictError(record.id);
    this.put(this.remember(record));
  }
  async getInstance(id: string) {
    return this.instances.get(id);
  }
  /**
   * Without a read (see port.ts): in memory the record held is the one committed last, so a
   * command is decided on it at once; one with follow-ups still to run takes the ordinary path.
   */
  committedInstance(id: string): InstanceRecord | undefined {
    const record = this.instances.get(id);
    return record?.outbox.length === 0 ? record : undefined;
  }
  /** The inbox's task while it is open (the projection of the record committedInstance gives). */
  committedOpenTask(taskId: string): Task | undefined {
    const task = this.tasks.get(taskId);
    return task instanceof EndedTask || task?.state !== 'open' ? undefined : task;
  }
  async saveInstance(record: InstanceRecord, expectedRev: number): Promise<void> {
    const current = this.instances.get(record.id);
    if (!current || current.rev !== expectedRev) throw new ConflictError(record.id);
    this.put(this.remember(record));
  }
  /** save (or create) + project + keep the follow-ups as one step: in memory nothing can come in between. */
  async commit(record: InstanceRecord, expectedRev: number | null): Promise<void> {
    const current = this.instances.get(record.id);
    if (expectedRev === null ? current !== undefined : !current || current.rev !== expectedRev) {
      throw new ConflictError(record.id);
    }
    const kept = this.remember(record);
    this.put(kept.outbox.length ? { ...kept, outbox: followUpsOf(kept.outbox) } : kept);
    this.apply(record.id, record.outbox);
  }
  async hasDelivery(instanceId: string, deliveryId: string): Promise<boolean> {
    return this.deliveries.get(deliveryId)?.has(instanceId) ?? false;
  }
  async deliveredTo(deliveryId: string): Promise<string[]> {
    return [...(this.deliveries.get(deliveryId) ?? [])].sort();
  }
  /** Notes the record's delivery and returns the record as kept (without it). */
  private remember(record: InstanceRecord): InstanceRecord {
    if (record.delivery === undefined) return record;
    let set = this.deliveries.get(record.delivery);
    if (!set) this.deliveries.set(record.delivery, (set = new Set()));
    set.add(record.id);
    const { delivery: _delivery, ...kept } = record;
    return kept;
  }
  async clearOutbox(instanceId: string, rev: number): Promise<void> {
    const current = this.instances.get(instanceId);
    if (current && current.rev === rev && current.outbox.length) this.put({ ...current, outbox: [] });
  }
  async pendingOutboxes(limit: number) {
    return [...this.pending].slice(0, limit).map((id) => this.instances.get(id)!);
  }
  /** Stores a record, keeping the set of instances with an outbox (the sweeper reads it often). */
  private put(record: InstanceRecord): void {
    this.instances.set(record.id, record);
    if (record.outbox.length) this.pending.add(record.id);
    else this.pending.delete(record.id);
  }
  async listInstances(filter: InstanceFilter, page: Page = {}) {
    const out: InstanceRecord[] = [];
    for (const r of this.instances.values()) {
      if (!matchesInstance(r, filter)) continue;
      if (page.after !== undefined && compareText(r.id, page.after) <= 0) continue;
      out.push(r);
    }
    out.sort((a, b) => compareText(a.id, b.id));
    return out.slice(0, page.limit ?? out.length);
  }
  async countInstances(filter: InstanceFilter) {
    let n = 0;
    for (const r of this.instances.values()) if (matchesInstance(r, filter)) n++;
    return n;
  }

  async project(instanceId: string, effects: readonly Effect[]): Promise<void> {
    this.apply(instanceId, effects);
  }

  private apply(instanceId: string, effects: readonly Effect[]): void {
    // Most effects are history entries: the instance's log is looked up once per call, and only
    // the four effect types that change the job queue ask queueChangeOf.
    let log: HistoryLog | undefined;
    for (const e of effects) {
      switch (e.type) {
        case 'history':
          if (log === undefined) {
            log = this.histories.get(instanceId);
            if (log === undefined) this.histories.set(instanceId, (log = []));
          }
          appendEntry(log, e.entry);
          break;
        case 'task.created':
          // Insert only: a replayed creation must not reopen a task that has ended since.
          if (!this.tasks.has(e.task.id)) this.tasks.set(e.task.id, e.task);
          break;
        case 'task.ended': {
          const task = this.tasks.get(e.taskId);
          if (task && !(task instanceof EndedTask) && task.state === 'open')
            this.tasks.set(e.taskId, new EndedTask(task, e.state, e.at));
          break;
        }
        case 'job.created':
          this.changeQueue(instanceId, e);
          this.jobs.set(e.job.id, { ...e.job, retries: e.retries });
          break;
        case 'job.ended':
          this.changeQueue(instanceId, e);
          this.jobs.delete(e.jobId);
          break;
        case 'timer.scheduled':
          this.changeQueue(instanceId, e);
          this.timers.set(e.timerId, { id: e.timerId, instanceId, elementId: e.elementId, dueAt: e.dueAt });
          break;
        case 'timer.cancelled':
          this.changeQueue(instanceId, e);
          this.timers.delete(e.timerId);
          break;
        case 'message.subscribed': {
          const rec = {
            id: e.subscriptionId,
            instanceId,
            messageName: e.messageName,
            correlationKey: e.correlationKey,
          };
          this.subscriptions.set(rec.id, rec);
          const key = subscriptionKey(rec.messageName, rec.correlationKey);
          let set = this.subscriptionIndex.get(key);
          if (!set) this.subscriptionIndex.set(key, (set = new Set()));
          set.add(rec.id);
          break;
        }
        case 'message.unsubscribed': {
          const rec = this.subscriptions.get(e.subscriptionId);
          if (!rec) break;
          this.subscriptions.delete(rec.id);
          this.subscriptionIndex.get(subscriptionKey(rec.messageName, rec.correlationKey))?.delete(rec.id);
          break;
        }
        default:
          break;
      }
    }
  }

  /** Queues or finishes the job a timer or job effect stands for (every store's rule: queueChangeOf). */
  private changeQueue(instanceId: string, e: Effect): void {
    const queued = queueChangeOf(instanceId, e);
    if (!queued) return;
    if ('schedule' in queued) this.queue.schedule(queued.schedule);
    else this.queue.finish(queued.finish);
  }

  async findTasks(filter: TaskFilter, page: Page = {}) {
    const out: { task: Task; cursor: string }[] = [];
    for (const id of this.tasks.keys()) {
      const t = this.taskNow(id)!;
      if (!matchesTask(t, filter)) continue;
      const cursor = this.cursorOf(t);
      if (page.after !== undefined && compareText(cursor, page.after) <= 0) continue;
      out.push({ task: t, cursor });
    }
    out.sort((a, b) => compareText(a.cursor, b.cursor));
    return out.slice(0, page.limit ?? out.length).map((o) => o.task);
  }
  /** Computed on first use: the inbox order is needed by queries, not by every task created. */
  private cursorOf(task: Task): string {
    let cursor = this.cursors.get(task.id);
    if (cursor === undefined) this.cursors.set(task.id, (cursor = taskCursor(task)));
    return cursor;
  }
  async getTask(id: string) {
    return this.taskNow(id);
  }
  /** A task as it is now; an ended one is made once, on its first read. */
  private taskNow(id: string): Task | undefined {
    const task = this.tasks.get(id);
    if (!(task instanceof EndedTask)) return task;
    const made = task.made();
    this.tasks.set(id, made);
    return made;
  }
  async findJobs(filter: { instanceId?: string; type?: string }) {
    return [...this.jobs.values()].filter(
      (j) =>
        (filter.instanceId === undefined || j.instanceId === filter.instanceId) &&
        (filter.type === undefined || j.type === filter.type),
    );
  }
  async getJob(id: string) {
    return this.jobs.get(id);
  }
  async dueTimers(now: number, limit: number) {
    const due = [...this.timers.values()].filter((t) => t.dueAt <= now);
    due.sort((a, b) => a.dueAt - b.dueAt);
    return due.slice(0, limit);
  }
  async findSubscriptions(messageName: string, correlationKey: string | null) {
    const ids = this.subscriptionIndex.get(subscriptionKey(messageName, correlationKey));
    return ids ? [...ids].map((id) => this.subscriptions.get(id)!) : [];
  }
  async history(instanceId: string) {
    return this.histories.get(instanceId)?.slice() ?? [];
  }
  async close() {}
}
