/**
 * Incidents in the pure runtime: a job that fails into an incident is closed (never completable
 * afterwards), an instance holds one incident per failed token, each resolved on its own, and a
 * state saved when an instance held a single `incident` still loads.
 */
import { parseAndCompile } from '../model/index.js';
import type { Plan } from '../model/plan.js';
import { chain, endEvent, flow, model, serviceTask, startEvent, timer, userTask } from '../testing/bpmn.js';
import { openIncidents, type OpenIncident } from './incident.js';
import { type Command, type Effect, type InstanceState, type StepResult, waitKey } from './state.js';
import { CommandError, step } from './step.js';

const T0 = 1_000_000;

async function compile(xml: string): Promise<Plan> {
  const { plans, problems } = await parseAndCompile(xml);
  expect(problems).toEqual([]);
  return plans[0]!;
}

function start(plan: Plan, variables?: Record<string, unknown>): StepResult {
  return step(
    plan,
    null,
    { type: 'start', instanceId: 'i', processId: plan.processId, deploymentId: 'd', version: 1, variables },
    T0,
  );
}

/** The open job of an element (its wait id is the job id). */
function jobAt(s: InstanceState, elementId: string): string {
  const ids = Object.values(s.jobs)
    .filter((j) => j.elementId === elementId)
    .map((j) => j.id);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

function rejection(fn: () => unknown): CommandError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CommandError) return err;
    throw err;
  }
  throw new Error('expected a CommandError');
}

const ofType = <T extends Effect['type']>(effects: Effect[], type: T) =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

const single = model(
  'svc',
  `${startEvent('s')}${serviceTask('lookup', 'registry.lookup')}${userTask('check')}${endEvent('e')}
   ${chain('s', 'lookup', 'check', 'e')}`,
);

const parallel = model(
  'par',
  `${startEvent('s')}<bpmn:parallelGateway id="fork"/>
   ${serviceTask('askTax', 'tax')}${serviceTask('askPolice', 'police')}
   <bpmn:parallelGateway id="join"/>${userTask('decide')}${endEvent('e')}
   ${chain('s', 'fork')}${chain('fork', 'askTax', 'join')}${chain('fork', 'askPolice', 'join')}
   ${chain('join', 'decide', 'e')}`,
);

/** A service task `call` with a one-hour boundary timer `late` leading to the user task `byHand`. */
const withDeadline = (interrupting: boolean) =>
  model(
    'bt',
    `${startEvent('s')}${serviceTask('call', 'dept')}
     <bpmn:boundaryEvent id="late" attachedToRef="call" cancelActivity="${interrupting}">${timer('timeDuration', 'PT1H')}</bpmn:boundaryEvent>
     ${userTask('byHand')}${endEvent('e')}${endEvent('e2')}
     ${chain('s', 'call', 'e')}${chain('late', 'byHand', 'e2')}`,
  );

/** Starts the model and fails its `call` job at `at`. */
async function failedCall(interrupting: boolean, at: number) {
  const plan = await compile(withDeadline(interrupting));
  const started = start(plan).state;
  const failJob: Command = { type: 'failJob', waitId: jobAt(started, 'call'), message: 'down' };
  return { plan, started, failed: step(plan, started, failJob, at).state };
}

describe('a job that fails into an incident', () => {
  it('is closed: its wait and job go, job.ended is emitted, and completing or failing it again is notFound', async () => {
    const plan = await compile(single);
    const s0 = start(plan).state;
    const jobId = jobAt(s0, 'lookup');
    const failed = step(plan, s0, { type: 'failJob', waitId: jobId, message: 'registry down' }, T0 + 1);
    expect(failed.state.status).toBe('incident');
    expect(failed.state.waits[waitKey(jobId)]).toBeUndefined();
    expect(failed.state.jobs[waitKey(jobId)]).toBeUndefined();
    expect(ofType(failed.effects, 'job.ended')).toEqual([{ type: 'job.ended', jobId }]);

    const complete = rejection(() =>
      step(plan, failed.state, { type: 'completeJob', waitId: jobId, variables: { ok: true } }, T0 + 2),
    );
    expect(complete.code).toBe('notFound');
    expect(complete.message).toContain(jobId);
    expect(
      rejection(() => step(plan, failed.state, { type: 'failJob', waitId: jobId, message: 'x' }, T0 + 2))
        .code,
    ).toBe('notFound');
    expect(
      rejection(() => step(plan, failed.state, { type: 'throwError', waitId: jobId, errorCode: 'E' }, T0 + 2))
        .code,
    ).toBe('notFound');
  });

  it('resolving re-enters the task with a fresh job; the failed one stays closed', async () => {
    const plan = await compile(single);
    const s0 = start(plan).state;
    const oldJob = jobAt(s0, 'lookup');
    const failed = step(plan, s0, { type: 'failJob', waitId: oldJob, message: 'down' }, T0 + 1).state;
    const resolved = step(plan, failed, { type: 'resolveIncident', variables: { retried: true } }, T0 + 2);
    expect(resolved.state.status).toBe('active');
    expect(openIncidents(resolved.state)).toEqual([]);
    const newJob = jobAt(resolved.state, 'lookup');
    expect(newJob).not.toBe(oldJob);
    const created = ofType(resolved.effects, 'job.created');
    expect(created.map((e) => e.job.id)).toEqual([newJob]);
    expect(created[0]!.job.variables).toMatchObject({ retried: true });
    expect(ofType(resolved.effects, 'job.ended')).toEqual([]);
    expect(
      rejection(() => step(plan, resolved.state, { type: 'completeJob', waitId: oldJob }, T0 + 3)).code,
    ).toBe('notFound');

    const done = step(plan, resolved.state, { type: 'completeJob', waitId: newJob }, T0 + 3).state;
    expect(Object.values(done.tasks).map((t) => t.elementId)).toEqual(['check']);
  });

  it("resolving keeps the task's boundary timer as it was: not doubled, not restarted", async () => {
    const { plan, started, failed } = await failedCall(false, T0 + 10);
    const timersOf = (s: InstanceState) =>
      Object.values(s.waits)
        .filter((w) => w.kind === 'timer')
        .map((w) => [w.id, w.dueAt]);
    const before = timersOf(started);
    expect(before).toHaveLength(1);
    expect(timersOf(failed)).toEqual(before); // the task is still running, its deadline too
    const resolved = step(plan, failed, { type: 'resolveIncident' }, T0 + 20);
    expect(timersOf(resolved.state)).toEqual(before);
    expect(ofType(resolved.effects, 'timer.scheduled')).toEqual([]);
  });

  it('an interrupting boundary that fires while the task is in incident takes the incident with it', async () => {
    const { plan, failed } = await failedCall(true, T0 + 1);
    const timerId = Object.values(failed.waits).find((w) => w.kind === 'timer')!.id;
    const fired = step(plan, failed, { type: 'fireTimer', waitId: timerId }, T0 + 3_600_000).state;
    expect(fired.status).toBe('active');
    expect(openIncidents(fired)).toEqual([]);
    expect(Object.values(fired.tasks).map((t) => t.elementId)).toEqual(['byHand']);
  });
});

describe('several incidents at once', () => {
  async function bothFailed(): Promise<{ plan: Plan; state: InstanceState; tax: string; police: string }> {
    const plan = await compile(parallel);
    const s0 = start(plan).state;
    const tax = jobAt(s0, 'askTax');
    const police = jobAt(s0, 'askPolice');
    const s1 = step(plan, s0, { type: 'failJob', waitId: tax, message: 'tax system down' }, T0 + 1).state;
    const s2 = step(
      plan,
      s1,
      { type: 'failJob', waitId: police, message: 'police system down' },
      T0 + 2,
    ).state;
    return { plan, state: s2, tax, police };
  }

  it('two parallel service tasks that fail keep two incidents, each with its own id, element and job', async () => {
    const { state, tax, police } = await bothFailed();
    expect(state.status).toBe('incident');
    const open = openIncidents(state);
    expect(open.map((i) => [i.elementId, i.jobId, i.at])).toEqual([
      ['askTax', tax, T0 + 1],
      ['askPolice', police, T0 + 2],
    ]);
    expect(open[0]!.message).toMatch(/tax system down/);
    expect(open[1]!.message).toMatch(/police system down/);
    expect(new Set(open.map((i) => i.id)).size).toBe(2);
    expect(state.jobs).toEqual({});
  });

  it('each is resolved on its own; the instance stays in incident while one is left', async () => {
    const { plan, state } = await bothFailed();
    const [taxIncident, policeIncident] = openIncidents(state) as [OpenIncident, OpenIncident];

    const first = step(plan, state, { type: 'resolveIncident', incidentId: policeIncident.id }, T0 + 3).state;
    expect(first.status).toBe('incident');
    expect(openIncidents(first).map((i) => i.id)).toEqual([taxIncident.id]);
    expect(Object.values(first.jobs).map((j) => j.elementId)).toEqual(['askPolice']);

    // The same incident twice: it is gone, and says so.
    const again = rejection(() =>
      step(plan, first, { type: 'resolveIncident', incidentId: policeIncident.id }, T0 + 4),
    );
    expect(again.code).toBe('notFound');
    expect(again.message).toContain(policeIncident.id);

    const second = step(plan, first, { type: 'resolveIncident', incidentId: taxIncident.id }, T0 + 4).state;
    expect(second.status).toBe('active');
    expect(openIncidents(second)).toEqual([]);
    expect(
      Object.values(second.jobs)
        .map((j) => j.elementId)
        .sort(),
    ).toEqual(['askPolice', 'askTax']);
  });

  it('without an incident id, resolving retries every open incident', async () => {
    const { plan, state } = await bothFailed();
    const resolved = step(plan, state, { type: 'resolveIncident' }, T0 + 3).state;
    expect(resolved.status).toBe('active');
    expect(openIncidents(resolved)).toEqual([]);
    let s = resolved;
    for (const element of ['askTax', 'askPolice'])
      s = step(plan, s, { type: 'completeJob', waitId: jobAt(s, element) }, T0 + 4).state;
    expect(Object.values(s.tasks).map((t) => t.elementId)).toEqual(['decide']);
  });

  it('resolving when there is no incident is refused, naming the instance', async () => {
    const plan = await compile(single);
    const err = rejection(() => step(plan, start(plan).state, { type: 'resolveIncident' }, T0 + 1));
    expect(err.code).toBe('invalid');
    expect(err.message).toContain('instance i has no incident');
  });

  it('cancelling the instance clears every incident', async () => {
    const { plan, state } = await bothFailed();
    const cancelled = step(plan, state, { type: 'cancel' }, T0 + 3).state;
    expect(cancelled.status).toBe('terminated');
    expect(openIncidents(cancelled)).toEqual([]);
  });
});

/** Two branches that each loop without waiting while `spin` holds, then meet at a join. */
const twoSpinningBranches = model(
  'spin2',
  `${startEvent('s')}<bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>${endEvent('e')}
   <bpmn:exclusiveGateway id="gwA" default="outA"/><bpmn:intermediateThrowEvent id="spinA"/>
   <bpmn:exclusiveGateway id="gwB" default="outB"/><bpmn:intermediateThrowEvent id="spinB"/>
   ${chain('s', 'fork')}${chain('fork', 'gwA')}${chain('fork', 'gwB')}
   ${flow('gwA', 'spinA', '= spin')}${chain('spinA', 'gwA')}${flow('gwA', 'join', undefined, 'outA')}
   ${flow('gwB', 'spinB', '= spin')}${chain('spinB', 'gwB')}${flow('gwB', 'join', undefined, 'outB')}
   ${chain('join', 'e')}`,
);

describe('a process that loops without waiting', () => {
  it('parks every token that was under way in its own incident; resolving them all lets the instance finish', async () => {
    const plan = await compile(twoSpinningBranches);
    const started = start(plan, { spin: true }).state;
    expect(started.status).toBe('incident');
    const incidents = openIncidents(started);
    expect(incidents.map((i) => i.code)).toEqual(['loop.runaway', 'loop.runaway']);
    expect(new Set(incidents.map((i) => i.token)).size).toBe(2);
    // No token is left neither moving nor resting anywhere.
    expect(Object.values(started.tokens).every((t) => t.rest !== undefined)).toBe(true);

    const resolved = step(plan, started, { type: 'resolveIncident', variables: { spin: false } }, T0 + 1);
    expect(resolved.state.status).toBe('completed');
  });
});

describe('an incident of a FEEL expression', () => {
  const ID = '440402199003071232';
  const gateway = (condition: string) =>
    model(
      'feel',
      `${startEvent('s')}<bpmn:exclusiveGateway id="gw" default="other"/>${userTask('yes')}${userTask('no')}
       ${chain('s', 'gw')}${flow('gw', 'yes', condition)}${flow('gw', 'no', undefined, 'other')}`,
    );

  it.each([
    ['= idNumber', 'feel.notBoolean', 'a string of 18 characters'],
    ['= date(idNumber) > date("2020-01-01")', 'feel.error', "'…'"],
  ])('%s: the message says what went wrong without the variables’ values', async (condition, code, shown) => {
    const plan = await compile(gateway(condition));
    const [incident] = openIncidents(start(plan, { idNumber: ID }).state);
    expect(incident).toMatchObject({ code });
    expect(incident!.message).toContain(shown);
    expect(incident!.message).not.toContain(ID);
  });
});

describe('a state saved with the older single incident', () => {
  /** What an instance record held before several incidents: `incident`, no id, no list. */
  function legacy(state: InstanceState): InstanceState {
    const [only] = openIncidents(state);
    const { incidents: _incidents, ...rest } = state;
    const { id: _id, jobId: _jobId, ...old } = only!;
    return JSON.parse(JSON.stringify({ ...rest, incident: old })) as InstanceState;
  }

  it('is listed with an id and resolves; the next step saves the new shape', async () => {
    const plan = await compile(single);
    const s0 = start(plan).state;
    // Records of that time also left the failed job's wait open.
    const failed = step(plan, s0, { type: 'failJob', waitId: jobAt(s0, 'lookup'), message: 'down' }, T0 + 1);
    const old = legacy(failed.state);
    const [shown] = openIncidents(old);
    expect(shown).toMatchObject({ elementId: 'lookup', code: 'job.failed', at: T0 + 1 });
    expect(typeof shown!.id).toBe('string');

    const resolved = step(plan, old, { type: 'resolveIncident', incidentId: shown!.id }, T0 + 2).state;
    expect(resolved.status).toBe('active');
    expect('incident' in resolved).toBe(false);
    expect(openIncidents(resolved)).toEqual([]);
    expect(Object.values(resolved.jobs).map((j) => j.elementId)).toEqual(['lookup']);
  });

  it('an old record whose failed job was left open has that job closed when resolved', async () => {
    const plan = await compile(single);
    const s0 = start(plan).state;
    const oldJob = jobAt(s0, 'lookup');
    const failed = step(plan, s0, { type: 'failJob', waitId: oldJob, message: 'down' }, T0 + 1).state;
    // Put the job back as older code left it: wait and job still open on the parked token.
    const old = legacy(failed);
    old.waits[waitKey(oldJob)] = s0.waits[waitKey(oldJob)]!;
    old.jobs[waitKey(oldJob)] = s0.jobs[waitKey(oldJob)]!;
    const resolved = step(plan, old, { type: 'resolveIncident' } as Command, T0 + 2);
    expect(resolved.state.waits[waitKey(oldJob)]).toBeUndefined();
    expect(ofType(resolved.effects, 'job.ended')).toEqual([{ type: 'job.ended', jobId: oldJob }]);
    expect(Object.keys(resolved.state.jobs)).toHaveLength(1);
    expect(Object.values(resolved.state.jobs)[0]!.id).not.toBe(oldJob);
  });
});
