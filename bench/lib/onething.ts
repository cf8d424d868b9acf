/**
 * Drives OneThing the way a client does: start an instance, take the open tasks from the returned
 * view, complete them one by one (each completion returns the next view), until none is left.
 */
import { createEngine, type Engine, type Store, type Variables } from '../../engine/src/index.js';
import type { Side, Work } from './harness.js';

export interface Variant {
  /** Start variables for OneThing. */
  variables: Variables;
  /** Start variables for bpmn-engine (its expressions read flags, not FEEL). */
  referenceVariables?: Variables;
  /** User tasks one instance of this variant completes, on both engines. */
  tasks: number;
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

/** One instance, start to end; returns its final status, variables and the user tasks completed. */
export async function runInstance(
  engine: Engine,
  scenario: Scenario,
  variables: Variables,
  businessKey: string,
): Promise<{ status: string; variables: Variables; tasks: number }> {
  const complete = scenario.complete ?? completion;
  let view = await engine.start(scenario.processId, { variables, businessKey });
  let tasks = 0;
  while (view.openTasks.length > 0) {
    const task = view.openTasks[0]!;
    view = await engine.completeTask(task.id, { variables: complete(task.elementId) });
    tasks++;
  }
  return { status: view.status, variables: view.variables, tasks };
}

/** Runs `count` instances to completion on `engine`; checks each did the expected work. */
export async function runInstances(
  engine: Engine,
  scenario: Scenario,
  count: number,
  offset = 0,
): Promise<Work> {
  let tasks = 0;
  for (let i = 0; i < count; i++) {
    const variant = scenario.variants[(offset + i) % scenario.variants.length]!;
    const done = await runInstance(engine, scenario, variant.variables, `app-${offset + i}`);
    if (done.status !== 'completed' || done.tasks !== variant.tasks) {
      throw new Error(
        `OneThing ${scenario.processId}: instance ended ${done.status} after ${done.tasks} tasks, expected completed after ${variant.tasks}`,
      );
    }
    tasks += done.tasks;
  }
  return { ops: count, tasks };
}

/**
 * Our side of an engine case. Each batch gets a fresh engine with the model deployed, on a fresh
 * store from `store` (default: a new MemoryStore); the previous batch's store is closed.
 */
export function oneThingSide(
  scenario: Scenario,
  options: { label: string; count: number; warmup: number; store?: () => Promise<Store> | Store },
): Side {
  let engine: Engine | undefined;
  let offset = 0;
  return {
    label: options.label,
    count: options.count,
    warmup: options.warmup,
    async prepare() {
      await engine?.store.close();
      engine = createEngine(options.store ? { store: await options.store() } : {});
      await engine.deploy(scenario.xml);
    },
    async run(count) {
      const work = await runInstances(engine!, scenario, count, offset);
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
