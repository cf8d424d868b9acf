/**
 * Follow-ups survive a crash, on every store: what a step asks of other instances (start the
 * called child, tell the parent it ended or escalated, publish a message) is kept in the outbox
 * until it has run. A "crash" here is a store that fails the engine right after a write:
 * - after the commit (or, without commit, the projection): the follow-up has not run; recover()
 *   by a new engine runs it;
 * - in clearOutbox: the follow-up has run but is still pending; recover() runs it again, and the
 *   receivers' remembered deliveries make the second run change nothing.
 */
import { createEngine, type Engine } from '../../engine/src/index.js';
import type { Effect } from '../../engine/src/runtime/state.js';
import type { Store } from '../../engine/src/store/port.js';
import {
  definitions,
  endEvent,
  chain,
  message,
  process,
  startEvent,
  userTask,
} from '../../engine/src/testing/bpmn.js';
import { CALL_AND_MESSAGE } from './processes.js';
import { ALL, dropStore, type StoreFactory } from './stores.js';

class Crash extends Error {}

type Point = 'afterWrite' | 'inClear';

/**
 * The store, failing once at `point` for the first write whose effects match: the write itself
 * goes through, the engine sees an error (as if the process died right there).
 */
function crashing(store: Store, point: Point, match: (effects: readonly Effect[]) => boolean): Store {
  let armed = true;
  const saved = new Map<string, readonly Effect[]>(); // the last outbox saved per instance
  const fire = (effects: readonly Effect[]) => {
    if (armed && match(effects)) {
      armed = false;
      throw new Crash(`crash ${point}`);
    }
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      if (prop === 'commit' && point === 'afterWrite')
        return async (record: { outbox: Effect[] }, rev: number | null) => {
          await fn.call(target, record, rev);
          fire(record.outbox);
        };
      if (prop === 'project' && point === 'afterWrite' && !target.commit)
        return async (id: string, effects: Effect[]) => {
          await fn.call(target, id, effects);
          fire(effects);
        };
      if (prop === 'commit' || prop === 'createInstance' || prop === 'saveInstance')
        return async (record: { id: string; outbox: Effect[] }, rev: number | null) => {
          saved.set(record.id, record.outbox);
          return fn.call(target, record, rev);
        };
      if (prop === 'clearOutbox' && point === 'inClear')
        return async (id: string, rev: number) => {
          fire(saved.get(id) ?? []);
          return fn.call(target, id, rev);
        };
      return fn.bind(target);
    },
  });
}

const has = (type: Effect['type']) => (effects: readonly Effect[]) => effects.some((e) => e.type === type);

/** A sender whose message `ping` a receiver catches in a loop (so a second delivery would be caught again). */
const PING = definitions(
  process(
    'sender',
    `${startEvent('s')}
    <bpmn:intermediateThrowEvent id="send"><bpmn:messageEventDefinition messageRef="M_ping"/></bpmn:intermediateThrowEvent>
    ${endEvent('e')}${chain('s', 'send', 'e')}`,
  ) +
    process(
      'receiver',
      `${startEvent('r')}<bpmn:exclusiveGateway id="again"/>
    <bpmn:intermediateCatchEvent id="got"><bpmn:messageEventDefinition messageRef="M_ping"/></bpmn:intermediateCatchEvent>
    ${chain('r', 'again', 'got', 'again')}`,
    ),
  message('M_ping', 'ping'),
);

/** A message nobody waits for starts `audit` (message start event). */
const AUDIT = definitions(
  process(
    'auditor',
    `${startEvent('s')}
    <bpmn:intermediateThrowEvent id="send"><bpmn:messageEventDefinition messageRef="M_audit"/></bpmn:intermediateThrowEvent>
    ${endEvent('e')}${chain('s', 'send', 'e')}`,
  ) +
    process(
      'audit',
      `<bpmn:startEvent id="onAudit"><bpmn:messageEventDefinition messageRef="M_audit"/></bpmn:startEvent>
    ${userTask('look')}${endEvent('done')}${chain('onAudit', 'look', 'done')}`,
    ),
  message('M_audit', 'audit.requested'),
);

/** A child that escalates; the parent reacts on a non-interrupting boundary (a second escalation would open a second task). */
const ESCALATE = definitions(
  process(
    'slow-child',
    `${startEvent('cs')}
    <bpmn:intermediateThrowEvent id="shout"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:intermediateThrowEvent>
    ${userTask('work')}${endEvent('ce')}${chain('cs', 'shout', 'work', 'ce')}`,
  ) +
    process(
      'watcher',
      `${startEvent('start')}<bpmn:callActivity id="call" calledElement="slow-child"/>
    <bpmn:boundaryEvent id="heard" attachedToRef="call" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:boundaryEvent>
    ${userTask('react')}${endEvent('end')}${endEvent('endReact')}
    ${chain('start', 'call', 'end')}${chain('heard', 'react', 'endReact')}`,
    ),
  '<bpmn:escalation id="X" escalationCode="SLOW"/>',
);

describe.each(ALL)('follow-ups survive a crash on $kind', (factory: StoreFactory) => {
  let store: Store;
  let engine: Engine;
  beforeEach(async () => {
    store = await factory.open(factory.location(`follow-ups-${factory.kind}`));
    engine = createEngine({ store });
  });
  afterEach(async () => {
    await dropStore(store);
    await store.close();
  });
  afterAll(() => factory.cleanup());

  /** An engine on the same store that crashes once as told. */
  const crashy = (point: Point, type: Effect['type']) =>
    createEngine({ store: crashing(store, point, has(type)) });

  const openTasks = async (instanceId: string) =>
    (await store.findTasks({ instanceId, state: 'open' })).map((t) => t.elementId);

  test('a crash before the follow-ups: recover starts the called child and brings its message and end to the parent', async () => {
    await engine.deploy(CALL_AND_MESSAGE);
    const parent = await engine.start('crash-parent', { businessKey: 'k1' });
    const [accept] = await engine.tasks({ instanceId: parent.id, state: 'open' });

    await expect(crashy('afterWrite', 'call.started').completeTask(accept!.id)).rejects.toThrow(Crash);
    expect((await engine.instance(parent.id)).status).toBe('active');
    expect(await store.listInstances({ processId: 'crash-child' })).toEqual([]); // the crash window
    expect(await engine.recover()).toBeGreaterThan(0);
    const [child] = await store.listInstances({ processId: 'crash-child' });
    expect(child?.parentInstanceId).toBe(parent.id);
    expect(await openTasks(child!.id)).toEqual(['check']);

    const [check] = await engine.tasks({ instanceId: child!.id, state: 'open' });
    await expect(crashy('afterWrite', 'message.published').completeTask(check!.id)).rejects.toThrow(Crash);
    expect((await engine.instance(child!.id)).status).toBe('completed');
    expect(await openTasks(parent.id)).toEqual([]); // the parent still waits for both
    await engine.recover();
    expect(await openTasks(parent.id)).toEqual(['decide']);
    expect(await store.pendingOutboxes(10)).toEqual([]);

    const [decide] = await engine.tasks({ instanceId: parent.id, state: 'open' });
    expect((await engine.completeTask(decide!.id)).status).toBe('completed');
  });

  test('a message follow-up run again after a crash is caught once by a receiver that subscribes again', async () => {
    await engine.deploy(PING);
    const receiver = await engine.start('receiver', { businessKey: 'k1' });
    await expect(
      crashy('inClear', 'message.published').start('sender', { businessKey: 'k1' }),
    ).rejects.toThrow(Crash);
    const caught = async () =>
      (await store.history(receiver.id)).filter(
        (h) => h.elementId === 'got' && h.type === 'element.completed',
      ).length;
    expect(await caught()).toBe(1); // delivered before the crash
    expect(await engine.recover()).toBe(1); // the follow-up is still pending: run again
    expect(await caught()).toBe(1);
    expect(await store.pendingOutboxes(10)).toEqual([]);
    await engine.correlate('ping', { correlationKey: 'k1' }); // a new message is caught
    expect(await caught()).toBe(2);
  });

  test('a message that starts a process, run again after a crash, starts it once', async () => {
    await engine.deploy(AUDIT);
    await expect(
      crashy('inClear', 'message.published').start('auditor', { businessKey: 'k1' }),
    ).rejects.toThrow(Crash);
    expect(await store.listInstances({ processId: 'audit' })).toHaveLength(1);
    await engine.recover();
    await engine.recover();
    const started = await store.listInstances({ processId: 'audit' });
    expect(started).toHaveLength(1);
    expect(started[0]!.businessKey).toBe('k1');
  });

  test('an escalation run again after a crash reaches the parent once', async () => {
    await engine.deploy(ESCALATE);
    const parent = await crashy('inClear', 'escalation.raised')
      .start('watcher', {})
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(parent).toBeInstanceOf(Crash);
    const [watcher] = await store.listInstances({ processId: 'watcher' });
    expect(await openTasks(watcher!.id)).toEqual(['react']);
    await engine.recover();
    expect(await openTasks(watcher!.id)).toEqual(['react']);
    expect(await store.pendingOutboxes(10)).toEqual([]);
  });
});
