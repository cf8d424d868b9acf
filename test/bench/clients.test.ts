/**
 * bench/lib/onething.ts runInstances with several clients: every instance run once, to its end,
 * with the clients' instances under way at the same time (what lets SQLite group their commits).
 */
import { createEngine } from '../../engine/src/index.js';
import { MemoryStore } from '../../engine/src/store/memory.js';
import { fanout } from '../../bench/cases/engine.js';
import { runInstances } from '../../bench/lib/onething.js';
import {
  chain,
  endEvent,
  message,
  model,
  startEvent,
  timer,
  userTask,
} from '../../engine/src/testing/bpmn.js';

const PAID = '<bpmn:messageEventDefinition messageRef="m"/>';

it('runs each instance once with four clients at once, and counts their user tasks', async () => {
  const store = new MemoryStore();
  const engine = createEngine({ store });
  await engine.deploy(fanout.xml);
  let open = 0;
  let most = 0;
  const start = engine.start.bind(engine);
  engine.start = async (...args) => {
    most = Math.max(most, ++open);
    return start(...args);
  };
  const complete = engine.completeTask.bind(engine);
  engine.completeTask = async (...args) => {
    const view = await complete(...args);
    if (view.status !== 'active') open--;
    return view;
  };

  const work = await runInstances(engine, fanout, 10, 100, 4);

  expect(work).toEqual({ ops: 10, tasks: 10 * fanout.variants[0]!.tasks });
  const instances = await store.listInstances({ processId: fanout.processId }, { limit: 100 });
  expect(instances.map((i) => i.status)).toEqual(Array(10).fill('completed'));
  expect(new Set(instances.map((i) => i.businessKey)).size).toBe(10);
  expect(most).toBe(4);
});

it('answers each instance’s own message and timer waits with sixteen clients at once', async () => {
  // Every instance waits for the same message name and key, beside a boundary for it, then a timer.
  const xml = model(
    'waits',
    `${startEvent()}${userTask('accept')}
    <bpmn:boundaryEvent id="withdrawn" attachedToRef="payment">${PAID}</bpmn:boundaryEvent>
    <bpmn:receiveTask id="payment" messageRef="m"/>
    <bpmn:intermediateCatchEvent id="cooling">${timer('timeDuration', 'PT1H')}</bpmn:intermediateCatchEvent>
    ${userTask('deliver')}${endEvent()}${endEvent('gone')}
    ${chain('start', 'accept', 'payment', 'cooling', 'deliver', 'end')}${chain('withdrawn', 'gone')}`,
    message('m', 'paid', '= "same for all"'),
  );
  const engine = createEngine({ store: new MemoryStore() });
  await engine.deploy(xml);
  const scenario = {
    processId: 'waits',
    xml,
    referenceXml: xml,
    variants: [{ variables: {}, tasks: 2, otherWaits: 2 }],
  };

  expect(await runInstances(engine, scenario, 48, 0, 16)).toEqual({ ops: 48, tasks: 96 });
  const instances = await engine.store.listInstances({ processId: 'waits' }, { limit: 100 });
  expect(instances.map((i) => i.status)).toEqual(Array(48).fill('completed'));
});
