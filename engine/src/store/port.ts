/**
 * The Store port. The instance record (its state with open tasks and waits) is the single source
 * of truth, saved with compare-and-set on `rev`. Everything else — the task inbox, timers, jobs,
 * message subscriptions, history — is a projection written from a step's effects, idempotently.
 */
import type { HistoryEntry, InstanceStatus, Job, Task, TaskFilter } from '../api.js';
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
   * Effects saved with the record whose projections and follow-ups may not have run yet (a crash
   * between save and projection). Cleared once done; carried into the next save if still there.
   */
  outbox: Effect[];
}

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
  /** Opaque cursor from a previous page. */
  after?: string;
}

/** A save lost a race: someone else changed the instance since it was loaded. */
export class ConflictError extends Error {
  readonly code = 'conflict';
  constructor(instanceId: string) {
    super(`instance ${instanceId} was changed concurrently`);
  }
}

export interface Store {
  saveDeployment(deployment: DeploymentRecord): Promise<void>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  listDeployments(): Promise<DeploymentRecord[]>;
  /** Highest deployed version of a process id, 0 when none. */
  latestVersion(processId: string): Promise<number>;

  createInstance(record: InstanceRecord): Promise<void>;
  getInstance(id: string): Promise<InstanceRecord | undefined>;
  /** Saves when the stored rev equals `expectedRev`; otherwise throws ConflictError. */
  saveInstance(record: InstanceRecord, expectedRev: number): Promise<void>;
  listInstances(filter: InstanceFilter, page?: Page): Promise<InstanceRecord[]>;

  /** Writes the projections of one step's effects. Applying the same effects twice changes nothing. */
  project(instanceId: string, effects: readonly Effect[]): Promise<void>;
  /** Empties the outbox if the record is still at `rev` (a newer save carried it forward otherwise). */
  clearOutbox(instanceId: string, rev: number): Promise<void>;
  /** Instances whose outbox is not empty: what a crash left half done. */
  pendingOutboxes(limit: number): Promise<InstanceRecord[]>;

  findTasks(filter: TaskFilter, page?: Page): Promise<Task[]>;
  getTask(id: string): Promise<Task | undefined>;
  findJobs(filter: { instanceId?: string; type?: string }): Promise<JobRecord[]>;
  getJob(id: string): Promise<JobRecord | undefined>;
  dueTimers(now: number, limit: number): Promise<TimerRecord[]>;
  findSubscriptions(messageName: string, correlationKey: string | null): Promise<SubscriptionRecord[]>;
  history(instanceId: string): Promise<HistoryEntry[]>;

  close(): Promise<void>;
}
