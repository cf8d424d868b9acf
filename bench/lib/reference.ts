/**
 * Drives bpmn-engine (the reference) on the same structure: the model is parsed and serialised
 * once (its documented `sourceContext` path, so it too compiles once and runs many), each instance
 * is a new Engine over that context, and every user task is signalled from the execution listener
 * as soon as it waits — no timers, no I/O, everything in-process. A model's other waits are
 * answered in-process too (see reference-waits.ts), as OneThing's drive answers them.
 */
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import { BpmnModdle } from 'bpmn-moddle';
import serializer, { TypeResolver } from 'moddle-context-serializer';
import type { Side, Work } from './harness.js';
import type { Variables } from '../../engine/src/index.js';
import { completion, didWork, type Scenario } from './onething.js';
import {
  answerServiceTasks,
  catchTimersAtOnce,
  gatewayRaces,
  otherWaitsOf,
  type OtherWaits,
} from './reference-waits.js';

type SourceContext = ReturnType<typeof serializer>;

export async function referenceContext(xml: string): Promise<SourceContext> {
  const moddleContext = await new BpmnModdle().fromXML(xml);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bpmn-moddle 10's context type differs nominally from the serializer's
  return serializer(moddleContext as any, TypeResolver(Elements as any));
}

/** What one instance signalled: user tasks, and other waits answered (see OtherWaits). */
export interface Signalled {
  tasks: number;
  otherWaits: number;
}

/** One instance, start to end. */
async function runOne(
  sourceContext: SourceContext,
  variables: Record<string, unknown>,
  complete: (elementId: string) => Record<string, unknown>,
  other: OtherWaits,
): Promise<Signalled> {
  const signalled: Signalled = { tasks: 0, otherWaits: 0 };
  const answered = () => signalled.otherWaits++;
  const races = gatewayRaces(other, answered);
  const engine = new Engine({
    name: 'reference',
    sourceContext,
    ...(other.services
      ? {
          settings: { enableDummyService: true },
          extensions: { answerServiceTasks: answerServiceTasks(answered) },
        }
      : {}),
    ...(other.catchTimers ? { timers: catchTimersAtOnce() } : {}),
  });
  const listener = new EventEmitter();
  listener.on('activity.wait', (api) => {
    if (api.type === 'bpmn:UserTask') {
      signalled.tasks++;
      return api.signal(complete(api.id));
    }
    // api.type names a catch event's definition (bpmn:MessageEventDefinition); its owner, the event.
    switch (api.owner?.type) {
      // A receive task or message catch gets its message, as OneThing's drive correlates one.
      // Boundary events (bpmn:BoundaryEvent) stay waiting beside their activity.
      case 'bpmn:ReceiveTask':
      case 'bpmn:IntermediateCatchEvent':
        if (races.join(api)) return;
        answered();
        return api.signal();
      // bpmn-engine waits at a manual task; OneThing passes through it: signalled, not counted.
      case 'bpmn:ManualTask':
        return api.signal();
    }
  });
  // Counted when the timer fires: one already due (PT0S, a past date) fires without being set, and
  // an event-based gateway's other timers never fire.
  if (other.catchTimers)
    listener.on('activity.timeout', (api) => {
      if (api.owner?.type === 'bpmn:IntermediateCatchEvent') answered();
    });
  const ended = engine.waitFor('end');
  await engine.execute({ listener, variables });
  await ended;
  return signalled;
}

/** One instance of the scenario's reference model with `variables`: what it signalled. */
export async function referenceOnce(scenario: Scenario, variables: Variables): Promise<Signalled> {
  const xml = scenario.referenceXml;
  return runOne(await referenceContext(xml), variables, scenario.complete ?? completion, otherWaitsOf(xml));
}

export function referenceSide(scenario: Scenario, options: { count: number; warmup: number }): Side {
  let context: SourceContext | undefined;
  let other: OtherWaits | undefined;
  let offset = 0;
  return {
    label: 'bpmn-engine 25, in-process signals',
    count: options.count,
    warmup: options.warmup,
    async prepare() {
      context ??= await referenceContext(scenario.referenceXml);
      other ??= otherWaitsOf(scenario.referenceXml);
    },
    async run(count): Promise<Work> {
      let tasks = 0;
      for (let i = 0; i < count; i++) {
        const variant = scenario.variants[(offset + i) % scenario.variants.length]!;
        const variables = variant.referenceVariables ?? variant.variables;
        const signalled = await runOne(context!, variables, scenario.complete ?? completion, other!);
        if (!didWork(signalled, variant))
          throw new Error(
            `bpmn-engine: ${signalled.tasks} tasks and ${signalled.otherWaits} other waits signalled, ` +
              `expected ${variant.tasks} and ${variant.otherWaits ?? 'any'}`,
          );
        tasks += signalled.tasks;
      }
      offset += count;
      return { ops: count, tasks };
    },
  };
}
