/**
 * The Store port. The instance record (its state with open tasks and waits) is the single source
 * of truth, saved with compare-and-set on `rev`. Everything else — the task inbox, timers, jobs,
 * message subscriptions, history — is a projection written from a step's effects, idempotently.
 */
import type { HistoryEntry, InstanceStatus, Job, Task, TaskFilter } from '../api.js';
import type { JobQueue } from '../jobs/job-source.js';
import type { Effect, InstanceState } from '../runtime/state.js';

export interface DeploymentRecord {
  id: string;
  xml: string;
  processes: { id: string; version: number; name?: string }[];
  createdAt: number;
  /** Free-form metadata (bundle package, author). */
  meta?: Record<string, unknown>;
}

export interface InstanceRecord {
  id: string;
  processId: string;
  version: number;
  deploymentId: string;
  businessKey?: string;
  status: InstanceStatus;
  parentInstanceId?: string;
  rev: number;
  state: InstanceState;
  startedAt: number;
  updatedAt: number;
  /**
   * Effects saved with the record whose projections or follow-ups may not have run yet (a crash
   * between save and projection, or between projection and follow-ups). `commit` projects and
   * keeps only the follow-ups (see isFollowUp); the engine clears them once they have run, and
   * carries into the next save whatever is still there.
   */
  outbox: Effect[];
  /**
   * The delivery this save applies (a published message, an escalation: the effect's
   * deliveryId). The store remembers (delivery, instance) atomically with the save, so
   * `deliveredTo` finds it and a replayed delivery is recognised. Written, never read back.
   */
  delivery?: string;
}

/**
 * Effects that ask something of other instances: start a called child, cancel it, tell the parent
 * the child ended or escalated, publish a message. They have no projection; they stay in the
 * outbox after `commit` until the engine has carried them out, so a crash in between loses none.
 */
export function isFollowUp(effect: Effect): boolean {
  switch (effect.type) {
    case 'call.started':
    case 'call.cancelled':
    case 'escalation.raised':
    case 'message.published':
      return true;
    case 'instance.ended':
      return effect.parent !== undefined;
    default:
      return false;
  }
}

/** The follow-ups of an outbox (the same empty array when there are none, the common case). */
export function followUpsOf(outbox: readonly Effect[]): Effect[] {
  let out: Effect[] | undefined;
  for (const e of outbox) if (isFollowUp(e)) (out ??= []).push(e);
  return out ?? NONE;
}
const NONE: Effect[] = [];

export interface TimerRecord {
  id: string;
  instanceId: string;
  elementId: string;
  dueAt: number;
}

export interface JobRecord extends Job {
  retries: number;
}

export interface SubscriptionRecord {
  id: string;
  instanceId: string;
  messageName: string;
  correlationKey: string | null;
}

export interface InstanceFilter {
  processId?: string;
  status?: InstanceStatus;
  businessKey?: string;
}

export interface Page {
  limit?: number;
  /**
   * Opaque cursor from a previous page: for tasks `taskCursor(lastTask)`, for instances the last
   * instance's id. Results come in a stable order (tasks: createdAt, then id; instances: id).
   */
  after?: string;
}

/**
 * A write lost a race: someone else changed the instance (or claimed the process version, or
 * completed the task) since it was read. HTTP maps `code` 'conflict' to 409.
 */
export class ConflictError extends Error {
  readonly code = 'conflict';
  constructor(
    readonly id: string,
    message = `instance ${id} was changed concurrently`,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** How the engine asks for a commit (see Store.commit). */
export interface CommitOptions {
  /**
   * Other commands of this engine are under way and will commit within this event-loop turn: the
   * store may hold this commit back until the turn ends and write them all in one transaction
   * (group commit: one log write for many commands). It still resolves only once this record is
   * committed, and a failure of this record's write rejects this commit alone.
   */
  grouped?: boolean;
}

export interface Store {
  /** Throws ConflictError when one of its process versions is already deployed. */
  saveDeployment(deployment: DeploymentRecord): Promise<void>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  listDeployments(): Promise<DeploymentRecord[]>;
  /** Highest deployed version of a process id, 0 when none. */
  latestVersion(processId: string): Promise<number>;

  createInstance(record: InstanceRecord): Promise<void>;
  getInstance(id: string): Promise<InstanceRecord | undefined>;
  /** Saves when the stored rev equals `expectedRev`; otherwise throws ConflictError. */
  saveInstance(record: InstanceRecord, expectedRev: number): Promise<void>;
  /**
   * Optional fast path, same outcome as `createInstance` (expectedRev null) or `saveInstance`,
   * then `project(record.outbox)`, then leaving only `followUpsOf(record.outbox)` in the outbox,
   * as one atomic write. Adapters that have multi-record transactions (SQLite) offer it; the
   * others leave it out and the engine saves, projects, runs the follow-ups and clears, with the
   * outbox covering a crash in between.
   */
  commit?(record: InstanceRecord, expectedRev: number | null, options?: CommitOptions): Promise<void>;
  /**
   * Optional, without a read: the instance as this store itself last committed it, if it still
   * holds that record (and its outbox is empty), as `getInstance` would return it. Other nodes
   * sharing the database may have saved the instance since, so it is only for deciding a command:
   * the command's save (compare-and-set on rev) turns a stale record into a ConflictError, and the
   * engine then decides the command again on `getInstance`, as it does when the step fails on the
   * record. Views and other reads use `getInstance`.
   */
  committedInstance?(id: string): InstanceRecord | undefined;
  /**
   * Optional, without a read: a task open in the record `committedInstance` gives for the task's
   * instance. The same caveat: only for a command on that task, which then validates it.
   */
  committedOpenTask?(taskId: string): Task | undefined;
  /** Instances whose saves carried this delivery id (see InstanceRecord.delivery), in id order. */
  deliveredTo(deliveryId: string): Promise<string[]>;
  /** Whether a save of this instance carried this delivery id (a lookup by instance id). */
  hasDelivery(instanceId: string, deliveryId: string): Promise<boolean>;
  listInstances(filter: InstanceFilter, page?: Page): Promise<InstanceRecord[]>;
  /** How many instances `listInstances(filter)` would list, read from an index: no record is loaded. */
  countInstances(filter: InstanceFilter): Promise<number>;

  /**
   * Writes the projections of one step's effects. Applying the same effects twice changes nothing,
   * and a replayed `task.created` never reopens a task that has ended since.
   */
  project(instanceId: string, effects: readonly Effect[]): Promise<void>;
  /** Empties the outbox if the record is still at `rev` (a newer save carried it forward otherwise). */
  clearOutbox(instanceId: string, rev: number): Promise<void>;
  /** Instances whose outbox is not empty: what a crash left half done. */
  pendingOutboxes(limit: number): Promise<InstanceRecord[]>;

  /** Ordered by createdAt, then id (see taskCursor). */
  findTasks(filter: TaskFilter, page?: Page): Promise<Task[]>;
  getTask(id: string): Promise<Task | undefined>;
  findJobs(filter: { instanceId?: string; type?: string }): Promise<JobRecord[]>;
  getJob(id: string): Promise<JobRecord | undefined>;
  dueTimers(now: number, limit: number): Promise<TimerRecord[]>;
  findSubscriptions(messageName: string, correlationKey: string | null): Promise<SubscriptionRecord[]>;
  /**
   * In step order (seq). With `rev`, the caller holds the instance at that revision and wants the
   * history as of it: a store may answer from what it wrote when it committed that revision.
   */
  history(instanceId: string, rev?: number): Promise<HistoryEntry[]>;

  /**
   * Timers and service-task jobs to run, with leases, retries and incidents. The projections keep
   * it: a scheduled timer or created job is queued, a cancelled timer or ended job is done.
   */
  readonly queue: JobQueue;

  close(): Promise<void>;
}

/**
 * The sort key of a task in the inbox, and the cursor to pass as `after` to get the tasks after it:
 * createdAt, then the id with its digit runs zero-padded (so `i.w10` comes after `i.w9`), then the
 * raw id (unique). Every adapter stores and compares exactly this string.
 */
export function taskCursor(task: Pick<Task, 'id' | 'createdAt'>): string {
  const natural = task.id.replace(/\d+/g, (digits) => digits.padStart(12, '0'));
  return `${String(task.createdAt).padStart(15, '0')} ${natural} ${task.id}`;
}

/**
 * Two strings in the order the stores give text: SQLite and MongoDB compare the bytes of UTF-8,
 * so code points. JavaScript's < compares UTF-16 units, which puts a character past U+FFFF (a
 * surrogate pair) before U+E000–U+FFFF; the memory store orders and pages by this instead, so
 * that it pages as they do.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xPair = x >= 0xd800 && x <= 0xdfff;
    const yPair = y >= 0xd800 && y <= 0xdfff;
    if (xPair && !yPair && y >= 0xe000) return 1;
    if (yPair && !xPair && x >= 0xe000) return -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Does a task match a filter (the reference semantics every adapter's query reproduces). */
export function matchesTask(task: Task, filter: TaskFilter): boolean {
  return (
    (filter.instanceId === undefined || task.instanceId === filter.instanceId) &&
    (filter.department === undefined || task.department === filter.department) &&
    (filter.assignee === undefined || task.assignee === filter.assignee) &&
    (filter.state === undefined || task.state === filter.state) &&
    (filter.elementId === undefined || task.elementId === filter.elementId) &&
    (filter.processId === undefined || task.processId === filter.processId) &&
    (filter.dueBefore === undefined || (task.deadline !== undefined && task.deadline <= filter.dueBefore))
  );
}
