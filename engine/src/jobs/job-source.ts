/**
 * The port between the job worker and wherever jobs are kept (the durable store, or memory in
 * tests). Claiming is one atomic step per job — "due, not finished, lease free or expired → take
 * it for leaseMs" (findOneAndUpdate / UPDATE … WHERE … RETURNING) — so two engine nodes never hold
 * the same job, and a dead node's jobs come back once its lease runs out.
 *
 * Completing and failing are fenced by the owner: a node whose lease was taken over gets `false`
 * and must not record anything. A taken-over job can still have run twice (the first node was
 * slow, not dead), so effects carry the job id as their idempotency key.
 */
import type { Effect } from '../runtime/state.js';
import type { IncidentRecord } from './retry.js';

export interface ClaimedJob {
  id: string;
  type: string;
  payload: unknown;
  instanceId: string | null;
  elementId: string | null;
  /** Failed attempts so far. */
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  /** The claim holds until this instant. */
  leaseUntil: number;
}

export interface JobSource {
  /**
   * Takes up to `limit` due jobs for `owner` until now + leaseMs, oldest due first; with `types`,
   * only jobs of those types (a node claims only what it has handlers for).
   */
  claim(
    now: number,
    owner: string,
    leaseMs: number,
    limit: number,
    types?: readonly string[],
  ): Promise<ClaimedJob[]>;
  /** Marks the job done; false when `owner` no longer holds it. */
  complete(id: string, owner: string, now: number): Promise<boolean>;
  /**
   * Records a failed attempt: runs again at `nextRunAt`, or — when null — gives up and opens an
   * incident with `error` as its message. False when `owner` no longer holds it.
   */
  fail(id: string, owner: string, error: string, nextRunAt: number | null, now: number): Promise<boolean>;
}

/** What supervisors do with incidents (list, retry, resolve with a comment). */
export interface IncidentAdmin {
  listIncidents(filter?: { open?: boolean; instanceId?: string }): Promise<IncidentRecord[]>;
  /** Closes the incident (comment defaults to "retried") and makes its job due now with a fresh set of attempts. */
  retryIncident(id: string, now: number, comment?: string): Promise<IncidentRecord>;
  /** Closes the incident without running the job again (handled by hand); the job is cancelled. */
  resolveIncident(id: string, comment: string, now: number): Promise<IncidentRecord>;
}

/** A job as created (by a timer or service-task effect). */
export interface NewJob {
  id: string;
  type: string;
  payload?: unknown;
  instanceId?: string;
  elementId?: string;
  dueAt: number;
  /** Attempts in total before an incident (the model's gov:retries); DEFAULT_MAX_ATTEMPTS when absent. */
  maxAttempts?: number;
}

/**
 * A durable job queue as the stores keep it: the worker's JobSource, the supervisors'
 * IncidentAdmin, and `add` (insert if absent) for jobs fed from outside the engine's projections.
 * The stores also write it from effects: a scheduled timer or created service-task job is a job,
 * a cancelled timer or ended job is done (see the store adapters' projections).
 */
export interface JobQueue extends JobSource, IncidentAdmin {
  /** Adds a job; adding an id that exists changes nothing (effects may be projected twice). */
  add(job: NewJob): Promise<void>;
  /**
   * The instance is done with the job (timer fired or cancelled, job ended): it is never claimed
   * again; a worker holding it may still record its outcome (complete or fail answer true).
   */
  finish(id: string): void | Promise<void>;
}

/** The job type of a BPMN timer (intermediate, boundary or start event) in the queue. */
export const TIMER_JOB_TYPE = 'bpmn:timer';

/** A job's n-th incident (1-based): ids a store derives from the job, with no counter of its own. */
export function incidentId(jobId: string, n: number): string {
  return `${jobId}#${n}`;
}

/**
 * What a step's effect asks of the job queue: a scheduled timer or a created service-task job is
 * a job to queue (`schedule`), a cancelled (or fired) timer or an ended job is done (`finish`).
 * Every store's projection applies this, so they all queue the same jobs.
 */
export function queueChangeOf(
  instanceId: string,
  e: Effect,
): { schedule: NewJob } | { finish: string } | undefined {
  switch (e.type) {
    case 'timer.scheduled':
      return {
        schedule: {
          id: e.timerId,
          type: TIMER_JOB_TYPE,
          elementId: e.elementId,
          dueAt: e.dueAt,
          payload: { dueAt: e.dueAt }, // a cycle's next round counts from it
          ...(instanceId ? { instanceId } : {}), // start timers belong to no instance
        },
      };
    case 'job.created':
      return {
        schedule: {
          id: e.job.id,
          type: e.job.type,
          instanceId: e.job.instanceId,
          elementId: e.job.elementId,
          dueAt: e.job.createdAt,
          // gov:retries counts attempts in total; 0 would never run at all.
          maxAttempts: Math.max(1, e.retries),
        },
      };
    case 'timer.cancelled':
      return { finish: e.timerId };
    case 'job.ended':
      return { finish: e.jobId };
    default:
      return undefined;
  }
}
