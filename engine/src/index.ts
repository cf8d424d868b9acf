/**
 * The engine shell: load → step → save (compare-and-set on rev) → project effects → follow-ups.
 * All semantics live in the pure runtime; this file only moves data between it and the store.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  CompleteOptions,
  CorrelateOptions,
  CorrelateResult,
  DeployResult,
  InstanceView,
  Job,
  Problem,
  StartOptions,
  Task,
  TaskFilter,
  Variables,
  WaitingEvent,
} from './api.js';
import { TIMER_JOB_TYPE, type ClaimedJob } from './jobs/job-source.js';
import { DEFAULT_BACKOFF, IncidentStateError, type BackoffPolicy } from './jobs/retry.js';
import { JobWorker, type JobHandler } from './jobs/worker.js';
import { compileDefinitions } from './model/compile.js';
import { parseXml, type ModdleElement } from './model/parse.js';
import type { Plan } from './model/plan.js';
import { PlanCache } from './model/plan-cache.js';
import {
  addDuration,
  durationProblem,
  firstOccurrence,
  occurrenceAfter,
  parseCycle,
  parseDate,
} from './runtime/timers.js';
import { copyOwned, deepCopy } from './copy.js';
import { byPublicId, copyTask, type Command, type Effect, type InstanceState } from './runtime/state.js';
import { CommandError, step } from './runtime/step.js';
import { openIncidents, shownIncident } from './runtime/incident.js';
import { MemoryStore } from './store/memory.js';
import {
  ConflictError,
  followUpsOf,
  type CommitOptions,
  type InstanceRecord,
  type Store,
  type TimerRecord,
} from './store/port.js';

export * from './api.js';
export { MemoryStore } from './store/memory.js';
export { ConflictError } from './store/port.js';
export type { Store } from './store/port.js';
export { CommandError } from './runtime/step.js';

/** Deploying a model with problems: every problem, at once. */
export class ValidationError extends Error {
  constructor(readonly problems: Problem[]) {
    super(
      `the model has ${problems.length} problem(s): ${problems.map((p) => `${p.elementId || '-'} ${p.message}`).join('; ')}`,
    );
  }
}

/** A service handler may throw this to raise a BPMN error instead of failing the job. */
export class BpmnError extends Error {
  constructor(
    readonly errorCode: string,
    message = errorCode,
    readonly variables?: Variables,
  ) {
    super(message);
  }
}

export type ServiceHandler = (job: Job) => Variables | void | Promise<Variables | void>;

export interface EngineOptions {
  store?: Store;
  /** Milliseconds since the epoch; injected so tests and time-limit checks control time. */
  clock?: () => number;
  services?: Record<string, ServiceHandler>;
  newId?: () => string;
  /** This engine's name in job leases: unique per process (default host:pid:random). */
  owner?: string;
  /** How long a claimed timer or job stays with this engine before another may take it (default 30 s). */
  jobLeaseMs?: number;
  /** Timers and jobs claimed per round (default 100). */
  jobBatch?: number;
  /** Delays before a failed service-task handler runs again (default 10 s, doubling, at most 10 min). */
  backoff?: BackoffPolicy;
}

const START_TIMER_PREFIX = 'start-timer:';
const START_TIMER_ID = /^start-timer:(.+)@(\d+):([^#]+)(?:#(\d+))?$/;
/** Bound of the deployments whose process versions are remembered (EngineShell.versionIn). */
const MAX_DEPLOYMENT_VERSIONS = 1_000;
const MAX_SAVE_RETRIES = 8;
const GROUPED: CommitOptions = { grouped: true };

export interface Engine {
  deploy(xml: string, meta?: Record<string, unknown>): Promise<DeployResult>;
  start(processId: string, options?: StartOptions): Promise<InstanceView>;
  tasks(filter?: TaskFilter): Promise<Task[]>;
  completeTask(taskId: string, options?: CompleteOptions): Promise<InstanceView>;
  throwError(
    taskOrJobId: string,
    options: { errorCode: string; variables?: Variables },
  ): Promise<InstanceView>;
  correlate(messageName: string, options?: CorrelateOptions): Promise<CorrelateResult>;
  /** What the instance waits for besides its user tasks, in the order the waits opened. */
  waits(instanceId: string): Promise<WaitingEvent[]>;
  /**
   * Fires one waiting timer now, before it is due (an operator's "run now"); its queued timer
   * goes with the command's other effects. Other timers, of this instance or others, stay. With a
   * `deliveryId`, a retry of a call that went through answers the view and changes nothing.
   */
  fireTimer(waitId: string, options?: { deliveryId?: string }): Promise<InstanceView>;
  /**
   * Delivers a message to one waiting catch event, receive task or boundary event, by its wait id
   * (a message correlated by hand): no other subscription for its name and key gets it.
   * `deliveryId` as for fireTimer.
   */
  deliverMessage(
    waitId: string,
    options?: { variables?: Variables; deliveryId?: string },
  ): Promise<InstanceView>;
  runDueJobs(now?: number): Promise<number>;
  jobs(filter?: { instanceId?: string; type?: string }): Promise<Job[]>;
  completeJob(jobId: string, options?: { variables?: Variables }): Promise<InstanceView>;
  failJob(jobId: string, options: { message: string; errorCode?: string }): Promise<InstanceView>;
  instance(id: string): Promise<InstanceView>;
  cancel(id: string): Promise<InstanceView>;
  /** Retries the incident `incidentId`, or without one every open incident of the instance. */
  resolveIncident(
    id: string,
    options?: { incidentId?: string; variables?: Variables },
  ): Promise<InstanceView>;
  plan(processId: string, version?: number): Promise<Plan>;
  /** Completes projections and follow-ups that a crash interrupted; run at start-up. */
  recover(): Promise<number>;
  readonly store: Store;
}

export function createEngine(options: EngineOptions = {}): Engine {
  return new EngineShell(options);
}

/** A message's variables come from callers as JSON: an object of names to values, or none. */
function checkMessageVariables(vars: unknown): void {
  if (vars !== undefined && (vars === null || typeof vars !== 'object' || Array.isArray(vars))) {
    throw new CommandError('invalid', 'message variables must be an object of names to values');
  }
}

/**
 * A caller's delivery id as the instance records it: for that wait (the same id sent to another
 * wait is another call), in a namespace apart from the ids the engine gives its own deliveries
 * (instance, rev and place in a step).
 */
function clientDelivery(waitId: string, deliveryId: unknown): string | undefined {
  if (deliveryId === undefined) return undefined;
  if (typeof deliveryId !== 'string' || deliveryId.length === 0 || deliveryId.length > 200)
    throw new CommandError('invalid', 'deliveryId must be a string of 1 to 200 characters');
  return `client:${waitId}:${deliveryId}`;
}

/** The instance a wait id belongs to: wait ids are `<instance id>.<local id>` (instance ids may hold dots). */
function instanceOfWait(waitId: string): string {
  const dot = typeof waitId === 'string' ? waitId.lastIndexOf('.') : -1;
  if (dot <= 0) throw new CommandError('notFound', `wait ${String(waitId)} does not exist`);
  return waitId.slice(0, dot);
}

/** The inbox's answer for a task about to be completed: it must exist and still be open. */
function expectOpen(taskId: string, task: Task | undefined): asserts task is Task {
  if (!task) throw new CommandError('notFound', `task ${taskId} does not exist`);
  if (task.state !== 'open')
    throw new ConflictError(task.instanceId, `task ${taskId} is already ${task.state}`);
}

class EngineShell implements Engine {
  readonly store: Store;
  private readonly clock: () => number;
  private readonly services: Record<string, ServiceHandler>;
  private readonly newId: () => string;
  private readonly owner: string;
  private readonly jobLeaseMs: number;
  private readonly jobBatch: number;
  private readonly backoff: BackoffPolicy;
  private readonly plans = new PlanCache();
  /** Each deployment's process versions, by deployment id (deployments never change). */
  private readonly deploymentVersions = new Map<string, ReadonlyMap<string, number>>();
  /**
   * Per-instance lock, so commands to one instance in this process never race each other: an
   * instance is held while it has an entry, which lists the commands waiting for it in order.
   */
  private readonly locks = new Map<string, (() => void)[]>();
  /**
   * Callers' starts, and commands holding their instance's lock, not yet committed. A commit made
   * while others are under way is grouped with theirs (Store.commit's `grouped`); one client
   * working alone never waits for a group. Commands waiting for a lock are not counted (they
   * cannot commit in this turn), nor is a start's follow-up work once its own commit is done.
   */
  private underWay = 0;

  constructor(options: EngineOptions) {
    this.store = options.store ?? new MemoryStore();
    this.clock = options.clock ?? Date.now;
    this.services = options.services ?? {};
    this.newId = options.newId ?? randomUUID;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.jobLeaseMs = options.jobLeaseMs ?? 30_000;
    this.jobBatch = options.jobBatch ?? 100;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  // ── deployments and plans ─────────────────────────────────────────────────────────────

  async deploy(xml: string, meta?: Record<string, unknown>): Promise<DeployResult> {
    const { definitions, problems } = await parseXml(xml);
    if (!definitions) throw new ValidationError(problems);
    const processIds: string[] = (definitions.rootElements ?? [])
      .filter((e: ModdleElement) => e.$type === 'bpmn:Process')
      .map((e: ModdleElement) => e.id);
    const versions = new Map<string, number>();
    for (const id of processIds) versions.set(id, (await this.store.latestVersion(id)) + 1);
    const known = new Set<string>();
    for (const called of calledElements(definitions))
      if ((await this.store.latestVersion(called)) > 0) known.add(called);
    const deploymentId = this.newId();
    const compiled = compileDefinitions(definitions, {
      deploymentId,
      versionOf: (id) => versions.get(id) ?? 1,
      isKnownProcess: (id) => known.has(id),
    });
    const all = [...problems, ...compiled.problems];
    if (all.length) throw new ValidationError(all);
    const processes = compiled.plans.map((p) => ({
      id: p.processId,
      version: p.version,
      ...(p.name ? { name: p.name } : {}),
    }));
    const record = { id: deploymentId, xml, processes, createdAt: this.clock(), ...(meta ? { meta } : {}) };
    await this.store.saveDeployment(record);
    for (const plan of compiled.plans) {
      this.plans.set(plan);
      await this.scheduleStartTimers(plan);
    }
    return { id: deploymentId, processes };
  }

  async plan(processId: string, version?: number): Promise<Plan> {
    const v = version ?? (await this.store.latestVersion(processId));
    const cached = this.plans.get(processId, v);
    if (cached) return cached;
    if (v === 0) throw new CommandError('notFound', `process "${processId}" is not deployed`);
    const deployment = (await this.store.listDeployments()).find((d) =>
      d.processes.some((p) => p.id === processId && p.version === v),
    );
    if (!deployment)
      throw new CommandError('notFound', `process "${processId}" version ${v} is not deployed`);
    const { definitions } = await parseXml(deployment.xml);
    const versions = new Map(deployment.processes.map((p) => [p.id, p.version]));
    const { plans } = compileDefinitions(definitions, {
      deploymentId: deployment.id,
      versionOf: (id) => versions.get(id) ?? 1,
      isKnownProcess: () => true,
    });
    for (const p of plans) this.plans.set(p);
    const plan = this.plans.get(processId, v);
    if (!plan)
      throw new CommandError('notFound', `process "${processId}" version ${v} could not be compiled`);
    return plan;
  }

  /** Timer start events are timers owned by the process version, not by an instance. */
  private async scheduleStartTimers(plan: Plan): Promise<void> {
    const now = this.clock();
    const effects: Effect[] = [];
    for (const index of plan.timerStarts) {
      const node = plan.nodes[index]!;
      if (node.event.kind !== 'timer') continue;
      const result = node.event.timer.expr.evaluate({});
      const dueAt = result.ok ? firstDue(node.event.timer.kind, String(result.value), now) : null;
      if (dueAt === null) continue;
      effects.push({
        type: 'timer.scheduled',
        timerId: startTimerId(plan, node.id),
        dueAt,
        elementId: node.id,
      });
    }
    if (plan.version > 1) {
      // A new version replaces the old version's timer start events.
      const previous = await this.plan(plan.processId, plan.version - 1).catch(() => undefined);
      for (const index of previous?.timerStarts ?? []) {
        effects.push({
          type: 'timer.cancelled',
          timerId: startTimerId(previous!, previous!.nodes[index]!.id),
        });
      }
    }
    if (effects.length) await this.store.project('', effects);
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────

  async start(processId: string, options: StartOptions = {}): Promise<InstanceView> {
    // Under way from here until its own commit (startInstance takes the count over).
    this.underWay++;
    let counted = true;
    try {
      const plan = await this.plan(processId, options.version);
      const id = options.instanceId ?? this.newId();
      if (options.instanceId !== undefined) {
        const started = await this.alreadyStarted(id, plan);
        if (started) return started;
      }
      try {
        // Built by assignment: spreading conditional literals copies through the runtime on every call.
        const extra: { variables?: Variables; businessKey?: string } = {};
        if (options.variables) extra.variables = options.variables;
        if (options.businessKey !== undefined) extra.businessKey = options.businessKey;
        counted = false;
        const committed = await this.startInstance(plan, id, extra, undefined, true);
        return this.viewAfter(id, committed);
      } catch (err) {
        // Two starts with the caller's id raced: the loser answers with the winner's instance.
        const started =
          err instanceof ConflictError &&
          options.instanceId !== undefined &&
          (await this.alreadyStarted(id, plan));
        if (started) return started;
        throw err;
      }
    } finally {
      if (counted) this.underWay--;
    }
  }

  /** The instance a caller's id already names, if it runs the same process; another process → conflict. */
  private async alreadyStarted(id: string, plan: Plan): Promise<InstanceView | null> {
    const existing = await this.store.getInstance(id);
    if (!existing) return null;
    if (existing.processId !== plan.processId)
      throw new ConflictError(id, `instance ${id} already exists for process ${existing.processId}`);
    return this.instance(id);
  }

  private async startInstance(
    plan: Plan,
    instanceId: string,
    extra: {
      variables?: Variables;
      businessKey?: string;
      parent?: { instanceId: string; waitId: string };
      startNode?: number;
    },
    delivery?: string,
    /** A caller's start, counted in underWay until its commit is done. */
    counted = false,
  ): Promise<InstanceRecord | undefined> {
    const command: Extract<Command, { type: 'start' }> = {
      type: 'start',
      instanceId,
      processId: plan.processId,
      deploymentId: plan.deploymentId,
      version: plan.version,
    };
    if (extra.variables !== undefined) command.variables = extra.variables;
    if (extra.businessKey !== undefined) command.businessKey = extra.businessKey;
    if (extra.parent !== undefined) command.parent = extra.parent;
    if (extra.startNode !== undefined) command.startNode = extra.startNode;
    let record: InstanceRecord;
    let left: Effect[];
    try {
      const { state, effects } = step(plan, null, command, this.clock());
      stampDeliveries(state.id, 1, effects);
      record = recordOf(state, 1, effects);
      if (delivery !== undefined) record.delivery = delivery;
      left = await this.persist(record, null, counted);
    } finally {
      if (counted) this.underWay--;
    }
    if (left.length) await this.finish(record.id, 1, left);
    return followUpsOf(left).length ? undefined : record;
  }

  async completeTask(taskId: string, options: CompleteOptions = {}): Promise<InstanceView> {
    // A task open in the record this store committed last saves the inbox read; the command validates it.
    const ownTask = this.store.committedOpenTask?.(taskId);
    const task = ownTask ?? (await this.store.getTask(taskId));
    expectOpen(taskId, task);
    let committed: InstanceRecord | undefined;
    try {
      const command: Extract<Command, { type: 'completeTask' }> = { type: 'completeTask', waitId: taskId };
      if (options.variables) command.variables = options.variables;
      if (options.actor) command.actor = options.actor;
      committed = await this.command(task.instanceId, command);
    } catch (err) {
      // That record was stale (another node moved the instance on): the inbox says why, as it would have first.
      if (ownTask && err instanceof CommandError && err.code !== 'invalid')
        expectOpen(taskId, await this.store.getTask(taskId));
      // The inbox showed the task open, the instance no longer has it: someone else (another
      // node, a boundary event) closed it in between.
      if (err instanceof CommandError && err.code === 'notFound') {
        throw new ConflictError(task.instanceId, `task ${taskId} was completed or cancelled concurrently`);
      }
      throw err;
    }
    return this.viewAfter(task.instanceId, committed);
  }

  async throwError(id: string, options: { errorCode: string; variables?: Variables }): Promise<InstanceView> {
    const owner = (await this.store.getTask(id)) ?? (await this.store.getJob(id));
    if (!owner) throw new CommandError('notFound', `task or job ${id} does not exist`);
    const committed = await this.command(owner.instanceId, { type: 'throwError', waitId: id, ...options });
    return this.viewAfter(owner.instanceId, committed);
  }

  async completeJob(jobId: string, options: { variables?: Variables } = {}): Promise<InstanceView> {
    const job = await this.store.getJob(jobId);
    if (!job) throw new CommandError('notFound', `job ${jobId} does not exist`);
    const committed = await this.command(job.instanceId, { type: 'completeJob', waitId: jobId, ...options });
    return this.viewAfter(job.instanceId, committed);
  }

  async failJob(jobId: string, options: { message: string; errorCode?: string }): Promise<InstanceView> {
    if (options.errorCode !== undefined) return this.throwError(jobId, { errorCode: options.errorCode });
    const job = await this.store.getJob(jobId);
    if (!job) throw new CommandError('notFound', `job ${jobId} does not exist`);
    const committed = await this.command(job.instanceId, {
      type: 'failJob',
      waitId: jobId,
      message: options.message,
    });
    return this.viewAfter(job.instanceId, committed);
  }

  correlate(messageName: string, options: CorrelateOptions = {}): Promise<CorrelateResult> {
    return this.publish(messageName, options);
  }

  async waits(instanceId: string): Promise<WaitingEvent[]> {
    const record = await this.store.getInstance(instanceId);
    if (!record) throw new CommandError('notFound', `instance ${instanceId} does not exist`);
    const { waits, processId, version } = record.state;
    const plan = await this.plan(processId, version);
    const events: WaitingEvent[] = [];
    for (const key in waits) {
      const w = waits[key]!;
      if (w.kind === 'task') continue;
      const node = plan.nodes[w.node]!;
      const event: WaitingEvent = {
        id: w.id,
        elementId: node.id,
        kind: w.kind,
        boundary: node.attachedTo !== -1,
      };
      if (w.dueAt !== undefined) event.dueAt = w.dueAt;
      if (w.messageName !== undefined) event.messageName = w.messageName;
      if (w.correlationKey !== undefined) event.correlationKey = w.correlationKey;
      events.push(event);
    }
    return events;
  }

  /** A retry with the same `deliveryId` finds it recorded: no second round of a cycle, no "gone". */
  async fireTimer(waitId: string, options: { deliveryId?: string } = {}): Promise<InstanceView> {
    const delivery = clientDelivery(waitId, options.deliveryId);
    const instanceId = instanceOfWait(waitId);
    return this.viewAfter(
      instanceId,
      await this.command(instanceId, { type: 'fireTimer', waitId }, delivery),
    );
  }

  async deliverMessage(
    waitId: string,
    options: { variables?: Variables; deliveryId?: string } = {},
  ): Promise<InstanceView> {
    checkMessageVariables(options.variables);
    const delivery = clientDelivery(waitId, options.deliveryId);
    const instanceId = instanceOfWait(waitId);
    const command: Extract<Command, { type: 'deliverMessage' }> = { type: 'deliverMessage', waitId };
    if (options.variables) command.variables = options.variables;
    return this.viewAfter(instanceId, await this.command(instanceId, command, delivery));
  }

  /**
   * Delivers a message to every instance subscribed to it, or else starts the processes that
   * begin with it. A published message's follow-up passes its deliveryId: instances that applied
   * it already are skipped (and count as delivered), and instances it starts get ids derived from
   * it, so replaying the follow-up after a crash delivers nothing twice.
   */
  private async publish(
    messageName: string,
    options: CorrelateOptions,
    deliveryId?: string,
  ): Promise<CorrelateResult> {
    const key = options.correlationKey ?? null;
    checkMessageVariables(options.variables);
    const subscriptions = await this.store.findSubscriptions(messageName, key);
    const instanceIds: string[] = [];
    for (const sub of subscriptions) {
      if (instanceIds.includes(sub.instanceId)) continue;
      try {
        await this.command(
          sub.instanceId,
          {
            type: 'deliverMessage',
            waitId: sub.id,
            ...(options.variables ? { variables: options.variables } : {}),
          },
          deliveryId,
        );
        instanceIds.push(sub.instanceId);
      } catch (err) {
        if (!(err instanceof CommandError)) throw err; // the subscription closed meanwhile
      }
    }
    if (instanceIds.length) return { instanceIds, started: false };
    if (deliveryId !== undefined) {
      // Delivered before the crash, to subscriptions that are gone now: nothing more to do.
      const delivered = await this.store.deliveredTo(deliveryId);
      if (delivered.length) return { instanceIds: delivered, started: false };
    }
    for (const plan of await this.messageStartPlans(messageName)) {
      const id = deliveryId === undefined ? this.newId() : derivedId(deliveryId, plan.processId);
      const node = plan.messageStarts.find((i) => {
        const ev = plan.nodes[i]!.event;
        return ev.kind === 'message' && ev.messageName === messageName;
      })!;
      await this.startInstance(
        plan,
        id,
        {
          startNode: node,
          ...(options.variables ? { variables: options.variables } : {}),
          ...(key !== null ? { businessKey: key } : {}),
        },
        deliveryId,
      ).catch(ignore(ConflictError)); // started by an earlier run of this follow-up
      instanceIds.push(id);
    }
    return { instanceIds, started: instanceIds.length > 0 };
  }

  private async messageStartPlans(messageName: string): Promise<Plan[]> {
    const latest = new Map<string, number>();
    for (const d of await this.store.listDeployments()) {
      for (const p of d.processes) latest.set(p.id, Math.max(latest.get(p.id) ?? 0, p.version));
    }
    const plans: Plan[] = [];
    for (const [id, version] of latest) {
      const plan = await this.plan(id, version);
      if (
        plan.messageStarts.some((i) => {
          const ev = plan.nodes[i]!.event;
          return ev.kind === 'message' && ev.messageName === messageName;
        })
      )
        plans.push(plan);
    }
    return plans;
  }

  /**
   * Runs what is due: claims due timers and service-task jobs (those this engine has a handler
   * for) from the store's job queue with a lease, so several engine processes on one store run
   * each once, and a dead process's claims are taken over when their lease runs out. A failing
   * handler is tried again after the backoff; when its attempts (gov:retries) are used up the
   * instance gets an incident. Also sweeps follow-ups a crash left (recover). Returns how many
   * timers fired and handler runs were made.
   */
  async runDueJobs(now: number = this.clock()): Promise<number> {
    // A sweep that failed for some instance holds back no due timer or job: its error comes after them.
    const swept = await this.recover().then(
      () => undefined,
      (err: unknown) => ({ err }),
    );
    let count = 0;
    const handlers: Record<string, JobHandler> = {
      [TIMER_JOB_TYPE]: async (job) => {
        const fired = await this.fireQueuedTimer(job); // read count after the await: jobs run concurrently
        count += fired;
      },
    };
    for (const [type, handler] of Object.entries(this.services)) {
      handlers[type] = async (job) => {
        const ran = await this.runHandler(job, handler).catch((err: unknown) => {
          count++; // a failed attempt is a run too (retried after the backoff)
          throw err;
        });
        count += ran;
      };
    }
    const worker = new JobWorker({
      source: this.store.queue,
      owner: this.owner,
      handlers,
      types: Object.keys(handlers),
      clock: () => now,
      leaseMs: this.jobLeaseMs,
      batchSize: this.jobBatch,
      backoff: this.backoff,
      onIncident: (job, error) => this.giveUp(job, error),
    });
    await worker.drain();
    if (swept) throw swept.err;
    return count;
  }

  private async fireQueuedTimer(job: ClaimedJob): Promise<number> {
    const timer = timerOf(job);
    if (timer.id.startsWith(START_TIMER_PREFIX)) return this.fireStartTimer(timer);
    try {
      await this.command(timer.instanceId, { type: 'fireTimer', waitId: timer.id, dueAt: timer.dueAt });
      return 1;
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      // The wait is gone (fired, cancelled, the instance ended): its queued timer is stale. A wait
      // still open under this id is a cycle whose round was fired by hand meanwhile; its next
      // round is queued already and must stay.
      const record = await this.store.getInstance(timer.instanceId);
      if (!record || !byPublicId(record.state.waits, timer.id))
        await this.store.project(timer.instanceId, [{ type: 'timer.cancelled', timerId: timer.id }]);
      return 0;
    }
  }

  /**
   * A timer start event fired: start an instance and, for a cycle, schedule the next one. The
   * instance id derives from the timer's, so a timer fired again (a lease taken over from a slow
   * node, a crash before the timer was marked done) starts no second instance.
   */
  private async fireStartTimer(timer: TimerRecord): Promise<number> {
    const parsed = START_TIMER_ID.exec(timer.id);
    const effects: Effect[] = [{ type: 'timer.cancelled', timerId: timer.id }];
    if (!parsed) {
      await this.store.project('', effects);
      return 0;
    }
    const [, processId, version, elementId, firedBefore] = parsed;
    const plan = await this.plan(processId!, Number(version));
    const index = plan.byId.get(elementId!)!;
    const node = plan.nodes[index]!;
    if (node.event.kind === 'timer' && node.event.timer.kind === 'cycle') {
      const result = node.event.timer.expr.evaluate({});
      const cycle = result.ok ? parseCycle(String(result.value)) : null;
      const fired = Number(firedBefore ?? '0') + 1;
      const dueAt = cycle ? occurrenceAfter(cycle, timer.dueAt, fired) : null;
      if (dueAt !== null) {
        effects.push({
          type: 'timer.scheduled',
          timerId: `${startTimerId(plan, elementId!)}#${fired}`,
          dueAt,
          elementId: elementId!,
        });
      }
    }
    let started = 1;
    await this.startInstance(plan, derivedId('start-timer', timer.id), { startNode: index }).catch((err) => {
      if (!(err instanceof ConflictError)) throw err;
      started = 0; // started by an earlier firing
    });
    await this.store.project('', effects);
    return started;
  }

  /** One attempt of a service-task job; a handler's error (not a BpmnError) fails the attempt. */
  private async runHandler(claimed: ClaimedJob, handler: ServiceHandler): Promise<number> {
    const stored = await this.store.getJob(claimed.id);
    if (!stored) return 0; // completed, cancelled or interrupted meanwhile
    // The handler gets its own copy: the memory store's job shares its variables with the
    // committed record, which a handler changing its argument changed too.
    let result: Variables | void;
    try {
      result = await handler(copyOwned(stored));
    } catch (err) {
      if (!(err instanceof BpmnError)) throw err;
      await this.command(stored.instanceId, {
        type: 'throwError',
        waitId: stored.id,
        errorCode: err.errorCode,
        ...(err.variables ? { variables: err.variables } : {}),
      });
      return 1;
    }
    await this.command(stored.instanceId, {
      type: 'completeJob',
      waitId: stored.id,
      ...(result ? { variables: result } : {}),
    });
    return 1;
  }

  /** A job used up its attempts: the instance gets an incident naming the task and the error. */
  private async giveUp(claimed: ClaimedJob, error: string): Promise<void> {
    if (claimed.type === TIMER_JOB_TYPE || !(await this.store.getJob(claimed.id))) return;
    // A CommandError: the job ended meanwhile.
    await this.command(claimed.instanceId!, { type: 'failJob', waitId: claimed.id, message: error }).catch(
      ignore(CommandError),
    );
  }

  async jobs(filter: { instanceId?: string; type?: string } = {}): Promise<Job[]> {
    return deepCopy(await this.store.findJobs(filter));
  }

  async tasks(filter: TaskFilter = {}): Promise<Task[]> {
    return deepCopy(await this.store.findTasks(filter));
  }

  async cancel(id: string): Promise<InstanceView> {
    const view = await this.viewAfter(id, await this.command(id, { type: 'cancel' }));
    await this.closeJobIncidents(view, 'the instance was cancelled');
    return view;
  }

  async resolveIncident(
    id: string,
    options: { incidentId?: string; variables?: Variables } = {},
  ): Promise<InstanceView> {
    const view = await this.viewAfter(id, await this.command(id, { type: 'resolveIncident', ...options }));
    await this.closeJobIncidents(view, 'retried on the instance');
    return view;
  }

  /**
   * The job queue's incidents of an instance whose own incident is gone (retried with a fresh job,
   * or the instance cancelled) are closed with `comment`, so supervisors see only live ones.
   */
  private async closeJobIncidents(view: InstanceView, comment: string): Promise<void> {
    const live = new Set(view.incidents.map((i) => i.jobId));
    for (const incident of await this.store.queue.listIncidents({ instanceId: view.id, open: true })) {
      if (live.has(incident.jobId)) continue;
      await this.store.queue
        .resolveIncident(incident.id, comment, this.clock())
        .catch(ignore(IncidentStateError)); // closed concurrently
    }
  }

  async instance(id: string): Promise<InstanceView> {
    const record = await this.store.getInstance(id);
    if (!record) throw new CommandError('notFound', `instance ${id} does not exist`);
    return this.viewOf(record);
  }

  /**
   * The view after a command: built from the record the command just committed when it left no
   * follow-ups (nothing else in this process can have changed the instance since), which saves
   * reading back what was just written; read afresh otherwise (a called child may have answered).
   */
  private viewAfter(id: string, committed: InstanceRecord | undefined): Promise<InstanceView> {
    return committed ? this.viewOf(committed) : this.instance(id);
  }

  private async viewOf(record: InstanceRecord): Promise<InstanceView> {
    const s = record.state;
    const view: InstanceView = {
      id: s.id,
      processId: s.processId,
      version: s.version,
      deploymentId: s.deploymentId,
      status: s.status,
      // Views are snapshots: what a caller does to them never reaches the instance.
      variables: copyOwned(s.scopes.root?.vars ?? {}),
      openTasks: openTasksOf(s),
      history: await this.store.history(record.id, record.rev),
      incidents: openIncidents(s).map(shownIncident),
      startedAt: s.startedAt,
    };
    if (s.businessKey !== undefined) view.businessKey = s.businessKey;
    if (s.parent) view.parentInstanceId = s.parent.instanceId;
    if (s.endedAt !== undefined) view.endedAt = s.endedAt;
    if (view.incidents.length) view.incident = view.incidents[0]!;
    return view;
  }

  // ── the shell loop ────────────────────────────────────────────────────────────────────

  /**
   * Applies one command to one instance: serialised per instance, retried on a lost race. What
   * the step asks of other instances runs after the instance is released, so a parent and its
   * called child can notify each other without waiting on each other's lock. With a delivery id,
   * an instance that has applied that delivery already is left as it is.
   */
  private async command(
    instanceId: string,
    command: Exclude<Command, { type: 'start' }>,
    delivery?: string,
  ): Promise<InstanceRecord | undefined> {
    // The lock taken here, not through serialised: no closure and no release promise per command.
    const turn = this.hold(instanceId);
    if (turn) await turn;
    this.underWay++;
    let saved: Awaited<ReturnType<EngineShell['commandNow']>>;
    try {
      saved = await this.commandNow(instanceId, command, delivery);
    } finally {
      this.underWay--;
      this.release(instanceId);
    }
    if (!saved) return undefined;
    if (saved.left.length) await this.finish(instanceId, saved.record.rev, saved.left);
    return followUpsOf(saved.left).length ? undefined : saved.record;
  }

  private async serialised<T>(instanceId: string, work: () => Promise<T>): Promise<T> {
    const turn = this.hold(instanceId);
    if (turn) await turn;
    try {
      return await work();
    } finally {
      this.release(instanceId);
    }
  }

  /**
   * Takes the instance's lock: at once (undefined) when no command of this process holds it,
   * else a promise that resolves when the commands queued before have released it.
   */
  private hold(instanceId: string): Promise<void> | undefined {
    const waiting = this.locks.get(instanceId);
    if (waiting === undefined) {
      this.locks.set(instanceId, []);
      return undefined;
    }
    return new Promise<void>((resolve) => waiting.push(resolve));
  }

  /** Hands the instance to the next command waiting for it, or frees it. */
  private release(instanceId: string): void {
    const next = this.locks.get(instanceId)!.shift();
    if (next) next();
    else this.locks.delete(instanceId);
  }

  /** The saved record and what its outbox still holds, or undefined when the delivery was applied already. */
  private async commandNow(
    instanceId: string,
    command: Exclude<Command, { type: 'start' }>,
    delivery: string | undefined,
  ): Promise<{ record: InstanceRecord; left: Effect[] } | undefined> {
    // The record the store committed last, if it keeps it, saves a read. Another node may have
    // moved the instance on since: the save's compare-and-set then fails, or the step fails on
    // the old state, and the command is decided again on a fresh read. Nothing was written.
    const own = this.store.committedInstance?.(instanceId);
    if (own) {
      try {
        return await this.applyCommand(own, command, delivery);
      } catch (err) {
        if (!(err instanceof ConflictError || err instanceof CommandError)) throw err;
      }
    }
    for (let attempt = 0; ; attempt++) {
      const record = await this.store.getInstance(instanceId);
      if (!record) throw new CommandError('notFound', `instance ${instanceId} does not exist`);
      try {
        return await this.applyCommand(record, command, delivery);
      } catch (err) {
        if (err instanceof ConflictError && attempt < MAX_SAVE_RETRIES) continue;
        throw err;
      }
    }
  }

  /** One attempt of commandNow on `record`: step, then save with compare-and-set on its rev. */
  private async applyCommand(
    record: InstanceRecord,
    command: Exclude<Command, { type: 'start' }>,
    delivery: string | undefined,
  ): Promise<{ record: InstanceRecord; left: Effect[] } | undefined> {
    // Read after the record: a delivery saved since would make the save below a conflict.
    if (delivery !== undefined && (await this.store.hasDelivery(record.id, delivery))) return;
    const plan =
      this.plans.get(record.processId, record.version) ?? (await this.plan(record.processId, record.version));
    const { state, effects } = step(plan, record.state, command, this.clock());
    const rev = record.rev + 1;
    stampDeliveries(record.id, rev, effects);
    // Effects a crash left unprojected, and follow-ups not yet done, travel with this save.
    const outbox = record.outbox.length ? [...record.outbox, ...effects] : effects;
    const next = recordOf(state, rev, outbox);
    if (delivery !== undefined) next.delivery = delivery;
    return { record: next, left: await this.persist(next, record.rev, true) };
  }

  /**
   * Saves a record (created when expectedRev is null, else compare-and-set) and projects its
   * outbox: in one atomic write when the store offers `commit`, else save then project. Returns
   * what the outbox still holds: the follow-ups after a commit, everything otherwise. `counted`:
   * the caller is one of those under way (underWay).
   */
  private async persist(
    record: InstanceRecord,
    expectedRev: number | null,
    counted: boolean,
  ): Promise<Effect[]> {
    if (this.store.commit) {
      // Others under way will commit within this turn: one transaction for all (see underWay).
      const others = this.underWay - (counted ? 1 : 0);
      await this.store.commit(record, expectedRev, others > 0 ? GROUPED : undefined);
      return followUpsOf(record.outbox);
    }
    if (expectedRev === null) await this.store.createInstance(record);
    else await this.store.saveInstance(record, expectedRev);
    if (record.outbox.length) await this.store.project(record.id, record.outbox);
    return record.outbox;
  }

  /** Runs the follow-ups a save left in its outbox, then empties it (if no newer save carried it on). */
  private async finish(instanceId: string, rev: number, left: Effect[]): Promise<void> {
    if (!left.length) return;
    await this.followUps(instanceId, followUpsOf(left));
    await this.store.clearOutbox(instanceId, rev);
  }

  /**
   * Finishes what a crash interrupted: projections and follow-ups of every pending outbox. Run at
   * start-up, and by runDueJobs as a sweeper. Every follow-up is idempotent (called ids derive from
   * the wait, deliveries are remembered by their receivers), so running one again is harmless.
   * One instance's failing (a store error) holds back no other's: each pending outbox is tried,
   * then an AggregateError names those that failed; their outboxes stay for the next sweep.
   */
  async recover(limit = 1000): Promise<number> {
    const pending = await this.store.pendingOutboxes(limit);
    const failed: { id: string; err: unknown }[] = [];
    for (const { id } of pending) {
      try {
        // Read again under the instance's lock: a command of this process may have moved it on.
        const record = await this.serialised(id, async () => {
          const current = await this.store.getInstance(id);
          if (current?.outbox.length) await this.store.project(id, current.outbox);
          return current;
        });
        if (record?.outbox.length) await this.finish(id, record.rev, record.outbox);
      } catch (err) {
        failed.push({ id, err });
      }
    }
    if (failed.length) {
      const which = failed
        .slice(0, 5)
        .map(({ id, err }) => `${id}: ${err instanceof Error ? err.message : String(err)}`);
      if (failed.length > 5) which.push(`${failed.length - 5} more`);
      throw new AggregateError(
        failed.map((f) => f.err),
        `the follow-ups of ${failed.length} of ${pending.length} instances failed (tried again on the next sweep): ${which.join('; ')}`,
      );
    }
    return pending.length;
  }

  /**
   * Starts a call activity's instance. A called process that cannot start (not deployed, or with
   * no none start event) is an incident on the call activity: as a follow-up failing on every
   * sweep it held back every other instance's (recover), and the caller waited for ever.
   * Resolving the incident, once the process can start, calls it again.
   */
  private async startCalled(
    instanceId: string,
    effect: Extract<Effect, { type: 'call.started' }>,
  ): Promise<void> {
    let plan: Plan;
    try {
      plan = await this.plan(effect.processId, await this.versionIn(effect.deploymentId, effect.processId));
      if (plan.starts.length === 0)
        throw new CommandError(
          'invalid',
          `process "${plan.processId}" has no none start event to be called at`,
        );
    } catch (err) {
      if (!(err instanceof CommandError)) throw err; // the store's: tried again on the next sweep
      await this.command(instanceId, {
        type: 'callFailed',
        waitId: effect.waitId,
        message: err.message,
      }).catch(ignore(CommandError)); // the call is no longer waiting (cancelled meanwhile)
      return;
    }
    await this.startInstance(plan, calledInstanceId(effect.waitId), {
      variables: effect.variables,
      parent: { instanceId, waitId: effect.waitId },
      ...(effect.businessKey !== undefined ? { businessKey: effect.businessKey } : {}),
    }).catch(ignore(ConflictError)); // started already (a replayed outbox)
  }

  /**
   * The version of `processId` deployed with deployment `deploymentId` (a caller's): a running
   * case calls the process it was deployed with, not one deployed later. Undefined (the latest)
   * when that deployment does not hold it, or none is named (an outbox saved before).
   */
  private async versionIn(deploymentId: string | undefined, processId: string): Promise<number | undefined> {
    if (deploymentId === undefined) return undefined;
    let versions = this.deploymentVersions.get(deploymentId);
    if (!versions) {
      const deployment = await this.store.getDeployment(deploymentId);
      versions = new Map(deployment?.processes.map((p) => [p.id, p.version]));
      if (this.deploymentVersions.size >= MAX_DEPLOYMENT_VERSIONS) this.deploymentVersions.clear();
      this.deploymentVersions.set(deploymentId, versions);
    }
    return versions.get(processId);
  }

  /** What a step's effects ask of other instances: called children, parents, message receivers. */
  private async followUps(instanceId: string, effects: Effect[]): Promise<void> {
    for (const effect of effects) {
      switch (effect.type) {
        case 'call.started':
          await this.startCalled(instanceId, effect);
          break;
        case 'call.cancelled': {
          const child = await this.store.getInstance(calledInstanceId(effect.waitId));
          if (child && (child.status === 'active' || child.status === 'incident')) {
            // A CommandError: it ended meanwhile (another sweep cancelled it).
            await this.command(child.id, { type: 'cancel' }).catch(ignore(CommandError));
          }
          break;
        }
        case 'instance.ended':
          if (effect.parent) {
            const ended: Command = {
              type: 'childEnded',
              waitId: effect.parent.waitId,
              status: effect.status,
              variables: effect.variables,
              ...(effect.errorCode !== undefined ? { errorCode: effect.errorCode } : {}),
            };
            // A CommandError: the parent already moved on (cancelled).
            await this.command(effect.parent.instanceId, ended).catch(ignore(CommandError));
          }
          break;
        case 'escalation.raised':
          await this.command(
            effect.parent.instanceId,
            {
              type: 'childEscalated',
              waitId: effect.parent.waitId,
              escalationCode: effect.escalationCode,
            },
            effect.deliveryId,
          ).catch(ignore(CommandError)); // the call activity already ended
          break;
        case 'message.published':
          await this.publish(
            effect.messageName,
            {
              ...(effect.correlationKey !== null ? { correlationKey: effect.correlationKey } : {}),
              variables: effect.variables,
            },
            effect.deliveryId,
          );
          break;
        default:
          break;
      }
    }
  }
}

/**
 * A `.catch` handler that lets an error of `kind` go and rethrows any other: a follow-up that
 * finds its work done or no longer wanted (each caller says which) is not a failure.
 */
function ignore(kind: abstract new (...args: never[]) => Error): (err: unknown) => void {
  return (err) => {
    if (!(err instanceof kind)) throw err;
  };
}

/** Copies of an instance's open tasks (a loop over the record's keys: Object.values allocates an array first). */
function openTasksOf(s: InstanceState): Task[] {
  const open: Task[] = [];
  for (const id in s.tasks) open.push(copyTask(s.tasks[id]!));
  return open;
}

function recordOf(state: InstanceState, rev: number, outbox: Effect[]): InstanceRecord {
  const record: InstanceRecord = {
    outbox,
    id: state.id,
    processId: state.processId,
    version: state.version,
    deploymentId: state.deploymentId,
    status: state.status,
    rev,
    state,
    startedAt: state.startedAt,
    updatedAt: state.endedAt ?? state.startedAt,
  };
  if (state.businessKey !== undefined) record.businessKey = state.businessKey;
  if (state.parent) record.parentInstanceId = state.parent.instanceId;
  return record;
}

/**
 * Gives each message publication and escalation of a save its delivery id (instance, rev, place
 * in the step), once: carried-over effects keep the id they were saved with.
 */
function stampDeliveries(instanceId: string, rev: number, effects: Effect[]): void {
  for (let i = 0; i < effects.length; i++) {
    const e = effects[i]!;
    if ((e.type === 'message.published' || e.type === 'escalation.raised') && e.deliveryId === undefined)
      e.deliveryId = `${instanceId}@${rev}#${i}`;
  }
}

/** An instance id that is the same every time it is derived from the same parts (UUID-shaped). */
function derivedId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The timer a claimed timer job stands for (its due time travels in the payload). */
function timerOf(job: ClaimedJob): TimerRecord {
  const { dueAt } = job.payload as { dueAt: number };
  return { id: job.id, instanceId: job.instanceId ?? '', elementId: job.elementId ?? '', dueAt };
}

/**
 * The id of the instance a call activity started, from the call's wait id: it derives from the
 * wait, so a replayed start cannot create two, and a client can find the child from its parent.
 */
export function calledInstanceId(waitId: string): string {
  return `${waitId}-call`;
}

function startTimerId(plan: Plan, elementId: string): string {
  return `${START_TIMER_PREFIX}${plan.processId}@${plan.version}:${elementId}`;
}

function firstDue(kind: 'date' | 'duration' | 'cycle', value: string, now: number): number | null {
  if (kind === 'date') return parseDate(value);
  if (kind === 'duration') return durationProblem(value) ? null : addDuration(now, value);
  const cycle = parseCycle(value);
  return cycle ? (firstOccurrence(cycle, now)?.dueAt ?? null) : null;
}

function calledElements(definitions: ModdleElement): string[] {
  const out: string[] = [];
  const walk = (elements: ModdleElement[] | undefined) => {
    for (const e of elements ?? []) {
      if (e.$type === 'bpmn:CallActivity' && e.calledElement) out.push(e.calledElement);
      if (e.flowElements) walk(e.flowElements);
    }
  };
  for (const root of definitions.rootElements ?? []) walk(root.flowElements);
  return out;
}
