/**
 * A whole "one thing" bundle on the engine: window acceptance, departments chosen by the
 * applicant's situation (inclusive split), per-department review with a reminder before the time
 * limit, an overall decision in FEEL, delivery or a rejection notice — and withdrawal at any time.
 */
import type { Task } from './api.js';
import { chain, definitions, endEvent, flow, message, process, startEvent, timer } from './testing/bpmn.js';
import { DAY, deployed, HOUR, openTaskIds, path, timesCompleted } from './testing/harness.js';

const bundle = definitions(
  process(
    'openRestaurant',
    `
  ${startEvent('submitted')}
  <bpmn:userTask id="accept" gov:department="window" gov:item="ACCEPT" gov:candidateRoles="clerk" gov:timeLimit="1"/>
  <bpmn:subProcess id="review">
    ${startEvent('reviewStart')}
    <bpmn:inclusiveGateway id="whichDepartments"/>
    <bpmn:userTask id="market" gov:department="market-regulation" gov:item="BL-001" gov:timeLimit="5"/>
    <bpmn:userTask id="fire" gov:department="fire" gov:item="FS-002" gov:timeLimit="10"/>
    <bpmn:userTask id="health" gov:department="health" gov:item="HP-003" gov:timeLimit="7"/>
    <bpmn:boundaryEvent id="fireReminder" attachedToRef="fire" cancelActivity="false">${timer('timeDuration', 'P8D')}</bpmn:boundaryEvent>
    <bpmn:serviceTask id="notifyFire" gov:type="sms"/>
    ${endEvent('reminderSent')}
    <bpmn:inclusiveGateway id="allOpinions"/>
    ${endEvent('reviewEnd')}
    ${chain('reviewStart', 'whichDepartments')}
    ${flow('whichDepartments', 'market', '= true', 'toMarket')}
    ${flow('whichDepartments', 'fire', '= seats > 50')}
    ${flow('whichDepartments', 'health', '= servesFood')}
    ${chain('market', 'allOpinions')}${chain('fire', 'allOpinions')}${chain('health', 'allOpinions')}
    ${chain('allOpinions', 'reviewEnd')}
    ${chain('fireReminder', 'notifyFire', 'reminderSent')}
  </bpmn:subProcess>
  <bpmn:boundaryEvent id="withdrawn" attachedToRef="review"><bpmn:messageEventDefinition messageRef="M_withdraw"/></bpmn:boundaryEvent>
  <bpmn:businessRuleTask id="decide" gov:expression="= every o in [marketOk, fireOk, healthOk] satisfies o != false" gov:resultVariable="approved"/>
  <bpmn:exclusiveGateway id="outcome" default="toReject"/>
  <bpmn:userTask id="deliver" gov:department="window" gov:item="DELIVER"/>
  <bpmn:userTask id="rejectNotice" gov:department="window" gov:item="NOTICE"/>
  ${endEvent('delivered')}${endEvent('rejected')}${endEvent('closedOnWithdrawal')}
  ${chain('submitted', 'accept', 'review', 'decide', 'outcome')}
  ${flow('outcome', 'deliver', '= approved')}
  ${flow('outcome', 'rejectNotice', undefined, 'toReject')}
  ${chain('deliver', 'delivered')}${chain('rejectNotice', 'rejected')}
  ${chain('withdrawn', 'closedOnWithdrawal')}`,
  ),
  message('M_withdraw', 'application.withdrawn'),
);

const sent: string[] = [];
const services = {
  sms: (job: { variables: Record<string, unknown> }) => {
    sent.push(String(job.variables['applicant']));
    return { reminded: true };
  },
};

async function openFor(
  engine: Awaited<ReturnType<typeof deployed>>['engine'],
  instanceId: string,
  department: string,
): Promise<Task> {
  const [task] = await engine.tasks({ instanceId, department, state: 'open' });
  if (!task) throw new Error(`no open task for ${department}`);
  return task;
}

describe('scenario: open a restaurant (一件事)', () => {
  beforeEach(() => {
    sent.length = 0;
  });

  it('big restaurant serving food: three departments, a fire reminder, all approve, delivered', async () => {
    const h = await deployed(bundle, services);
    const v = await h.engine.start('openRestaurant', {
      businessKey: 'APP-2026-0001',
      variables: {
        applicant: 'Wang Fang',
        seats: 80,
        servesFood: true,
        marketOk: null,
        fireOk: null,
        healthOk: null,
      },
    });
    expect(openTaskIds(v)).toEqual(['accept']);
    await h.engine.completeTask(v.openTasks[0]!.id, { actor: 'clerk-1' });

    let view = await h.engine.instance(v.id);
    expect(openTaskIds(view)).toEqual(['fire', 'health', 'market']);
    const fire = await openFor(h.engine, v.id, 'fire');
    expect(fire).toMatchObject({ item: 'FS-002', timeLimitDays: 10, businessKey: 'APP-2026-0001' });

    await h.engine.completeTask((await openFor(h.engine, v.id, 'market-regulation')).id, {
      variables: { marketOk: true },
    });
    await h.engine.completeTask((await openFor(h.engine, v.id, 'health')).id, {
      variables: { healthOk: true },
    });
    view = await h.engine.instance(v.id);
    expect(path(view)).not.toContain('allOpinions');

    // eight days later fire has not answered: one reminder, the task stays open
    expect(await h.tick(8 * DAY)).toBeGreaterThanOrEqual(1);
    await h.engine.runDueJobs(h.clock.now()); // the sms job, if it was created by the timer step
    expect(sent).toEqual(['Wang Fang']);
    view = await h.engine.instance(v.id);
    expect(openTaskIds(view)).toEqual(['fire']);

    await h.engine.completeTask(fire.id, { variables: { fireOk: true } });
    view = await h.engine.instance(v.id);
    expect(timesCompleted(view, 'allOpinions')).toBe(1);
    expect(view.variables['approved']).toBe(true);
    expect(openTaskIds(view)).toEqual(['deliver']);
    const done = await h.engine.completeTask(view.openTasks[0]!.id, {});
    expect(done.status).toBe('completed');
    expect(path(done).at(-1)).toBe('delivered');
  });

  it('small take-away: only market regulation; a refusal leads to the rejection notice', async () => {
    const h = await deployed(bundle, services);
    const v = await h.engine.start('openRestaurant', {
      businessKey: 'APP-2',
      variables: {
        applicant: 'Li',
        seats: 0,
        servesFood: false,
        marketOk: null,
        fireOk: null,
        healthOk: null,
      },
    });
    await h.engine.completeTask(v.openTasks[0]!.id, {});
    let view = await h.engine.instance(v.id);
    expect(openTaskIds(view)).toEqual(['market']);
    view = await h.engine.completeTask(view.openTasks[0]!.id, { variables: { marketOk: false } });
    expect(view.variables['approved']).toBe(false);
    expect(openTaskIds(view)).toEqual(['rejectNotice']);
    expect(path(view)).not.toContain('fire');
  });

  it('withdrawal during review cancels every department task and closes the case', async () => {
    const h = await deployed(bundle, services);
    const v = await h.engine.start('openRestaurant', {
      businessKey: 'APP-3',
      variables: {
        applicant: 'Zhao',
        seats: 60,
        servesFood: true,
        marketOk: null,
        fireOk: null,
        healthOk: null,
      },
    });
    await h.engine.completeTask(v.openTasks[0]!.id, {});
    h.clock.advance(2 * HOUR);
    const r = await h.engine.correlate('application.withdrawn', { correlationKey: 'APP-3' });
    expect(r.instanceIds).toEqual([v.id]);
    const view = await h.engine.instance(v.id);
    expect(view.status).toBe('completed');
    expect(view.openTasks).toEqual([]);
    expect(path(view).at(-1)).toBe('closedOnWithdrawal');
    const cancelled = await h.engine.tasks({ instanceId: v.id, state: 'cancelled' });
    expect(cancelled.map((t) => t.elementId).sort()).toEqual(['fire', 'health', 'market']);
    expect(await h.tick(30 * DAY)).toBe(0); // the fire reminder went with the task
    expect(sent).toEqual([]);
  });
});
