/**
 * The Centre when two people act on one case at once, or act before the process has reached
 * them: the case record and the workflow engine must end up telling the same story, and nothing
 * is issued for a decision that was not recorded.
 */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore } from '../domain/docs.js';
import { createEngine, type Engine } from '../index.js';
import { Centre } from './centre.js';
import {
  AFTER_REGISTRATION,
  analyst,
  clerk,
  deferred,
  dept,
  example,
  externalLicence,
  HOLDER,
  memoryCentre,
  T0,
} from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import { workingTimeLimits } from './working-time.js';
import type { Application } from './types.js';

const clerk2: Actor = { ...clerk, userId: 'clerk2', name: '窗口二' };
const task = (app: Application, item: string) => `${app.id}:${item}`;
const REG_OUTPUTS = approvalOf('enterprise-registration');

async function setUp(): Promise<{ centre: Centre; engine: Engine }> {
  const now = () => T0;
  const engine = createEngine({ clock: now });
  const centre = new Centre({
    engine,
    docs: new MemoryDocStore(),
    timeLimits: workingTimeLimits(),
    clock: now,
  });
  await centre.deployBundle(analyst, example('business-startup'));
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  return { centre, engine };
}

const MATERIALS = [
  { id: 'identityProof', status: 'eLicence' as const, licenceId: 'resident-id-card:RID-1' },
  { id: 'premisesProof', status: 'provided' as const },
];

async function submitted(centre: Centre, answers?: Record<string, unknown>): Promise<Application> {
  const { situation, ...data } = samples['business-startup']!;
  const app = await centre.createApplication(clerk, {
    bundleCode: 'business-startup',
    answers: answers ?? situation!,
    data,
    applicant: { kind: 'person', name: '张三', idNumber: HOLDER, userId: 'zhangsan' },
  });
  return centre.submit(clerk, app.id);
}

async function accepted(centre: Centre): Promise<Application> {
  const app = await submitted(centre);
  return centre.accept(clerk, app.id, { materials: MATERIALS });
}

/** The decision the engine took on an item (its process variable). */
async function engineDecision(engine: Engine, app: Application, item: string): Promise<unknown> {
  return (await engine.instance(app.instanceId!)).variables[`decision_${item.replace(/-/g, '_')}`];
}

describe('a department acting before the process reaches its item', () => {
  it('cannot decide it or ask for a supplement; once reached it can, and the process ends with the case', async () => {
    const { centre, engine } = await setUp();
    const app = await accepted(centre);
    for (const act of [
      () => centre.reject(dept('tax'), task(app, 'new-taxpayer'), { reason: '欠税' }),
      () => centre.approve(dept('tax'), task(app, 'new-taxpayer'), {}),
      () => centre.requestSupplement(dept('tax'), task(app, 'new-taxpayer'), { entries: [{ problem: 'x' }] }),
    ])
      await expect(act()).rejects.toMatchObject({ code: 'stateInvalid' });
    // Its inbox shows the item as not yet reached.
    const inbox = await centre.listTasks(dept('tax'), {});
    expect(inbox.items.map((t) => [t.item, t.waiting])).toEqual([['new-taxpayer', true]]);
    expect((await centre.listTasks(dept('tax'), { state: 'open' })).items).toEqual([]);

    await centre.approve(dept('market-regulation'), task(app, 'enterprise-registration'), REG_OUTPUTS);
    expect((await centre.getTask(dept('tax'), task(app, 'new-taxpayer'))).waiting).toBeUndefined();
    for (const [department, item] of AFTER_REGISTRATION)
      await centre.approve(dept(department), task(app, item), {});
    expect((await centre.deliver(clerk, app.id, { channel: 'window' })).status).toBe('delivered');
    expect((await engine.instance(app.instanceId!)).status).toBe('completed');
  });
});

describe('a decision racing another change of the case', () => {
  it('an approval racing the window issuing a notice is recorded as the engine took it', async () => {
    const { centre, engine } = await setUp();
    const app = await accepted(centre);
    await centre.approve(dept('market-regulation'), task(app, 'enterprise-registration'), REG_OUTPUTS);
    await centre.requestSupplement(dept('hrss'), task(app, 'employer-social-insurance'), {
      entries: [{ problem: '缺少工资表' }],
    });
    const [approval] = await Promise.allSettled([
      centre.approve(dept('tax'), task(app, 'new-taxpayer'), {}),
      centre.issueNotice(clerk, app.id),
    ]);
    const current = await centre.getApplication(clerk, app.id);
    const item = current.items.find((i) => i.item === 'new-taxpayer')!;
    expect(approval.status).toBe('fulfilled');
    expect(item.status).toBe('approved');
    expect(await engineDecision(engine, app, 'new-taxpayer')).toBe('approved');
  });

  it('two members of a department deciding at once: one decision stands, in the case and in the engine', async () => {
    const { centre, engine } = await setUp();
    const app = await accepted(centre);
    const registration = task(app, 'enterprise-registration');
    const results = await Promise.allSettled([
      centre.approve(dept('market-regulation', 1), registration, REG_OUTPUTS),
      centre.reject(dept('market-regulation', 2), registration, { reason: '名称重复' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ code: 'conflict' });
    const current = await centre.getApplication(clerk, app.id);
    const status = current.items.find((i) => i.item === 'enterprise-registration')!.status;
    expect(await engineDecision(engine, app, 'enterprise-registration')).toBe(status);
  });
});

describe('an acceptance racing another change of the case', () => {
  it('lost to a refusal: no process runs for the refused case', async () => {
    const { centre, engine } = await setUp();
    const app = await submitted(centre);
    await Promise.allSettled([
      centre.accept(clerk, app.id, { materials: MATERIALS }),
      centre.refuse(clerk2, app.id, { reason: '不属于本中心受理范围' }),
    ]);
    // The refusal, with no awaits before its save, is saved first; the acceptance's save conflicts.
    expect((await centre.getApplication(clerk, app.id)).status).toBe('refused');
    const running = (await engine.store.listInstances({ businessKey: app.id })).filter(
      (r) => r.status === 'active',
    );
    expect(running).toEqual([]);
  });

  it('lost to a return for correction: the corrected answers are what the process runs on', async () => {
    const { centre, engine } = await setUp();
    const { situation } = samples['business-startup']!;
    const app = await submitted(centre);
    await Promise.allSettled([
      centre.accept(clerk, app.id, { materials: MATERIALS }),
      centre.returnForCorrection(clerk2, app.id, { entries: [{ problem: '经营场所填写有误' }] }),
    ]);
    // The return, with no awaits before its save, is saved first; the acceptance's save conflicts.
    expect((await centre.getApplication(clerk, app.id)).status).toBe('returned');
    await centre.updateApplication(clerk, app.id, {
      answers: { ...situation, hiring: false, bankAppointment: false },
    });
    await centre.submit(clerk, app.id);
    const again = await centre.accept(clerk, app.id, { materials: MATERIALS });
    const instance = await engine.instance(again.instanceId!);
    expect(instance.variables).toMatchObject({ hiring: false, bankAppointment: false });
    const running = (await engine.store.listInstances({ businessKey: app.id })).filter(
      (r) => r.status === 'active',
    );
    expect(running.map((r) => r.id)).toEqual([again.instanceId]);
  });
});

describe('e-licences chosen before acceptance', () => {
  it('are verified in a correction after a return, and again at acceptance', async () => {
    const { centre } = await setUp();
    const app = await submitted(centre);
    await centre.returnForCorrection(clerk, app.id, { entries: [{ problem: '身份证明不清晰' }] });
    const bogus = { id: 'identityProof', status: 'eLicence' as const, licenceId: 'resident-id-card:NOPE' };
    await expect(centre.supplement(clerk, app.id, { materials: [bogus] })).rejects.toMatchObject({
      code: 'invalid',
    });
    // A licence valid when chosen, revoked before the acceptance: the acceptance refuses it.
    await centre.supplement(clerk, app.id, { materials: [MATERIALS[0]!] });
    await centre.submit(clerk, app.id);
    await centre.licences.setStatus('resident-id-card:RID-1', 'revoked');
    await expect(
      centre.accept(clerk, app.id, { materials: [{ id: 'premisesProof', status: 'provided' }] }),
    ).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('an e-licence presented from the applicant’s wallet', () => {
  it('must be the library’s licence itself: another genuine one in place of an expired one is refused', async () => {
    const { centre } = await setUp();
    const expired = await centre.licences.issue(
      {
        typeCode: 'property-certificate',
        number: 'P-OLD',
        holderId: HOLDER,
        holderName: '张三',
        issuer: 'natural-resources',
        validFrom: '2015-01-01',
        validTo: '2020-12-31',
        data: {},
      },
      T0,
      { applicationId: 'external', item: 'external' },
    );
    const genuine = await externalLicence(centre, 'property-certificate', 'P-NEW');
    const app = await submitted(centre);
    const premises = (licence: typeof genuine.signed) => ({
      materials: [
        MATERIALS[0]!,
        { id: 'premisesProof', status: 'eLicence' as const, licenceId: expired.id, licence },
      ],
    });
    for (const presented of [genuine.signed, expired.signed])
      await expect(centre.accept(clerk, app.id, premises(presented))).rejects.toMatchObject({
        code: 'invalid',
        fieldErrors: [expect.objectContaining({ field: 'materials.premisesProof.licenceId' })],
      });
  });
});

describe('what an approval issues', () => {
  it('an approval that loses to a rejection leaves no valid e-licence behind', async () => {
    const { centre } = await setUp();
    const app = await accepted(centre);
    const registration = task(app, 'enterprise-registration');
    const [approval] = await Promise.allSettled([
      centre.approve(dept('market-regulation', 1), registration, { ...REG_OUTPUTS, resultNumber: 'REG-9' }),
      centre.reject(dept('market-regulation', 2), registration, { reason: '材料不全' }),
    ]);
    const item = (await centre.getApplication(clerk, app.id)).items.find(
      (i) => i.item === 'enterprise-registration',
    )!;
    // The rejection, with no awaits before its engine step, wins; the approval had issued its licence.
    expect(approval.status).toBe('rejected');
    expect(item.status).toBe('rejected');
    expect((await centre.licences.get('business-licence:REG-9'))?.status).toBe('cancelled');
  });
});

describe('what a department reads of the case', () => {
  it('only its own items: not other departments’ notices, requests, decisions or reasons', async () => {
    const { centre } = await setUp();
    const app = await accepted(centre);
    await centre.approve(dept('market-regulation'), task(app, 'enterprise-registration'), REG_OUTPUTS);
    await centre.reject(dept('bank'), task(app, 'bank-appointment'), { reason: '反洗钱名单' });
    await centre.requestSupplement(dept('tax'), task(app, 'new-taxpayer'), {
      entries: [{ problem: '原公司欠税五万二千元' }],
    });
    for (const [department, item] of [
      ['public-security', 'seal-filing'],
      ['hrss', 'employer-social-insurance'],
      ['medical-security', 'employer-medical-insurance'],
    ] as const)
      await centre.approve(dept(department), task(app, item), {});
    await centre.requestSupplement(dept('housing-fund'), task(app, 'housing-fund-account'), {
      entries: [{ problem: '缴存比例未填' }],
    });
    const seen = await centre.getApplication(dept('housing-fund'), app.id);
    const text = JSON.stringify(seen);
    expect(text).not.toContain('反洗钱名单');
    expect(text).not.toContain('欠税');
    expect(seen.notices.flatMap((n) => n.entries.map((e) => e.problem))).toEqual(['缴存比例未填']);
    expect(seen.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['accepted', 'supplement.requested', 'notice.issued']),
    );
    expect(seen.timeline.every((e) => !e.data?.item || e.data.item === 'housing-fund-account')).toBe(true);
  });

  it('a case the window has not accepted is no department’s task', async () => {
    const { centre } = await setUp();
    const app = await submitted(centre);
    await expect(
      centre.getTask(dept('market-regulation'), task(app, 'enterprise-registration')),
    ).rejects.toMatchObject({ code: 'notFound' });
    await expect(
      centre.claim(dept('market-regulation'), task(app, 'enterprise-registration')),
    ).rejects.toMatchObject({ code: 'notFound' });
  });
});

describe('the periodic sweep', () => {
  it('does not terminate a case whose deferred material was supplied after the sweep listed it', async () => {
    let now = T0;
    const memory = new MemoryDocStore();
    let meanwhile: (() => Promise<unknown>) | undefined;
    // The sweep's list comes back, then the window's supplement is saved before the sweep goes on.
    const docs = Object.create(memory, {
      find: {
        value: async (...args: Parameters<MemoryDocStore['find']>) => {
          const found = await memory.find(...args);
          const run = args[0] === 'applications' ? meanwhile : undefined;
          meanwhile = undefined;
          if (run) await run();
          return found;
        },
      },
    }) as MemoryDocStore;
    const engine = createEngine({ clock: () => now });
    const centre = new Centre({ engine, docs, timeLimits: workingTimeLimits(), clock: () => now });
    const pkg = example('business-startup');
    pkg.bundle.materials.find((m: { id: string }) => m.id === 'premisesProof').deferrable = true;
    await centre.deployBundle(analyst, pkg);
    await externalLicence(centre, 'resident-id-card', 'RID-1');
    const app = await submitted(centre);
    const premises = deferred();
    const accepted = await centre.accept(clerk, app.id, {
      materials: [MATERIALS[0]!, ...premises.materials],
      commitments: premises.commitments,
    });
    now = accepted.materials.find((m) => m.id === 'premisesProof')!.deferral!.dueAt - 60_000;
    meanwhile = () =>
      centre.supplement(clerk, app.id, { materials: [{ id: 'premisesProof', status: 'provided' }] });
    now += 120_000; // the sweep runs a minute after the due time
    expect((await centre.sweep()).terminated).toBe(0);
    const current = await centre.getApplication(clerk, app.id);
    expect(current.status).toBe('in-progress');
    expect(current.materials.find((m) => m.id === 'premisesProof')!.deferral!.status).toBe('supplied');
  });
});

/** A Centre whose case saves fail (a full disk) while `saves.fail` is set; everything else goes through. */
async function withFailingSaves() {
  const memory = new MemoryDocStore();
  const saves = { fail: false };
  const docs = Object.create(memory, {
    writeAll: { value: undefined },
    put: {
      value: (...args: Parameters<MemoryDocStore['put']>) =>
        saves.fail && args[0] === 'applications'
          ? Promise.reject(new Error('disk full'))
          : memory.put(...args),
    },
  }) as MemoryDocStore;
  const centre = new Centre({
    engine: createEngine({ clock: () => T0 }),
    docs,
    timeLimits: workingTimeLimits(),
    clock: () => T0,
  });
  await centre.deployBundle(analyst, example('business-startup'));
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  return { centre, saves };
}

describe('a revocation whose case is not saved', () => {
  it('a false post-check that cannot be saved leaves the licence valid, as the case still records the approval', async () => {
    const { centre, saves } = await withFailingSaves();
    const app = await submitted(centre);
    await centre.accept(clerk, app.id, {
      materials: [MATERIALS[0]!, { id: 'premisesProof', status: 'commitment' }],
      commitments: [{ kind: 'proof', materials: ['premisesProof'], signer: '张三', text: '住所真实承诺' }],
    });
    const registration = task(app, 'enterprise-registration');
    await centre.approve(dept('market-regulation'), registration, { ...REG_OUTPUTS, resultNumber: 'REG-7' });
    expect((await centre.licences.get('business-licence:REG-7'))?.status).toBe('valid');
    saves.fail = true;
    await expect(
      centre.recordPostCheck(dept('market-regulation'), registration, { result: 'false' }),
    ).rejects.toThrow('disk full');
    saves.fail = false;
    const item = (await centre.getApplication(clerk, app.id)).items.find(
      (i) => i.item === 'enterprise-registration',
    )!;
    expect(item.status).toBe('approved');
    expect((await centre.licences.get('business-licence:REG-7'))?.status).toBe('valid');
    await centre.recordPostCheck(dept('market-regulation'), registration, { result: 'false' });
    expect((await centre.licences.get('business-licence:REG-7'))?.status).toBe('revoked');
  });
});

describe('an acceptance whose process stops in an incident at once', () => {
  it('is accepted with that instance; a supervisor resolves the incident', async () => {
    const { centre, engine } = memoryCentre();
    const pkg = example('business-startup');
    // A gateway right after the start whose condition has nothing to read: an incident at once.
    pkg.xml = pkg.xml.replace(
      '<bpmn:sequenceFlow id="toRegistration" sourceRef="accepted" targetRef="registration" />',
      `<bpmn:exclusiveGateway id="gate" />
       <bpmn:sequenceFlow id="toRegistration" sourceRef="accepted" targetRef="gate" />
       <bpmn:sequenceFlow id="gateOn" sourceRef="gate" targetRef="registration">
         <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">= notAnswered</bpmn:conditionExpression>
       </bpmn:sequenceFlow>`,
    );
    await centre.deployBundle(analyst, pkg);
    await externalLicence(centre, 'resident-id-card', 'RID-1');
    const app = await centre.accept(clerk, (await submitted(centre)).id, { materials: MATERIALS });
    expect(app.status).toBe('in-progress');
    expect(app.instanceId).toBe(`case-${app.id}`);
    expect((await engine.instance(app.instanceId!)).status).toBe('incident');
    expect(await engine.store.listInstances({ businessKey: app.id })).toHaveLength(1);
  });
});

describe('an approval given again after a failed one', () => {
  it('revives the e-licence the failed attempt cancelled', async () => {
    const { centre, saves } = await withFailingSaves();
    const app = await centre.accept(clerk, (await submitted(centre)).id, { materials: MATERIALS });
    const registration = task(app, 'enterprise-registration');
    saves.fail = true;
    await expect(
      centre.approve(dept('market-regulation'), registration, { ...REG_OUTPUTS, resultNumber: 'REG-5' }),
    ).rejects.toThrow('disk full');
    saves.fail = false;
    expect((await centre.licences.get('business-licence:REG-5'))?.status).toBe('cancelled');
    await centre.approve(dept('market-regulation'), registration, { ...REG_OUTPUTS, resultNumber: 'REG-5' });
    expect((await centre.licences.get('business-licence:REG-5'))?.status).toBe('valid');
  });
});
