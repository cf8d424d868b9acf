/**
 * Drives bpmn-engine (the reference) on the same structure: the model is parsed and serialised
 * once (its documented `sourceContext` path, so it too compiles once and runs many), each instance
 * is a new Engine over that context, and every user task is signalled from the execution listener
 * as soon as it waits — no timers, no I/O, everything in-process. A model's other waits are
 * answered in-process too (receive tasks and message catches signalled, service tasks by the
 * dummy service, intermediate timer catches fired at once), as OneThing's drive answers them.
 */
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import { BpmnModdle } from 'bpmn-moddle';
import serializer, { TypeResolver } from 'moddle-context-serializer';
import type { Side, Work } from './harness.js';
import type { Variables } from '../../engine/src/index.js';
import { completion, didWork, type Scenario } from './onething.js';

type SourceContext = ReturnType<typeof serializer>;

export async function referenceContext(xml: string): Promise<SourceContext> {
  const moddleContext = await new BpmnModdle().fromXML(xml);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bpmn-moddle 10's context type differs nominally from the serializer's
  return serializer(moddleContext as any, TypeResolver(Elements as any));
}

/**
 * What a model needs beyond user tasks, found once from its XML, so the user-task cases run
 * bpmn-engine exactly as before (no extra listener, no replaced timers).
 */
export interface OtherWaits {
  /** Service tasks: answered at once by bpmn-engine's own dummy service, and counted. */
  services: boolean;
  /** Intermediate timer catch events: fired on the next turn instead of after their duration. */
  catchTimers: boolean;
}

export function otherWaitsOf(xml: string): OtherWaits {
  return {
    services: /<(?:[\w-]+:)?serviceTask\b/.test(xml),
    catchTimers:
      /<(?:[\w-]+:)?intermediateCatchEvent\b(?:(?!<\/(?:[\w-]+:)?intermediateCatchEvent>)[\s\S])*?timerEventDefinition/.test(
        xml,
      ),
  };
}

/** What a pending immediate is wrapped in, so clearTimeout can tell it from a timeout. */
interface Soon {
  immediate: NodeJS.Immediate;
}

/**
 * bpmn-engine's timers, except that an intermediate catch event's timer fires on the next turn of
 * the event loop, as OneThing's drive runs the due timers when nothing else waits; boundary timers
 * keep their real duration (the activity they sit on ends first, on both engines).
 */
function catchTimersAtOnce(fired: () => void): Elements.Timers {
  const timers = new Elements.Timers({
    setTimeout,
    clearTimeout: (ref: unknown) =>
      ref && typeof ref === 'object' && 'immediate' in ref
        ? clearImmediate((ref as Soon).immediate)
        : clearTimeout(ref as NodeJS.Timeout),
  });
  const register = timers.register.bind(timers);
  // The owner is the timer's content; its parent is the event it belongs to.
  timers.register = (owner: { parent?: { type?: string } }) => {
    if (owner?.parent?.type !== 'bpmn:IntermediateCatchEvent') return register(owner);
    return {
      setTimeout: (callback: (...args: unknown[]) => void, _delay: number, ...args: unknown[]): Soon => ({
        immediate: setImmediate(() => (fired(), callback(...args))),
      }),
      clearTimeout: (ref: Soon) => clearImmediate(ref.immediate),
    } as unknown as ReturnType<Elements.Timers['register']>;
  };
  return timers;
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
  const engine = new Engine({
    name: 'reference',
    sourceContext,
    ...(other.services ? { settings: { enableDummyService: true } } : {}),
    ...(other.catchTimers ? { timers: catchTimersAtOnce(answered) } : {}),
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
        answered();
        return api.signal();
      // bpmn-engine waits at a manual task; OneThing passes through it: signalled, not counted.
      case 'bpmn:ManualTask':
        return api.signal();
    }
  });
  if (other.services)
    listener.on('activity.end', (api) => {
      if (api.type === 'bpmn:ServiceTask') answered();
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
