/**
 * step() shares the records of its input that a step does not change (copy-on-write), so these
 * tests hold it to never changing its input: every input is deep-frozen (a write throws) and
 * compared before and after, over models that reach every kind of wait and the paths that change
 * tokens in place (joins, event-based gateways, incidents, multi-instance, cancelling), and for
 * commands that fail half-way.
 */
import { parseAndCompile } from '../model/index.js';
import type { Plan } from '../model/plan.js';
import * as bpmn from '../testing/bpmn.js';
import { openIncidents } from './incident.js';
import {
  type Command,
  type InstanceState,
  type Scope,
  type Token,
  copyScope,
  copyToken,
  waitKey,
  workingCopy,
} from './state.js';
import { CommandError, step } from './step.js';

const T0 = 1_000_000;

async function compile(xml: string): Promise<Plan> {
  const { plans, problems } = await parseAndCompile(xml);
  expect(problems).toEqual([]);
  return plans.find((p) => p.processId.startsWith('p_'))!;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** One step on a frozen input that must come out unchanged; a CommandError is returned, not thrown. */
function pureStep(plan: Plan, state: InstanceState, command: Command, now: number) {
  const before = JSON.stringify(state);
  try {
    return step(plan, deepFreeze(state), command, now);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    return err;
  } finally {
    expect(JSON.stringify(state)).toBe(before);
  }
}

/** The command that moves an instance on at its first open wait (or resolves its first incident). */
function nextCommand(s: InstanceState, i: number): Command | null {
  if (openIncidents(s).length) return { type: 'resolveIncident', variables: { ok: true } };
  const wait = Object.values(s.waits)[0];
  if (!wait) return null;
  switch (wait.kind) {
    case 'task':
      return { type: 'completeTask', waitId: wait.id, variables: { [`v${i}`]: i, ok: i % 3 !== 1 } };
    case 'job':
      // Some attempts fail (an incident, resolved by the next command), some throw a BPMN error.
      if (i % 4 === 0) return { type: 'failJob', waitId: wait.id, message: 'down' };
      if (i % 4 === 3) return { type: 'throwError', waitId: wait.id, errorCode: 'REJECTED' };
      return { type: 'completeJob', waitId: wait.id, variables: { looked: i } };
    case 'timer':
      return { type: 'fireTimer', waitId: wait.id };
    case 'message':
      return { type: 'deliverMessage', waitId: wait.id, variables: { paid: true } };
    case 'call':
      return { type: 'childEnded', waitId: wait.id, status: 'completed', variables: { child: 1 } };
  }
}

/** Drives an instance to its end (or `limit` commands), each step on a frozen input. */
function drive(plan: Plan, options: { cancelAt?: number; offset?: number } = {}): InstanceState {
  const started = step(
    plan,
    null,
    {
      type: 'start',
      instanceId: 'i',
      processId: plan.processId,
      deploymentId: 'd',
      version: 1,
      variables: { items: ['a', 'b', 'c'], ok: true },
    },
    T0,
  );
  let state = started.state;
  const offset = options.offset ?? 0;
  for (let i = offset; i < offset + 60 && (state.status === 'active' || state.status === 'incident'); i++) {
    const now = T0 + i * 3_600_000;
    // A command that fails leaves its input as it was, whatever it did before failing.
    const failed = pureStep(plan, state, { type: 'completeTask', waitId: 'no-such-task' }, now);
    expect(failed).toBeInstanceOf(CommandError);
    const command: Command | null = i === options.cancelAt ? { type: 'cancel' } : nextCommand(state, i);
    if (!command) break;
    const result = pureStep(plan, state, command, now);
    if (result instanceof CommandError) throw result;
    state = result.state;
  }
  return state;
}

const { chain, endEvent, error, message, model, process, serviceTask, startEvent, timer, userTask } = bpmn;

/** Parallel multi-instance over `items`, ended once `completed` instances have completed. */
const parallelUntil = (completed: number) =>
  `<bpmn:multiInstanceLoopCharacteristics isSequential="false" gov:collection="=items" gov:elementVariable="item">
     <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">= numberOfCompletedInstances &gt;= ${completed}</bpmn:completionCondition>
   </bpmn:multiInstanceLoopCharacteristics>`;

const models: Record<string, string> = {
  'parallel fork and join': model(
    'p_par',
    `${startEvent('s')}<bpmn:parallelGateway id="fork"/>${userTask('a')}${userTask('b')}${userTask('c')}
     <bpmn:parallelGateway id="join"/>${endEvent('e')}
     ${chain('s', 'fork')}${chain('fork', 'a', 'join')}${chain('fork', 'b', 'join')}${chain('fork', 'c', 'join')}${chain('join', 'e')}`,
  ),
  'inclusive split and join': model(
    'p_incl',
    `${startEvent('s')}<bpmn:inclusiveGateway id="split" default="toA"/>${userTask('a')}${userTask('b')}
     <bpmn:inclusiveGateway id="join"/>${endEvent('e')}
     <bpmn:sequenceFlow id="toA" sourceRef="split" targetRef="a"/>
     <bpmn:sequenceFlow id="toB" sourceRef="split" targetRef="b"><bpmn:conditionExpression>= ok</bpmn:conditionExpression></bpmn:sequenceFlow>
     ${chain('s', 'split')}${chain('a', 'join')}${chain('b', 'join')}${chain('join', 'e')}`,
  ),
  'event-based gateway': model(
    'p_race',
    `${startEvent('s')}<bpmn:eventBasedGateway id="race"/>
     <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="M_paid"/></bpmn:intermediateCatchEvent>
     <bpmn:intermediateCatchEvent id="late">${timer('timeDuration', 'PT1H')}</bpmn:intermediateCatchEvent>
     ${userTask('after')}${endEvent('e1')}${endEvent('e2')}
     ${chain('s', 'race')}${chain('race', 'paid', 'after', 'e1')}${chain('race', 'late', 'e2')}`,
    message('M_paid', 'paid', '="k"'),
  ),
  'service task with incident, error boundary and cycle timer': model(
    'p_svc',
    `${startEvent('s')}${serviceTask('lookup', 'registry.lookup')}
     <bpmn:boundaryEvent id="rejected" attachedToRef="lookup"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>
     ${userTask('check')}
     <bpmn:boundaryEvent id="remind" attachedToRef="check" cancelActivity="false">${timer('timeCycle', 'R2/PT1H')}</bpmn:boundaryEvent>
     ${userTask('chase')}${endEvent('e')}${endEvent('e2')}${endEvent('e3')}
     ${chain('s', 'lookup', 'check', 'e')}${chain('rejected', 'e2')}${chain('remind', 'chase', 'e3')}`,
    error('E', 'REJECTED'),
  ),
  'multi-instance, parallel then sequential': model(
    'p_mi',
    `${startEvent('s')}
     <bpmn:userTask id="each">${parallelUntil(2)}</bpmn:userTask>
     <bpmn:userTask id="one">
       <bpmn:multiInstanceLoopCharacteristics isSequential="true" gov:collection="=items" gov:elementVariable="item"/>
     </bpmn:userTask>
     ${endEvent('e')}${chain('s', 'each', 'one', 'e')}`,
  ),
  'parallel multi-instance sub-process ended by its completion condition': model(
    'p_mi_sub',
    `${startEvent('s')}
     <bpmn:subProcess id="each">${parallelUntil(1)}
       ${startEvent('es')}${userTask('x')}${endEvent('ee')}${chain('es', 'x', 'ee')}
     </bpmn:subProcess>
     ${userTask('after')}${endEvent('e')}${chain('s', 'each', 'after', 'e')}`,
  ),
  'sub-process with an interrupting timer': model(
    'p_sub',
    `${startEvent('s')}
     <bpmn:subProcess id="sub">${startEvent('ss')}<bpmn:parallelGateway id="f"/>${userTask('x')}${userTask('y')}
       <bpmn:parallelGateway id="j"/>${endEvent('se')}${chain('ss', 'f')}${chain('f', 'x', 'j')}${chain('f', 'y', 'j')}${chain('j', 'se')}</bpmn:subProcess>
     <bpmn:boundaryEvent id="deadline" attachedToRef="sub">${timer('timeDuration', 'PT30M')}</bpmn:boundaryEvent>
     ${userTask('late')}${endEvent('e')}${endEvent('e2')}
     ${chain('s', 'sub', 'e')}${chain('deadline', 'late', 'e2')}`,
  ),
  'terminate end event in one branch': model(
    'p_term',
    `${startEvent('s')}<bpmn:parallelGateway id="fork"/>${userTask('a')}${userTask('b')}
     <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>${endEvent('e')}
     ${chain('s', 'fork')}${chain('fork', 'a', 'stop')}${chain('fork', 'b', 'e')}`,
  ),
  'call activity': model(
    'p_caller',
    `${startEvent('s')}<bpmn:callActivity id="call" calledElement="child"/>${userTask('after')}${endEvent('e')}
     ${chain('s', 'call', 'after', 'e')}`,
    process('child', `${startEvent('cs')}${endEvent('ce')}${chain('cs', 'ce')}`),
  ),
};

/** An instance of the multi-instance model over `items`. */
function startMulti(plan: Plan, items: string[]): InstanceState {
  const command: Command = {
    type: 'start',
    instanceId: 'i',
    processId: 'p_mi',
    deploymentId: 'd',
    version: 1,
    variables: { items },
  };
  return step(plan, null, command, T0).state;
}

describe('step never changes its input', () => {
  for (const [name, xml] of Object.entries(models)) {
    it(`${name}: every step, and every failed command, leaves its frozen input as it was`, async () => {
      const plan = await compile(xml);
      const end = drive(plan);
      expect(['completed', 'terminated']).toContain(end.status);
    });
  }

  it('a job that throws a BPMN error caught by a boundary event leaves its input as it was', async () => {
    const plan = await compile(models['service task with incident, error boundary and cycle timer']!);
    expect(drive(plan, { offset: 3 }).status).toBe('completed');
  });

  it('cancelling an instance with tokens in several places leaves its input as it was', async () => {
    const plan = await compile(models['sub-process with an interrupting timer']!);
    expect(drive(plan, { cancelAt: 1 }).status).toBe('terminated');
  });

  it('a step shares the records it did not change and copies those it did', async () => {
    const plan = await compile(models['parallel fork and join']!);
    const started = step(
      plan,
      null,
      { type: 'start', instanceId: 'i', processId: 'p_par', deploymentId: 'd', version: 1 },
      T0,
    ).state;
    const [first] = Object.values(started.waits);
    const next = step(plan, started, { type: 'completeTask', waitId: first!.id }, T0).state;
    expect(next.waits).not.toBe(started.waits);
    expect(next.tokens).not.toBe(started.tokens);
    expect(next.jobs).toBe(started.jobs); // nothing written: shared
    const moved = first!.token;
    for (const id of Object.keys(started.tokens)) {
      if (id === moved) expect(next.tokens[id]).not.toBe(started.tokens[id]);
      else expect(next.tokens[id]).toBe(started.tokens[id]);
    }
  });

  it('a step copies only the scopes it changes', async () => {
    const plan = await compile(models['multi-instance, parallel then sequential']!);
    const started = startMulti(plan, ['a', 'b', 'c']);
    const [task] = Object.values(started.tasks);
    const inner = started.tokens[started.waits[waitKey(task!.id)]!.token]!.scope;
    const body = started.scopes[inner]!.parent!;
    const next = step(
      plan,
      started,
      { type: 'completeTask', waitId: task!.id, variables: { x: 1 } },
      T0,
    ).state;
    expect(next.scopes[inner]).toBeUndefined(); // the instance is done
    expect(next.scopes.root!.vars).toEqual({ items: ['a', 'b', 'c'], x: 1 });
    expect(started.scopes.root!.vars).toEqual({ items: ['a', 'b', 'c'] });
    expect(next.scopes[body]!.mi!.completed).toBe(1);
    expect(started.scopes[body]!.mi!.completed).toBe(0);
    for (const id of Object.keys(next.scopes)) {
      if (id === 'root' || id === body) expect(next.scopes[id]).not.toBe(started.scopes[id]);
      else expect(next.scopes[id]).toBe(started.scopes[id]); // the other instances: shared
    }
  });

  it('a variable set again to the value it holds leaves its scope shared; a new value or a new variable copies it', async () => {
    const plan = await compile(models['multi-instance, parallel then sequential']!);
    const started = startMulti(plan, ['a', 'b', 'c']);
    const [first, second] = Object.values(started.tasks);
    const complete = (s: InstanceState, waitId: string, variables: Record<string, unknown>) =>
      step(plan, s, { type: 'completeTask', waitId, variables }, T0).state;
    const one = complete(started, first!.id, { x: 1, note: 'ok' });
    const same = complete(one, second!.id, { x: 1, note: 'ok' });
    expect(same.scopes.root).toBe(one.scopes.root); // nothing changed in it: shared
    expect(same.scopes.root!.vars).toEqual({ items: ['a', 'b', 'c'], x: 1, note: 'ok' });
    const [next] = Object.values(same.tasks); // the condition ended the first; the second's first instance
    const other = complete(same, next!.id, { x: 2, note: 'ok', y: null, z: undefined });
    expect(other.scopes.root).not.toBe(same.scopes.root);
    expect(other.scopes.root!.vars).toEqual({ items: ['a', 'b', 'c'], x: 2, note: 'ok', y: null });
    expect('y' in other.scopes.root!.vars).toBe(true); // a new variable, even null, is set
    // Undefined is left out, as JSON (so every store) leaves it out: the same after a restart.
    expect('z' in other.scopes.root!.vars).toBe(false);
    expect(same.scopes.root!.vars).toEqual({ items: ['a', 'b', 'c'], x: 1, note: 'ok' });
  });

  it('cancelling many waits in one step (past the copying removals) leaves its input as it was', async () => {
    const plan = await compile(models['multi-instance, parallel then sequential']!);
    const items = Array.from({ length: 40 }, (_, i) => `item${i}`);
    let state = startMulti(plan, items);
    expect(Object.keys(state.tasks)).toHaveLength(40);
    for (const i of [0, 1]) {
      const [task] = Object.values(state.tasks);
      const result = pureStep(plan, state, { type: 'completeTask', waitId: task!.id }, T0 + i);
      if (result instanceof CommandError) throw result;
      state = result.state;
    }
    // The completion condition held: the other 38 instances were cancelled in that step.
    expect(Object.values(state.tasks).map((t) => t.elementId)).toEqual(['one']);
    expect(Object.keys(state.waits)).toHaveLength(1);
    const each = plan.nodes.find((n) => n.id === 'each')!.index;
    expect(Object.values(state.tokens).filter((t) => t.node === each)).toEqual([]);
  });
});

describe('workingCopy', () => {
  // Required<…>: a field added to a state, scope or token fails to compile here until it is
  // listed, and then this test holds workingCopy (which copies field by field) to keeping it.
  const token: Required<Token> = { id: 't1', node: 1, scope: 's2', inner: true, via: 0, rest: 'incident' };
  const scope: Required<Scope> = {
    id: 's2',
    node: 3,
    parent: 'root',
    token: 't1',
    kind: 'inner',
    vars: { x: [1] },
    mi: { total: 2, started: 1, completed: 0, items: null, outputs: [], done: false },
    loopIndex: 0,
  };
  const state: Required<InstanceState> = {
    id: 'i',
    processId: 'p',
    deploymentId: 'd',
    version: 2,
    businessKey: 'k',
    status: 'incident',
    parent: { instanceId: 'parent', waitId: 'parent.w3' },
    tokens: { t1: token },
    scopes: {
      root: { id: 'root', node: -1, parent: null, token: null, kind: 'process', vars: { a: 1 } },
      s2: scope,
    },
    waits: {},
    tasks: {},
    jobs: {},
    incidents: [],
    seq: 9,
    startedAt: 5,
    endedAt: 7,
  };

  it('copies every field of a state, a scope and a token', () => {
    const copy = workingCopy(state);
    expect(copy).toStrictEqual(state);
    expect(copy).not.toBe(state);
    expect(copy.scopes).toBe(state.scopes); // copied on first write (Execution.ownScope)
    const scopeCopy = copyScope(scope);
    expect(scopeCopy).toStrictEqual(scope);
    expect(scopeCopy.vars).not.toBe(scope.vars);
    expect(scopeCopy.mi).not.toBe(scope.mi);
    expect(scopeCopy.mi!.outputs).not.toBe(scope.mi.outputs);
    expect(copyToken(token)).toStrictEqual(token);
  });

  it('copies a state holding a legacy field whole', () => {
    const legacy = { ...state, incident: { token: 't1' } } as InstanceState;
    expect(workingCopy(legacy)).toStrictEqual(legacy);
  });
});
