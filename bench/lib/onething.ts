/**
 * Drives OneThing the way a client does: start an instance, take the open tasks from the returned
 * view, complete them one by one (each completion returns the next view), until none is left; a
 * model's other waits (service tasks, messages, called instances, timer catch events) are
 * answered in-process.
 */
import {
  calledInstanceId,
  createEngine,
  type Engine,
  type InstanceView,
  type Store,
  type Variables,
} from '../../engine/src/index.js';
import type { Wait } from '../../engine/src/runtime/state.js';
import type { Side, Work } from './harness.js';

export interface Variant {
  /** Start variables for OneThing. */
  variables: Variables;
  /** Start variables for bpmn-engine (its expressions read flags, not FEEL). */
  referenceVariables?: Variables;
  /** User tasks one instance of this variant completes, on both engines. */
  tasks: number;
  /** Other waits one instance answers (service tasks, messages, timer catches), when checked. */
  otherWaits?: number;
}

export interface Scenario {
  processId: string;
  /** Our model and the reference's copy (the same structure; see bench/models). */
  xml: string;
  referenceXml: string;
  variants: Variant[];
  /** What completing a user task sends (default: `completion`); the reference signals the same. */
  complete?: (elementId: string) => Variables;
}

/**
 * One frozen answer per element, made once on first use: both engines ask for an answer on every
 * user task, and building an object with computed keys each time was ~5% of the fan-out's CPU.
 * Frozen, so neither engine can change what the other is sent (OneThing copies the values in;
 * bpmn-engine only reads them).
 */
export function oncePerElement(make: (elementId: string) => Variables): (elementId: string) => Variables {
  const made = new Map<string, Variables>();
  return (elementId) => {
    let sent = made.get(elementId);
    if (!sent) made.set(elementId, (sent = Object.freeze(make(elementId))));
    return sent;
  };
}

/** What a clerk or department sends when completing a task: a decision and a note. */
export const completion = oncePerElement((elementId) => ({
  [`${elementId}Decision`]: 'approved',
  [`${elementId}Note`]: 'ok',
}));

/** What a drive did: user tasks completed, other waits answered. */
export interface Done {
  tasks: number;
  otherWaits: number;
}

/** A drive's count, and where it stops: a model can loop through its waits for ever. */
interface Driving extends Done {
  limit: number;
}

/**
 * One instance, start to end: its user tasks completed in turn, and when none is open, its other
 * waits answered in-process (answerOtherWait). Returns its final view, status and variables, the
 * user tasks completed and the other waits answered (a called instance's count with its
 * caller's). With a `limit`, the drive stops once it has completed and answered that many in
 * all, the instance still active.
 */
export async function runInstance(
  engine: Engine,
  scenario: Scenario,
  variables: Variables,
  businessKey: string,
  limit = Infinity,
): Promise<Done & { status: string; variables: Variables; view: InstanceView }> {
  const done: Driving = { tasks: 0, otherWaits: 0, limit };
  const view = await drive(
    engine,
    scenario,
    await engine.start(scenario.processId, { variables, businessKey }),
    done,
  );
  return {
    status: view.status,
    variables: view.variables,
    view,
    tasks: done.tasks,
    otherWaits: done.otherWaits,
  };
}

/** Drives an instance from `view` until it ends or waits for nothing the drive can answer. */
async function drive(
  engine: Engine,
  scenario: Scenario,
  view: InstanceView,
  done: Driving,
): Promise<InstanceView> {
  const complete = scenario.complete ?? completion;
  for (;;) {
    // One comparison per step: the timed runs' limit is Infinity.
    if (done.tasks + done.otherWaits >= done.limit) return view;
    if (view.openTasks.length > 0) {
      const task = view.openTasks[0]!;
      view = await engine.completeTask(task.id, { variables: complete(task.elementId) });
      done.tasks++;
      continue;
    }
    // Only a model with other waits gets here before its end: the user-task cases pay nothing.
    if (view.status !== 'active') return view;
    const answered = await answerOtherWait(engine, scenario, view, done);
    if (!answered) return view;
    view = answered;
  }
}

/**
 * Answers one wait other than a user task, as a department system or the clock would, and
 * returns the view after it; undefined when nothing is left to answer (the instance is stuck).
 * In this order: a service task's job is completed; a receive task or message catch event gets
 * its message; a call activity's instance is driven to its end; the intermediate timer catch
 * event due first fires. Each answer goes to that one wait by its id (deliverMessage, fireTimer),
 * as bpmn-engine's drive signals the waiting element: a boundary event waiting for the same
 * message or an earlier timer is never answered, it stays beside its activity as on bpmn-engine,
 * and another instance driven at the same time gets nothing.
 */
async function answerOtherWait(
  engine: Engine,
  scenario: Scenario,
  view: InstanceView,
  done: Driving,
): Promise<InstanceView | undefined> {
  const record = await engine.store.getInstance(view.id);
  if (!record) return undefined;
  // The instance's record holds its open jobs whole, as a worker would fetch them.
  for (const key in record.state.jobs) {
    done.otherWaits++;
    return engine.completeJob(record.state.jobs[key]!.id);
  }
  const plan = await engine.plan(view.processId, view.version);
  const waits = Object.values(record.state.waits).filter((w) => plan.nodes[w.node]?.attachedTo === -1);
  const message = waits.find((w) => w.kind === 'message');
  if (message) {
    done.otherWaits++;
    return engine.deliverMessage(message.id);
  }
  const call = waits.find((w) => w.kind === 'call');
  if (call) {
    const child = await drive(engine, scenario, await engine.instance(calledInstanceId(call.id)), done);
    return child.status === 'completed' ? engine.instance(view.id) : undefined;
  }
  let timer: Wait | undefined;
  for (const w of waits)
    if (w.kind === 'timer' && w.dueAt !== undefined && !(timer && timer.dueAt! <= w.dueAt)) timer = w;
  if (!timer) return undefined;
  done.otherWaits++;
  return engine.fireTimer(timer.id);
}

/** An instance did its variant's work: its user tasks, and its other waits where the variant counts them. */
export function didWork(done: { tasks: number; otherWaits: number }, variant: Variant): boolean {
  return (
    done.tasks === variant.tasks &&
    (variant.otherWaits === undefined || done.otherWaits === variant.otherWaits)
  );
}

/** Clients working at once in the concurrent durable cases: a busy service centre's windows and back offices. */
export const CLIENTS = 16;

/** Runs `count` instances to completion on `engine`; checks each did the expected work. */
export async function runInstances(
  engine: Engine,
  scenario: Scenario,
  count: number,
  offset = 0,
  clients = 1,
): Promise<Work> {
  let tasks = 0;
  let next = 0;
  // Each client runs one instance after another, as a clerk at a window does.
  const client = async () => {
    while (next < count) {
      const i = next++;
      const variant = scenario.variants[(offset + i) % scenario.variants.length]!;
      const done = await runInstance(engine, scenario, variant.variables, `app-${offset + i}`);
      if (done.status !== 'completed' || !didWork(done, variant)) {
        throw new Error(
          `OneThing ${scenario.processId}: instance ended ${done.status} after ${done.tasks} tasks and ${done.otherWaits} other waits, ` +
            `expected completed after ${variant.tasks} and ${variant.otherWaits ?? 'any'}`,
        );
      }
      tasks += done.tasks;
    }
  };
  await Promise.all(Array.from({ length: Math.min(clients, count) }, client));
  return { ops: count, tasks };
}

/**
 * Our side of an engine case. Each batch gets a fresh engine with the model deployed, on a fresh
 * store from `store` (default: a new MemoryStore); the previous batch's store is closed.
 */
export function oneThingSide(
  scenario: Scenario,
  options: {
    label: string;
    count: number;
    warmup: number;
    store?: () => Promise<Store> | Store;
    /** Instances driven at once, each by its own client (default 1: one after another); named in the label. */
    clients?: number;
  },
): Side {
  let engine: Engine | undefined;
  let offset = 0;
  const clients = options.clients ?? 1;
  return {
    label: clients > 1 ? `${options.label}, ${clients} clients` : options.label,
    count: options.count,
    warmup: options.warmup,
    async prepare() {
      await engine?.store.close();
      engine = createEngine(options.store ? { store: await options.store() } : {});
      await engine.deploy(scenario.xml);
    },
    async run(count) {
      const work = await runInstances(engine!, scenario, count, offset, clients);
      offset += count;
      return work;
    },
    async finish() {
      // A store left open (a MongoDB connection) would keep the process from exiting.
      await engine?.store.close();
      engine = undefined;
    },
  };
}
