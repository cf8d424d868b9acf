/**
 * What bpmn-engine's drive (reference.ts) needs for waits other than user tasks, so that it
 * answers the same waits as OneThing's drive (onething.ts answerOtherWait): which ones a model
 * has (found once from its XML: a user-task model runs bpmn-engine exactly as before), a service
 * that answers service tasks, timers that fire catch events at once, and an event-based
 * gateway's race.
 */
import * as Elements from 'bpmn-elements';

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
   * The events and receive tasks an event-based gateway leads to, with the gateway's id: answered
   * only once the gateway has opened all of them (answered during its fan-out, bpmn-engine did not
   * discard the others).
   */
  raced: ReadonlyMap<string, string>;
}

const tag = (name: string) => `<(?:[\\w-]+:)?${name}\\b`;
const SERVICE_LIKE = new RegExp(tag('(?:serviceTask|sendTask|businessRuleTask)'));
const CATCH_TIMER = new RegExp(
  `${tag('intermediateCatchEvent')}[^>]*?(?<!/)>(?:(?!</(?:[\\w-]+:)?intermediateCatchEvent\\s*>)[\\s\\S])*?timerEventDefinition`,
);

/** The model without its XML comments: an element commented out is not in the model. */
export const withoutComments = (xml: string) => xml.replace(/<!--[\s\S]*?-->/g, '');

export function otherWaitsOf(xml: string): OtherWaits {
  const model = withoutComments(xml);
  return {
    services: SERVICE_LIKE.test(model),
    catchTimers: CATCH_TIMER.test(model),
    raced: gatewayTargets(model),
  };
}

/** An attribute's value in an element's attribute text, in double or single quotes. */
export function attribute(attrs: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The targets of the flows that leave an event-based gateway, each with its gateway. */
function gatewayTargets(model: string): Map<string, string> {
  const gateways = new Set<string>();
  for (const m of model.matchAll(new RegExp(`${tag('eventBasedGateway')}([^>]*)>`, 'g'))) {
    const id = attribute(m[1]!, 'id');
    if (id) gateways.add(id);
  }
  const targets = new Map<string, string>();
  if (!gateways.size) return targets;
  for (const m of model.matchAll(new RegExp(`${tag('sequenceFlow')}([^>]*)>`, 'g'))) {
    const source = attribute(m[1]!, 'sourceRef');
    const target = attribute(m[1]!, 'targetRef');
    if (source && target && gateways.has(source)) targets.set(target, source);
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
export function catchTimersAtOnce(): Elements.Timers {
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

/** A wait bpmn-engine's listener was given: its signal, the activity and the run it belongs to. */
interface Waiting {
  id: string;
  signal: () => void;
  owner?: { isRunning?: boolean };
  content?: { parent?: { executionId?: string } };
}

/**
 * The waits of each event-based gateway that is opening its branches. The first to wait is
 * answered once the fan-out is over: bpmn-elements runs synchronously, so a microtask comes after
 * it and before any timer's turn. A race is the gateway in one run of its parent (each iteration
 * of a multi-instance sub-process has its own). `join` says whether it took the wait.
 */
export function gatewayRaces(other: OtherWaits, answered: () => void): { join: (api: Waiting) => boolean } {
  const races = new Map<string, Waiting[]>();
  const answer = (gateway: string) => {
    const first = races.get(gateway)![0]!;
    races.delete(gateway);
    // A timer already due (PT0S) may have won the race during the fan-out and discarded it.
    if (first.owner?.isRunning === false) return;
    answered();
    first.signal();
  };
  return {
    join(api) {
      const element = other.raced.get(api.id);
      if (element === undefined) return false;
      const gateway = `${element} ${api.content?.parent?.executionId}`;
      const race = races.get(gateway);
      if (race) race.push(api);
      else {
        races.set(gateway, [api]);
        queueMicrotask(() => answer(gateway));
      }
      return true;
    },
  };
}

/**
 * A bpmn-elements extension that gives each service task a service that answers at once and
 * counts the call (each multi-instance iteration calls it again); any implementation the model
 * names is replaced, as OneThing makes a job of every service task.
 */
export function answerServiceTasks(answered: () => void) {
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
