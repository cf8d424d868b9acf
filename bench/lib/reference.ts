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
  /**
   * Service, send and business-rule tasks: bpmn-engine runs all three as service calls and needs
   * a service for each. A service task's call (one per multi-instance iteration) is answered at
   * once and counted, as OneThing's drive completes its job; the other two pass through, as they
   * do on OneThing (its send task publishes a message, its business-rule task evaluates FEEL).
   */
  services: boolean;
  /** Intermediate timer catch events: fired at once instead of after their duration, and counted. */
  catchTimers: boolean;
  /**
   * The events and receive tasks an event-based gateway leads to: answered only once the gateway
   * has opened all of them (answered during its fan-out, bpmn-engine did not discard the others).
   */
  raced: ReadonlySet<string>;
}

const tag = (name: string) => `<(?:[\\w-]+:)?${name}\\b`;
const SERVICE_LIKE = new RegExp(tag('(?:serviceTask|sendTask|businessRuleTask)'));
const CATCH_TIMER = new RegExp(
  `${tag('intermediateCatchEvent')}[^>]*?(?<!/)>(?:(?!</(?:[\\w-]+:)?intermediateCatchEvent\\s*>)[\\s\\S])*?timerEventDefinition`,
);

export function otherWaitsOf(xml: string): OtherWaits {
  const model = xml.replace(/<!--[\s\S]*?-->/g, '');
  return {
    services: SERVICE_LIKE.test(model),
    catchTimers: CATCH_TIMER.test(model),
    raced: gatewayTargets(model),
  };
}

const attribute = (attrs: string, name: string) =>
  new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`).exec(attrs)?.[1];

/** The targets of the flows that leave an event-based gateway. */
function gatewayTargets(model: string): Set<string> {
  const gateways = new Set<string>();
  for (const m of model.matchAll(new RegExp(`${tag('eventBasedGateway')}([^>]*)>`, 'g'))) {
    const id = attribute(m[1]!, 'id');
    if (id) gateways.add(id);
  }
  const targets = new Set<string>();
  if (!gateways.size) return targets;
  for (const m of model.matchAll(new RegExp(`${tag('sequenceFlow')}([^>]*)>`, 'g'))) {
    const source = attribute(m[1]!, 'sourceRef');
    const target = attribute(m[1]!, 'targetRef');
    if (source && target && gateways.has(source)) targets.add(target);
  }
  return targets;
}

/** A catch event's timer, waiting for its turn (see catchTimersAtOnce). */
interface Pending {
  delay: number;
  fire: () => void;
}

/**
 * bpmn-engine's timers, except that intermediate catch events' timers fire at once, one per turn
 * of the event loop and the shortest first, as OneThing's drive runs the due timers in due order
 * when nothing else waits (an event-based gateway with two timers takes the earlier on both).
 * Boundary timers keep their real duration: the activity they sit on ends first, on both engines.
 */
function catchTimersAtOnce(): Elements.Timers {
  const pending = new Set<Pending>();
  let turn: NodeJS.Immediate | undefined;
  const fireShortest = () => {
    turn = undefined;
    let next: Pending | undefined;
    for (const p of pending) if (!next || p.delay < next.delay) next = p;
    if (!next) return;
    pending.delete(next);
    if (pending.size) turn = setImmediate(fireShortest);
    next.fire();
  };
  const timers = new Elements.Timers({
    setTimeout,
    clearTimeout: (ref: unknown) =>
      pending.has(ref as Pending) ? pending.delete(ref as Pending) : clearTimeout(ref as NodeJS.Timeout),
  });
  const register = timers.register.bind(timers);
  // The owner is the timer's content; its parent is the event it belongs to.
  timers.register = (owner: { parent?: { type?: string } }) => {
    if (owner?.parent?.type !== 'bpmn:IntermediateCatchEvent') return register(owner);
    return {
      setTimeout: (callback: (...args: unknown[]) => void, delay: number, ...args: unknown[]): Pending => {
        const p: Pending = { delay, fire: () => callback(...args) };
        pending.add(p);
        turn ??= setImmediate(fireShortest);
        return p;
      },
      clearTimeout: (ref: Pending) => pending.delete(ref),
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
  // An event-based gateway's waiting branches, answered (the first) once its fan-out is over:
  // bpmn-elements runs synchronously, so a microtask comes after it and before any timer's turn.
  let race: { signal: () => void; owner?: { isRunning?: boolean } }[] | undefined;
  const answerRace = () => {
    const first = race![0]!;
    race = undefined;
    // A timer already due (PT0S) may have won the race during the fan-out and discarded it.
    if (first.owner?.isRunning === false) return;
    answered();
    first.signal();
  };
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
        if (other.raced.has(api.id)) {
          if (!race) queueMicrotask(answerRace);
          (race ??= []).push(api);
          return;
        }
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

/**
 * A bpmn-elements extension that gives each service task a service that answers at once and
 * counts the call (each multi-instance iteration calls it again); any implementation the model
 * names is replaced, as OneThing makes a job of every service task.
 */
function answerServiceTasks(answered: () => void) {
  class AnsweredService {
    execute(_message: unknown, callback: (err: null) => void): void {
      answered();
      callback(null);
    }
  }
  // bpmn-elements keeps only the extensions that return something; its typings require an object.
  return ((activity: { type: string; behaviour: object }) => {
    const behaviour = activity.behaviour as { Service?: unknown };
    if (activity.type === 'bpmn:ServiceTask') behaviour.Service = AnsweredService;
  }) as never;
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
