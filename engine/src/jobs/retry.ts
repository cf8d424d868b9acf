/**
 * Retry bookkeeping for jobs (timers, calls to department systems) and the incident a job
 * becomes when its attempts run out. Pure: the worker and the stores call these so every store
 * retries and gives up the same way. Delays are deterministic (no jitter): with leases, nodes do
 * not stampede on one job, and fixed delays make retries predictable for supervisors and tests.
 */

export interface BackoffPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** Each further failure multiplies the delay by this. */
  factor: number;
  /** Upper bound of one delay. */
  maxMs: number;
}

/** 10 s, 20 s, 40 s … at most 10 minutes. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, factor: 2, maxMs: 10 * 60_000 };

/** Attempts a job gets when the model sets no `gov:retries` (which counts attempts in total). */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** The wait before the next attempt after `failures` failures (1 = after the first). */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  if (!Number.isInteger(failures) || failures < 1)
    throw new RangeError(`failures must be a whole number ≥ 1, got ${failures}`);
  // Capped before it can overflow to Infinity for large failure counts.
  return Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.factor, Math.min(failures - 1, 64)));
}

export interface RetryState {
  /** Failed attempts since the job was created or last granted a fresh retry. */
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  /** When the job may run next; null once it has given up (an incident is open). */
  nextRunAt: number | null;
}

export function initialRetryState(runAt: number, maxAttempts = DEFAULT_MAX_ATTEMPTS): RetryState {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError(`maxAttempts must be a whole number ≥ 1, got ${maxAttempts}`);
  return { attempts: 0, maxAttempts, lastError: null, nextRunAt: runAt };
}

/** Records a failed attempt: either the next run after the backoff delay, or `exhausted` (open an incident). */
export function afterFailure(
  state: Pick<RetryState, 'attempts' | 'maxAttempts'>,
  error: string,
  now: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): { state: RetryState; exhausted: boolean } {
  const attempts = state.attempts + 1;
  const exhausted = attempts >= state.maxAttempts;
  const nextRunAt = exhausted ? null : now + backoffDelay(policy, attempts);
  return { state: { attempts, maxAttempts: state.maxAttempts, lastError: error, nextRunAt }, exhausted };
}

/** A supervisor's retry: a fresh set of attempts (backoff starts again from the base), due now. */
export function grantRetry(state: RetryState, now: number, maxAttempts = state.maxAttempts): RetryState {
  return { ...initialRetryState(now, maxAttempts), lastError: state.lastError };
}

export interface IncidentRecord {
  id: string;
  jobId: string;
  instanceId: string | null;
  elementId: string | null;
  /** The last error, as the supervisor will read it. */
  message: string;
  createdAt: number;
  resolvedAt: number | null;
  /** Why it was closed ("retried", "fixed the department endpoint", …); required to resolve. */
  comment: string | null;
}

export function openIncident(
  id: string,
  job: { id: string; instanceId?: string | null; elementId?: string | null },
  message: string,
  now: number,
): IncidentRecord {
  return {
    id,
    jobId: job.id,
    instanceId: job.instanceId ?? null,
    elementId: job.elementId ?? null,
    message,
    createdAt: now,
    resolvedAt: null,
    comment: null,
  };
}

export class IncidentStateError extends Error {
  readonly code = 'invalid';
}

/** Closes an incident with the supervisor's comment; refuses to close one twice or without a comment. */
export function resolveIncident(incident: IncidentRecord, comment: string, now: number): IncidentRecord {
  if (incident.resolvedAt !== null)
    throw new IncidentStateError(`incident ${incident.id} is already resolved`);
  if (comment.trim() === '') throw new IncidentStateError('resolving an incident needs a comment');
  return { ...incident, resolvedAt: now, comment: comment.trim() };
}
