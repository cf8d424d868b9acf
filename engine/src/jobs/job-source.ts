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
  /** Takes up to `limit` due jobs for `owner` until now + leaseMs, oldest due first. */
  claim(now: number, owner: string, leaseMs: number, limit: number): Promise<ClaimedJob[]>;
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
