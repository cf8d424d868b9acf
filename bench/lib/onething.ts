/**
 * Drives OneThing the way a client does: start an instance, take the open tasks from the returned
 * view, complete them one by one (each completion returns the next view), until none is left.
 */
import { createEngine, type Engine, type Store, type Task, type Variables } from '../../engine/src/index.js';
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
}

/** What a clerk or department sends when completing a task: a decision and a note. */
export function completion(task: Pick<Task, 'elementId'>): Variables {
  return { [`${task.elementId}Decision`]: 'approved', [`${task.elementId}Note`]: 'ok' };
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
    let view = await engine.start(scenario.processId, {
      variables: variant.variables,
      businessKey: `app-${offset + i}`,
    });
    let done = 0;
    while (view.openTasks.length > 0) {
      const task = view.openTasks[0]!;
      view = await engine.completeTask(task.id, { variables: completion(task) });
      done++;
    }
    if (view.status !== 'completed' || done !== variant.tasks) {
      throw new Error(
        `OneThing: instance ended ${view.status} after ${done} tasks, expected completed after ${variant.tasks}`,
      );
    }
    tasks += done;
  }
  return { ops: count, tasks };
}

/** Our side of an engine case. Each batch gets a fresh engine (and store) with the model deployed. */
export function oneThingSide(
  scenario: Scenario,
  options: {
    label: string;
    count: number;
    warmup: number;
    store?: () => Promise<Store> | Store;
    close?: boolean;
  },
): Side {
  let engine: Engine | undefined;
  let offset = 0;
  return {
    label: options.label,
    count: options.count,
    warmup: options.warmup,
    async prepare() {
      if (engine && options.close) await engine.store.close();
      engine = createEngine(options.store ? { store: await options.store() } : {});
      await engine.deploy(scenario.xml);
    },
    async run(count) {
      const work = await runInstances(engine!, scenario, count, offset);
      offset += count;
      return work;
    },
  };
}
