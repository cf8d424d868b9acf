/**
 * Runs connector tasks (service tasks with gov:url): feeds the engine's open connector jobs to a
 * JobSource and lets a lease-based JobWorker call the department systems — a failed call is tried
 * again after the backoff (10 s, 20 s, 40 s … by default) until the task's gov:retries attempts
 * are used up, then the instance gets an incident naming the task and the last error. Retrying
 * that incident (engine.resolveIncident) enters the task again as a new job.
 *
 * The `Idempotency-Key` names one piece of work: the token's visit to the task (see
 * connectorIdempotencyKey). It is the same on every attempt of a job and on the new job a retried
 * incident makes, so a department system that honours it does the work once even when an answer
 * was lost (an outage after it did the work, an answer we could not read) or a job was taken over;
 * a process that loops back through the task sends a new key, as that is new work. The key also
 * carries a digest of the request (requestIdempotencyKey): an incident resolved with changed
 * variables sends a different request, so a new key.
 *
 * The source is the store's durable job queue (engine.store.queue): its projections queue each
 * connector job, the lease keeps a job with one engine node at a time, and attempts survive a
 * restart. `feed` also hands over open connector jobs the queue lacks (any other source given).
 * Should two nodes still call for one job (a lease taken over from a slow node), the key keeps it
 * to one effect and only the first completion counts.
 */
import { hostname } from 'node:os';
import { createHash, randomUUID } from 'node:crypto';
import type { HistoryEntry } from '../api.js';
import type { Engine, Job, Variables } from '../index.js';
import { CONNECTOR_JOB_TYPE, MAX_CONNECTOR_TIMEOUT_SECONDS } from '../model/connector-spec.js';
import { type InstanceState, byPublicId } from '../runtime/state.js';
import {
  callDepartment,
  ConnectorFailure,
  type ConnectorOptions,
  type ConnectorOutcome,
} from './connector.js';
import type { ClaimedJob, JobSource, NewJob } from './job-source.js';
import { DEFAULT_MAX_ATTEMPTS, type BackoffPolicy } from './retry.js';
import { JobWorker, type JobHandler, type RunReport } from './worker.js';

export interface ConnectorRunnerOptions extends ConnectorOptions {
  engine: Engine;
  source?: JobSource & { add(job: NewJob): Promise<void> };
  /** This runner's identity in leases (default host:pid:random). */
  owner?: string;
  clock?: () => number;
  backoff?: BackoffPolicy;
  batchSize?: number;
}

export class ConnectorRunner {
  private readonly engine: Engine;
  private readonly source: JobSource & { add(job: NewJob): Promise<void> };
  private readonly worker: JobWorker;
  /** Calls in flight at most, per round. */
  private readonly batchSize: number;
  /** Engine jobs already handed to the source (pruned to the open ones on every feed). */
  private fed = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private round: Promise<unknown> | undefined;

  constructor(options: ConnectorRunnerOptions) {
    this.engine = options.engine;
    this.source = options.source ?? options.engine.store.queue;
    this.batchSize = options.batchSize ?? 10;
    const { run, onIncident } = connectorJobHandlers(options.engine, options);
    this.worker = new JobWorker({
      source: this.source,
      owner: options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      handlers: { [CONNECTOR_JOB_TYPE]: run },
      // The queue is shared with the engine's timers and other services: take only connector jobs.
      types: [CONNECTOR_JOB_TYPE],
      clock: options.clock ?? Date.now,
      // Longer than the longest call, so a slow department system does not lose its job to another node.
      leaseMs: (MAX_CONNECTOR_TIMEOUT_SECONDS + 60) * 1000,
      batchSize: this.batchSize,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onIncident,
    });
  }

  /** Hands the engine's open connector jobs to the source; returns how many were new. */
  async feed(): Promise<number> {
    const open = await this.engine.store.findJobs({ type: CONNECTOR_JOB_TYPE });
    const fed = new Set<string>();
    let added = 0;
    for (const job of open) {
      fed.add(job.id);
      if (this.fed.has(job.id)) continue;
      await this.source.add({
        id: job.id,
        type: CONNECTOR_JOB_TYPE,
        instanceId: job.instanceId,
        elementId: job.elementId,
        dueAt: job.createdAt,
        // gov:retries counts attempts in total; 0 would never call at all.
        maxAttempts: Math.max(1, job.retries ?? DEFAULT_MAX_ATTEMPTS),
      });
      added++;
    }
    this.fed = fed;
    return added;
  }

  /** One round: feed, then claim and call what is due. */
  async runOnce(): Promise<RunReport> {
    await this.feed();
    return this.worker.runOnce();
  }

  /** Rounds until nothing is due at the clock's time (tests, and catching up). */
  async drain(): Promise<RunReport> {
    await this.feed();
    return this.worker.drain();
  }

  /** A round every `intervalMs` until stop(); a failed round is reported and the next one tries again. */
  start(intervalMs: number, onError: (err: unknown) => void): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.round) return;
      this.round = (async () => {
        // A full batch means more are waiting: go on at once rather than at the next interval.
        while ((await this.runOnce()).claimed === this.batchSize && this.timer);
      })()
        .catch(onError)
        .finally(() => (this.round = undefined));
    }, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }
}

/**
 * The JobWorker handler of connector jobs and what to do when one gives up: usable by any worker
 * whose jobs are engine jobs (this runner's, or one over a durable store).
 */
export function connectorJobHandlers(
  engine: Engine,
  options: ConnectorOptions,
): { run: JobHandler; onIncident: (job: ClaimedJob, error: string) => Promise<void> } {
  /** One attempt of one job; throwing is a failed attempt the worker retries or gives up on. */
  async function run(claimed: ClaimedJob): Promise<void> {
    const job = await engine.store.getJob(claimed.id);
    if (!job) return; // completed, cancelled or interrupted meanwhile
    let outcome;
    try {
      outcome = await attemptConnectorJob(engine, job, options);
    } catch (err) {
      if (err instanceof ConnectorFailure && err.permanent) {
        await engine.failJob(job.id, { message: err.message });
        return;
      }
      throw err;
    }
    if (outcome === 'stale') return;
    if (outcome.kind === 'bpmnError') {
      await engine.throwError(job.id, { errorCode: outcome.errorCode, variables: connectorErrorOf(outcome) });
      return;
    }
    await engine.completeJob(job.id, { variables: outcome.variables });
  }

  async function onIncident(claimed: ClaimedJob, error: string): Promise<void> {
    if (!(await engine.store.getJob(claimed.id))) return;
    await engine.failJob(claimed.id, {
      message: `${error} (gave up after ${claimed.attempts + 1} attempt(s))`,
    });
  }

  return { run, onIncident };
}

/**
 * Calls the department system once for an engine job, with the connector of its task; 'stale'
 * when the instance no longer waits on the job. Throws ConnectorFailure when the call failed.
 */
export async function attemptConnectorJob(
  engine: Engine,
  job: Job,
  options: ConnectorOptions,
): Promise<ConnectorOutcome | 'stale'> {
  const record = await engine.store.getInstance(job.instanceId);
  if (!record || !isCurrentJob(record.state, job.id)) return 'stale';
  const plan = await engine.plan(record.processId, record.version);
  const spec = plan.nodes[plan.byId.get(job.elementId) ?? -1]?.connector;
  if (!spec) throw new ConnectorFailure(`${job.elementId} has no connector (gov:url)`, true);
  const history = await engine.store.history(record.id, record.rev);
  const key = connectorIdempotencyKey(job, byPublicId(record.state.waits, job.id)!.token, history);
  return callDepartment(spec, job.variables, key, options);
}

/**
 * The visit part of a connector job's Idempotency-Key (callDepartment adds the request's digest):
 * one per visit of a token to the task, whatever job carries it. Resolving an incident enters the
 * task again with the same token and a new job, and that retry must not be new work (the
 * department may have done it, its answer lost); a process that loops back through the task is
 * new work. The instance's state does not count
 * visits, its history does: a token leaves the task only by completing it ("element.completed"),
 * or by being taken away (a boundary event, a cancelled scope), and a token that goes on from a
 * boundary is a new one. So a visit is the instance, the task, the token and how often the task
 * had been completed before the job's wait opened (its seq, from the wait id `<instance>.w<seq>`):
 * the same for every attempt and every incident retry, one more after each pass of a loop.
 *
 * Another token completing the same task meanwhile (parallel instances of a sub-process around
 * it) also counts, so such a retry gets a new key, as every retry did before; two visits never
 * share a key. Hashed: element ids may hold any letter, and a header only ASCII.
 */
export function connectorIdempotencyKey(
  job: Pick<Job, 'id' | 'instanceId' | 'elementId'>,
  token: string,
  history: readonly HistoryEntry[],
): string {
  const seq = /\.w(\d+)$/.exec(job.id);
  if (!seq) return job.id; // not a wait id the runtime made: the job is the visit
  const opened = Number(seq[1]);
  let completed = 0;
  for (const h of history)
    if (h.seq < opened && h.type === 'element.completed' && h.elementId === job.elementId) completed++;
  const visit = JSON.stringify([job.instanceId, job.elementId, token, completed]);
  const digest = createHash('sha256').update(visit).digest('base64url').slice(0, 32);
  // The instance id first (when a header can carry it) so a department's log leads back to the case.
  return /^[!-~]{1,128}$/.test(job.instanceId) ? `${job.instanceId}:${digest}` : digest;
}

/** The variables a refusal turned BPMN error carries, for the path that handles it. */
export function connectorErrorOf(outcome: { status: number; message: string }): Variables {
  return { connectorError: { status: outcome.status, message: outcome.message } };
}

/**
 * Whether the job is the one its token waits on now. After an incident is retried the task is
 * entered again with a new job, and the failed one is left open in the instance: never run that.
 */
function isCurrentJob(state: InstanceState, jobId: string): boolean {
  const wait = byPublicId(state.waits, jobId);
  if (!wait || wait.kind !== 'job') return false;
  if (state.tokens[wait.token]?.rest !== 'wait') return false;
  const jobsOfToken = Object.values(state.waits).filter((w) => w.kind === 'job' && w.token === wait.token);
  return jobsOfToken[jobsOfToken.length - 1]!.id === jobId;
}
