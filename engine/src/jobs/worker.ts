/**
 * The job worker: claims due jobs with a lease, runs each job's handler, and records the outcome —
 * done, a retry after the backoff delay, or (attempts used up) an incident. Several workers, in
 * one process or many, can share one JobSource: the lease keeps each job with one of them.
 */
import type { ClaimedJob, JobSource } from './job-source.js';
import { DEFAULT_BACKOFF, afterFailure, type BackoffPolicy } from './retry.js';

/** Runs one job; throwing (or rejecting) counts as a failed attempt. */
export type JobHandler = (job: ClaimedJob) => unknown;

export interface WorkerOptions {
  source: JobSource;
  /** This worker's identity in leases: unique per process (e.g. host:pid:random). */
  owner: string;
  /** Handlers by job type; a type without one fails, so it ends as a visible incident. */
  handlers: Record<string, JobHandler>;
  /** Claim only jobs of these types (default: every type), e.g. when other nodes handle the rest. */
  types?: readonly string[];
  clock?: () => number;
  /** Must exceed the longest handler run, or another worker takes the job over. Default 30 s. */
  leaseMs?: number;
  /** Jobs claimed per round, run concurrently. Default 10. */
  batchSize?: number;
  backoff?: BackoffPolicy;
  /** Called once when a job gives up and becomes an incident (e.g. to raise it on the instance). */
  onIncident?: (job: ClaimedJob, error: string) => unknown;
}

export interface RunReport {
  claimed: number;
  completed: number;
  retried: number;
  incidents: number;
  /** Finished after another worker had taken the job over; the outcome was not recorded. */
  lost: number;
}

export class JobWorker {
  private readonly clock: () => number;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly backoff: BackoffPolicy;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.clock = options.clock ?? Date.now;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.batchSize = options.batchSize ?? 10;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** One round: claim a batch and run it. */
  async runOnce(): Promise<RunReport> {
    const { source, owner } = this.options;
    const jobs = await source.claim(this.clock(), owner, this.leaseMs, this.batchSize, this.options.types);
    const report: RunReport = { claimed: jobs.length, completed: 0, retried: 0, incidents: 0, lost: 0 };
    await Promise.all(jobs.map((job) => this.run(job, report)));
    return report;
  }

  /** Runs rounds until none claims anything; returns the sum (tests, and draining on start-up). */
  async drain(): Promise<RunReport> {
    const total: RunReport = { claimed: 0, completed: 0, retried: 0, incidents: 0, lost: 0 };
    for (;;) {
      const r = await this.runOnce();
      for (const k of Object.keys(total) as (keyof RunReport)[]) total[k] += r[k];
      if (r.claimed === 0) return total;
    }
  }

  /** Polls every `intervalMs` (immediately again after a full batch) until stop(). */
  start(intervalMs = 1000, onError: (err: unknown) => void = () => {}): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        let full = false;
        try {
          full = (await this.runOnce()).claimed === this.batchSize;
        } catch (err) {
          onError(err); // a store hiccup: try again next round
        }
        if (!full && !this.stopping)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, intervalMs);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
      }
    })();
  }

  /** Stops polling; resolves when the round in progress has finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(job: ClaimedJob, report: RunReport): Promise<void> {
    const { source, owner, handlers } = this.options;
    let error: string | undefined;
    try {
      const handler = handlers[job.type];
      if (!handler) throw new Error(`no handler for job type "${job.type}"`);
      await handler(job);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const now = this.clock();
    if (error === undefined) {
      if (await source.complete(job.id, owner, now)) report.completed++;
      else report.lost++;
      return;
    }
    const { state, exhausted } = afterFailure(job, error, now, this.backoff);
    if (!(await source.fail(job.id, owner, error, state.nextRunAt, now))) {
      report.lost++;
      return;
    }
    if (!exhausted) {
      report.retried++;
      return;
    }
    report.incidents++;
    await this.options.onIncident?.(job, error);
  }
}
