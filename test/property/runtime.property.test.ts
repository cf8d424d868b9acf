/**
 * Property-based tests of the pure runtime: random block-structured models (sequences, parallel,
 * exclusive and inclusive splits with their joins, sub-processes, boundary timers) driven by
 * random command sequences. Invariants: no orphan or dangling tokens, waits and scopes; the
 * projections implied by the effects match the state; step never mutates its input; a replay of
 * the same commands gives the same state; and every instance can be driven to completion.
 */
import fc from 'fast-check';
import { parseAndCompile } from '../../engine/src/model/index.js';
import type { Plan } from '../../engine/src/model/plan.js';
import type { Command, Effect, InstanceState } from '../../engine/src/runtime/state.js';
import { step } from '../../engine/src/runtime/step.js';

type Block =
  | { k: 'task' }
  | { k: 'seq'; items: Block[] }
  | { k: 'par' | 'xor' | 'or'; branches: Block[] }
  | { k: 'sub'; body: Block }
  | { k: 'timer'; interrupting: boolean };

const { block } = fc.letrec<{ block: Block; seq: Block; split: Block; sub: Block; timer: Block }>((tie) => ({
  block: fc.oneof(
    { maxDepth: 4, depthSize: 'medium', depthIdentifier: 'block' },
    { arbitrary: fc.constant({ k: 'task' } as Block), weight: 2 },
    { arbitrary: tie('seq'), weight: 2 },
    { arbitrary: tie('split'), weight: 3 },
    { arbitrary: tie('sub'), weight: 1 },
    { arbitrary: tie('timer'), weight: 1 },
  ),
  seq: fc.record({
    k: fc.constant('seq' as const),
    items: fc.array(tie('block'), { minLength: 1, maxLength: 3 }),
  }),
  split: fc.record({
    k: fc.constantFrom('par' as const, 'xor' as const, 'or' as const),
    branches: fc.array(tie('block'), { minLength: 2, maxLength: 3 }),
  }),
  sub: fc.record({ k: fc.constant('sub' as const), body: tie('block') }),
  timer: fc.record({ k: fc.constant('timer' as const), interrupting: fc.boolean() }),
}));

/** Emits BPMN for a block; returns its entry and exit element ids. */
function emit(b: Block, out: string[], next: () => number): { first: string; last: string } {
  const flow = (from: string, to: string, condition?: string) => {
    const id = `f${next()}`;
    out.push(
      condition
        ? `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>`
        : `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`,
    );
    return id;
  };
  switch (b.k) {
    case 'task': {
      const id = `t${next()}`;
      out.push(`<bpmn:userTask id="${id}"/>`);
      return { first: id, last: id };
    }
    case 'seq': {
      const parts = b.items.map((i) => emit(i, out, next));
      for (let i = 1; i < parts.length; i++) flow(parts[i - 1]!.last, parts[i]!.first);
      return { first: parts[0]!.first, last: parts[parts.length - 1]!.last };
    }
    case 'par':
    case 'xor':
    case 'or': {
      const n = next();
      const tag = { par: 'parallelGateway', xor: 'exclusiveGateway', or: 'inclusiveGateway' }[b.k];
      const parts = b.branches.map((i) => emit(i, out, next));
      const splitFlows: string[] = [];
      parts.forEach((p, i) => {
        let condition: string | undefined;
        if (b.k === 'xor' && i > 0) condition = `= x = ${i}`;
        if (b.k === 'or' && i > 0) condition = `= x &gt;= ${i}`;
        splitFlows.push(flow(`split${n}`, p.first, condition));
        flow(p.last, `join${n}`);
      });
      const dflt = b.k === 'par' ? '' : ` default="${splitFlows[0]}"`;
      out.push(`<bpmn:${tag} id="split${n}"${dflt}/>`, `<bpmn:${tag} id="join${n}"/>`);
      return { first: `split${n}`, last: `join${n}` };
    }
    case 'sub': {
      const n = next();
      const inner: string[] = [];
      const body = emit(b.body, inner, next);
      inner.push(`<bpmn:startEvent id="ss${n}"/>`, `<bpmn:endEvent id="se${n}"/>`);
      const subFlows: string[] = [];
      emitFlow(subFlows, `sf${n}a`, `ss${n}`, body.first);
      emitFlow(subFlows, `sf${n}b`, body.last, `se${n}`);
      out.push(`<bpmn:subProcess id="sub${n}">${inner.join('')}${subFlows.join('')}</bpmn:subProcess>`);
      return { first: `sub${n}`, last: `sub${n}` };
    }
    case 'timer': {
      const n = next();
      const timer = b.interrupting
        ? '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>'
        : '<bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>';
      out.push(
        `<bpmn:userTask id="bt${n}"/>`,
        `<bpmn:boundaryEvent id="b${n}" attachedToRef="bt${n}" cancelActivity="${b.interrupting}">${timer}</bpmn:boundaryEvent>`,
        `<bpmn:userTask id="esc${n}"/>`,
      );
      flow(`b${n}`, `esc${n}`);
      if (b.interrupting) {
        // Either the task or its escalation continues, never both: an exclusive merge joins them.
        out.push(`<bpmn:exclusiveGateway id="m${n}"/>`);
        flow(`bt${n}`, `m${n}`);
        flow(`esc${n}`, `m${n}`);
        return { first: `bt${n}`, last: `m${n}` };
      }
      out.push(`<bpmn:endEvent id="escEnd${n}"/>`);
      flow(`esc${n}`, `escEnd${n}`);
      return { first: `bt${n}`, last: `bt${n}` };
    }
  }
}

function emitFlow(out: string[], id: string, from: string, to: string) {
  out.push(`<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`);
}

function modelXml(b: Block): string {
  let n = 0;
  const out: string[] = [];
  const body = emit(b, out, () => ++n);
  out.push('<bpmn:startEvent id="start"/>', '<bpmn:endEvent id="end"/>');
  emitFlow(out, 'fStart', 'start', body.first);
  emitFlow(out, 'fEnd', body.last, 'end');
  return `<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t"><bpmn:process id="p" isExecutable="true">${out.join('')}</bpmn:process></bpmn:definitions>`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** What the store projections would hold after these effects. */
function projections(effects: Effect[], acc = { tasks: new Set<string>(), timers: new Set<string>() }) {
  for (const e of effects) {
    if (e.type === 'task.created') acc.tasks.add(e.task.id);
    if (e.type === 'task.ended') acc.tasks.delete(e.taskId);
    if (e.type === 'timer.scheduled') acc.timers.add(e.timerId);
    if (e.type === 'timer.cancelled') acc.timers.delete(e.timerId);
  }
  return acc;
}

function checkInvariants(s: InstanceState, plan: Plan, projected: ReturnType<typeof projections>): void {
  for (const t of Object.values(s.tokens)) {
    expect(plan.nodes[t.node]).toBeDefined();
    expect(s.scopes[t.scope]).toBeDefined();
    expect(plan.nodes[t.node]!.kind).not.toBe('endEvent');
    if (t.rest === 'wait') expect(Object.values(s.waits).some((w) => w.token === t.id)).toBe(true);
  }
  for (const sc of Object.values(s.scopes)) if (sc.parent) expect(s.scopes[sc.parent]).toBeDefined();
  for (const w of Object.values(s.waits)) expect(s.tokens[w.token]).toBeDefined();
  // The projections the effects describe agree with the state.
  expect([...projected.tasks].sort()).toEqual(
    Object.values(s.tasks)
      .map((t) => t.id)
      .sort(),
  );
  expect([...projected.timers].sort()).toEqual(
    Object.values(s.waits)
      .filter((w) => w.kind === 'timer')
      .map((w) => w.id)
      .sort(),
  );
  if (s.status === 'completed') {
    expect(Object.keys(s.tokens)).toHaveLength(0);
    expect(Object.keys(s.waits)).toHaveLength(0);
    expect(Object.keys(s.tasks)).toHaveLength(0);
    expect(Object.keys(s.scopes)).toEqual(['root']);
  }
}

interface Run {
  state: InstanceState;
  commands: { command: Command; now: number }[];
}

function drive(plan: Plan, x: number, choices: number[]): Run {
  let now = 1_000_000;
  const start: Command = {
    type: 'start',
    instanceId: 'i',
    processId: 'p',
    deploymentId: 'd',
    version: 1,
    variables: { x },
  };
  const first = step(plan, null, start, now);
  let state = first.state;
  const effects = first.effects;
  const commands: Run['commands'] = [{ command: start, now }];
  const projected = projections(effects);
  checkInvariants(state, plan, projected);
  for (let i = 0; i < 300 && state.status === 'active'; i++) {
    const waits = Object.values(state.waits);
    const tasks = waits.filter((w) => w.kind === 'task');
    const timers = waits.filter((w) => w.kind === 'timer').sort((a, b) => a.dueAt! - b.dueAt!);
    const choice = choices[i % choices.length]!;
    let command: Command;
    if (timers.length && (tasks.length === 0 || choice % 4 === 0)) {
      now = Math.max(now, timers[0]!.dueAt!);
      command = { type: 'fireTimer', waitId: timers[0]!.id };
    } else {
      expect(tasks.length).toBeGreaterThan(0); // an active instance always waits on something
      command = {
        type: 'completeTask',
        waitId: tasks[choice % tasks.length]!.id,
        variables: { x: choice % 4 },
      };
    }
    const before = JSON.stringify(state);
    const result = step(plan, deepFreeze(state), command, now);
    expect(JSON.stringify(state)).toBe(before); // pure: the input is untouched
    commands.push({ command, now });
    state = result.state;
    projections(result.effects, projected);
    checkInvariants(state, plan, projected);
  }
  return { state, commands };
}

const plans = new Map<string, Plan>();
async function planOf(b: Block): Promise<Plan> {
  const xml = modelXml(b);
  let plan = plans.get(xml);
  if (!plan) {
    const { plans: compiled, problems } = await parseAndCompile(xml);
    expect(problems).toEqual([]);
    plan = compiled[0]!;
    plans.set(xml, plan);
  }
  return plan;
}

let modelsTried = 0;
let commandsRun = 0;
let violations = 0;

describe('runtime properties over random models and command sequences', () => {
  afterAll(() => {
    console.log(
      `property runs: ${modelsTried} models, ${commandsRun} commands, ${violations} invariant violations`,
    );
  });

  it('invariants hold, the instance completes, and a replay gives the same state', async () => {
    await fc.assert(
      fc.asyncProperty(
        block,
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 20 }),
        async (b, x, choices) => {
          const plan = await planOf(b);
          modelsTried++;
          let run: Run;
          try {
            run = drive(plan, x, choices);
          } catch (err) {
            violations++;
            throw err;
          }
          commandsRun += run.commands.length;
          expect(run.state.status).toBe('completed');
          // Replay the recorded commands from nothing: the same state, byte for byte.
          let replayed: InstanceState | null = null;
          for (const { command, now } of run.commands) replayed = step(plan, replayed, command, now).state;
          expect(JSON.stringify(replayed)).toBe(JSON.stringify(run.state));
          // The state survives a JSON round trip (what every store does).
          expect(JSON.parse(JSON.stringify(run.state))).toEqual(run.state);
        },
      ),
      { numRuns: 300 },
    );
  });
});
