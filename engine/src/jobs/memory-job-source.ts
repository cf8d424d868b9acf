/**
 * JobSource and IncidentAdmin in memory: the reference behaviour the durable stores must match
 * (see job-source.contract.ts). Each method body runs without an await, so like a single-document
 * update it is atomic with respect to other callers.
 */
import { incidentId, type ClaimedJob, type JobQueue, type NewJob } from './job-source.js';
import {
  IncidentStateError,
  grantRetry,
  initialRetryState,
  openIncident,
  resolveIncident,
  type IncidentRecord,
  type RetryState,
} from './retry.js';

/** finished: the instance is done with it (never claimed again), its holder may still report. */
type JobState = 'ready' | 'finished' | 'done' | 'incident' | 'cancelled';

interface StoredJob {
  job: NewJob;
  state: JobState;
  retry: RetryState;
  owner: string | null;
  leaseUntil: number;
  /** Incidents this job has had (the next one's id is incidentId(job id, incidents + 1)). */
  incidents: number;
}

export class MemoryJobSource implements JobQueue {
  private readonly jobs = new Map<string, StoredJob>();
  private readonly incidents = new Map<string, IncidentRecord>();

  /** Adds a job; adding an id that exists changes nothing (effects may be projected twice). */
  async add(job: NewJob): Promise<void> {
    if (!this.jobs.has(job.id)) this.schedule(job);
  }

  /**
   * A projection (re)schedules a job: added if absent; a job scheduled again with another due
   * time (a cycle timer's next round) is due afresh, whatever it was; the same due time changes
   * nothing (a replayed projection).
   */
  schedule(job: NewJob): void {
    const s = this.jobs.get(job.id);
    if (s && s.job.dueAt === job.dueAt) return;
    this.jobs.set(job.id, {
      job,
      state: 'ready',
      retry: initialRetryState(job.dueAt, job.maxAttempts),
      owner: null,
      leaseUntil: 0,
      incidents: s?.incidents ?? 0,
    });
  }

  /**
   * The instance is done with the job (timer fired or cancelled, job ended). In memory nothing
   * replays a projection, so a job nobody holds is dropped (claims never scan finished work); a
   * held one waits for its holder's outcome, then goes.
   */
  finish(id: string): void {
    const s = this.jobs.get(id);
    if (s?.state !== 'ready') return;
    if (s.owner === null) this.jobs.delete(id);
    else s.state = 'finished';
  }

  /** The job's state and retry bookkeeping, for tests and views. */
  inspect(id: string): { state: JobState; retry: RetryState; owner: string | null } | undefined {
    const s = this.jobs.get(id);
    return s && { state: s.state, retry: { ...s.retry }, owner: s.owner };
  }

  async claim(
    now: number,
    owner: string,
    leaseMs: number,
    limit: number,
    types?: readonly string[],
  ): Promise<ClaimedJob[]> {
    const due = [...this.jobs.values()]
      .filter(
        (s) =>
          s.state === 'ready' &&
          (types === undefined || types.includes(s.job.type)) &&
          s.retry.nextRunAt !== null &&
          s.retry.nextRunAt <= now &&
          (s.owner === null || s.leaseUntil <= now),
      )
      .sort((a, b) => a.retry.nextRunAt! - b.retry.nextRunAt! || (a.job.id < b.job.id ? -1 : 1))
      .slice(0, limit);
    return due.map((s) => {
      s.owner = owner;
      s.leaseUntil = now + leaseMs;
      return {
        id: s.job.id,
        type: s.job.type,
        payload: s.job.payload ?? null,
        instanceId: s.job.instanceId ?? null,
        elementId: s.job.elementId ?? null,
        attempts: s.retry.attempts,
        maxAttempts: s.retry.maxAttempts,
        lastError: s.retry.lastError,
        leaseUntil: s.leaseUntil,
      };
    });
  }

  async complete(id: string, owner: string): Promise<boolean> {
    const s = this.held(id, owner);
    if (!s) return false;
    if (s.state === 'finished') this.jobs.delete(id);
    s.state = 'done';
    s.owner = null;
    return true;
  }

  async fail(
    id: string,
    owner: string,
    error: string,
    nextRunAt: number | null,
    now: number,
  ): Promise<boolean> {
    const s = this.held(id, owner);
    if (!s) return false;
    if (s.state === 'finished') {
      this.jobs.delete(id); // the instance no longer wants it: nothing to retry
      return true;
    }
    s.owner = null;
    s.retry = { ...s.retry, attempts: s.retry.attempts + 1, lastError: error, nextRunAt };
    if (nextRunAt === null) {
      s.state = 'incident';
      const incident = openIncident(incidentId(s.job.id, ++s.incidents), s.job, error, now);
      this.incidents.set(incident.id, incident);
    }
    return true;
  }

  async listIncidents(filter: { open?: boolean; instanceId?: string } = {}): Promise<IncidentRecord[]> {
    return [...this.incidents.values()].filter(
      (i) =>
        (filter.open === undefined || (i.resolvedAt === null) === filter.open) &&
        (filter.instanceId === undefined || i.instanceId === filter.instanceId),
    );
  }

  async retryIncident(id: string, now: number, comment = 'retried'): Promise<IncidentRecord> {
    const { incident, job } = this.openIncidentWithJob(id);
    const resolved = resolveIncident(incident, comment, now);
    this.incidents.set(id, resolved);
    job.state = 'ready';
    job.retry = grantRetry(job.retry, now);
    return resolved;
  }

  async resolveIncident(id: string, comment: string, now: number): Promise<IncidentRecord> {
    const { incident, job } = this.openIncidentWithJob(id);
    const resolved = resolveIncident(incident, comment, now);
    this.incidents.set(id, resolved);
    job.state = 'cancelled';
    return resolved;
  }

  /** The job if `owner` holds it; an expired lease still counts until someone else claims the job. */
  private held(id: string, owner: string): StoredJob | undefined {
    const s = this.jobs.get(id);
    return s && (s.state === 'ready' || s.state === 'finished') && s.owner === owner ? s : undefined;
  }

  private openIncidentWithJob(id: string): { incident: IncidentRecord; job: StoredJob } {
    const incident = this.incidents.get(id);
    if (!incident) throw new IncidentStateError(`no incident ${id}`);
    if (incident.resolvedAt !== null) throw new IncidentStateError(`incident ${id} is already resolved`);
    return { incident, job: this.jobs.get(incident.jobId)! };
  }
}
