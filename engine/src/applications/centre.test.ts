import { samples } from '../../../forms/src/testing/samples.js';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore } from '../domain/docs.js';
import { DomainError } from '../domain/errors.js';
import { createEngine } from '../index.js';
import { Centre } from './centre.js';
import {
  AFTER_REGISTRATION,
  analyst,
  applicantActor,
  clerk,
  dept,
  example,
  externalLicence,
  HOLDER,
  MATERIAL_FILE,
  T0,
} from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import { workingTimeLimits } from './working-time.js';
import { loadNetworkFile, ZHUHAI_NETWORK_FILE } from '../network/index.js';

const DAY = 86_400_000;
const REG_OUTPUTS = approvalOf('enterprise-registration');

async function makeCentre(now: () => number, tweak?: (pkg: ReturnType<typeof example>) => void) {
  const engine = createEngine({ clock: now });
  const centre = new Centre({
    engine,
    docs: new MemoryDocStore(),
    timeLimits: workingTimeLimits(),
    clock: now,
    defaultDeferralDays: 5,
  });
  const pkg = example('business-startup');
  tweak?.(pkg);
  await centre.deployBundle(analyst, pkg);
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  return { engine, centre };
}

async function setUp() {
  let now = T0;
  const { engine, centre } = await makeCentre(() => now);
  const { situation, ...data } = samples['business-startup']!;
  return { centre, engine, advance: (ms: number) => (now += ms), answers: situation!, data };
}

async function accepted(s: Awaited<ReturnType<typeof setUp>>, answers = s.answers) {
  const app = await s.centre.createApplication(clerk, {
    bundleCode: 'business-startup',
    answers,
    data: s.data,
    applicant: {
      kind: 'person',
      name: '张三',
      idNumber: '440402199003071232',
      phone: '13800138000',
      userId: 'zhangsan',
    },
  });
  await s.centre.submit(clerk, app.id);
  return s.centre.accept(clerk, app.id, {
    materials: [
      { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
      { id: 'premisesProof', status: 'provided' },
    ],
  });
}

const taskOf = (appId: string, item: string) => `${appId}:${item}`;

describe('Centre: one application from the window to the departments and back', () => {
  it('accepts, fans out by situation, collects every result, delivers and takes an evaluation', async () => {
    const s = await setUp();
    const app = await accepted(s);
    expect(app.status).toBe('in-progress');
    expect(app.owner).toBe('clerk1');
    expect(app.items.map((i) => i.item).sort()).toEqual([
      'bank-appointment',
      'employer-medical-insurance',
      'employer-social-insurance',
      'enterprise-registration',
      'housing-fund-account',
      'new-taxpayer',
      'seal-filing',
    ]);
    // Registration first: only market regulation has an open engine task.
    const inbox = await s.centre.listTasks(dept('market-regulation'), { state: 'open' });
    expect(inbox.items.map((t) => t.item)).toEqual(['enterprise-registration']);
    await s.centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), {
      ...REG_OUTPUTS,
      resultNumber: 'REG-001',
    });
    // Registration declares the business licence it issues (发证清单): it is signed and in the library.
    // It belongs to the new enterprise, identified by the credit code registration gave.
    const [licence] = await s.centre.listLicences(clerk, REG_OUTPUTS.outputs!.creditCode!);
    expect(licence).toMatchObject({
      id: 'business-licence:REG-001',
      item: 'enterprise-registration',
      status: 'valid',
      holderId: REG_OUTPUTS.outputs!.creditCode,
    });
    expect(licence!.signed.licence.data).toHaveProperty('companyName', s.data.companyName);
    for (const [department, item] of AFTER_REGISTRATION) {
      const view = await s.centre.getTask(dept(department), taskOf(app.id, item));
      expect(view.status).toBe('reviewing');
      await s.centre.approve(dept(department), view.id, {});
    }
    let current = await s.centre.getApplication(clerk, app.id);
    expect(current.status).toBe('results-ready');
    current = await s.centre.deliver(clerk, app.id, { channel: 'window' });
    expect(current.status).toBe('delivered');
    expect((await s.engine.instance(current.instanceId!)).status).toBe('completed');
    current = await s.centre.evaluate(applicantActor, app.id, { channel: 'app', level: 5 });
    expect(current.status).toBe('evaluated');
    await expect(s.centre.evaluate(applicantActor, app.id, { channel: 'app', level: 4 })).rejects.toThrow(
      DomainError,
    );
  });

  it('a department sees only its own fields, with ID numbers masked unless its item needs them', async () => {
    const s = await setUp();
    const app = await accepted(s);
    await s.centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), REG_OUTPUTS);
    const bankView = await s.centre.getApplication(dept('bank'), app.id);
    expect(bankView.items.every((i) => i.department === 'bank')).toBe(true);
    expect(JSON.stringify(bankView)).not.toContain('440402199003071232');
    await expect(s.centre.getApplication(dept('land'), app.id)).rejects.toMatchObject({ code: 'notFound' });
    // Clerks and supervisors see the whole case, masked; command results are masked the same way.
    const supervisor: Actor = { userId: 'sup', name: '监督', role: 'supervisor' };
    for (const reader of [clerk, supervisor]) {
      const text = JSON.stringify(await s.centre.getApplication(reader, app.id));
      expect(text).not.toContain('440402199003071232');
      expect(text).not.toContain('11010519491231002X');
      expect(text).not.toContain('13912345678');
    }
    expect(JSON.stringify(app)).not.toContain('440402199003071232'); // what accept returned to the clerk
    // The applicant, whose data it is, sees it in full.
    expect(JSON.stringify(await s.centre.getApplication(applicantActor, app.id))).toContain(
      '440402199003071232',
    );
    // A supervisor of another district sees neither the case nor its tasks.
    const elsewhere: Actor = { userId: 'sup2', name: '监督', role: 'supervisor', region: '440403' };
    await expect(s.centre.getApplication(elsewhere, app.id)).rejects.toMatchObject({ code: 'notFound' });
    await expect(s.centre.getTask(elsewhere, taskOf(app.id, 'bank-appointment'))).rejects.toMatchObject({
      code: 'notFound',
    });
    expect((await s.centre.listTasks(elsewhere, {})).items).toEqual([]);
    expect((await s.centre.getTask(supervisor, taskOf(app.id, 'bank-appointment'))).payload).toBeUndefined();
  });

  it('applicants see e-licences only under their verified identity', async () => {
    const s = await setUp();
    const verified: Actor = { ...applicantActor, idNumber: HOLDER };
    expect((await s.centre.listLicences(verified, HOLDER)).map((l) => l.id)).toEqual([
      'resident-id-card:RID-1',
    ]);
    expect(await s.centre.listLicences(applicantActor, HOLDER)).toEqual([]); // no verified identity
    expect(await s.centre.listLicences({ ...verified, idNumber: '11010519491231002X' }, HOLDER)).toEqual([]);
  });

  it('two departments asking for a supplement produce one notice; the supplement resumes the work', async () => {
    const s = await setUp();
    const app = await accepted(s);
    await s.centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), REG_OUTPUTS);
    const reviewing = [
      'seal-filing',
      'new-taxpayer',
      'employer-social-insurance',
      'employer-medical-insurance',
      'housing-fund-account',
    ];
    const departments: Record<string, string> = {
      'seal-filing': 'public-security',
      'new-taxpayer': 'tax',
      'employer-social-insurance': 'hrss',
      'employer-medical-insurance': 'medical-security',
      'housing-fund-account': 'housing-fund',
    };
    for (const item of reviewing.slice(2))
      await s.centre.approve(dept(departments[item]!), taskOf(app.id, item), {});
    await s.centre.approve(dept('bank'), taskOf(app.id, 'bank-appointment'), {});
    await s.centre.requestSupplement(dept('public-security'), taskOf(app.id, 'seal-filing'), {
      entries: [{ problem: '印章样式不清晰', materialId: 'sealFilingForm' }],
    });
    let current = await s.centre.getApplication(clerk, app.id);
    expect(current.notices).toHaveLength(0); // tax is still reviewing: no notice yet
    await s.centre.requestSupplement(dept('tax'), taskOf(app.id, 'new-taxpayer'), {
      entries: [{ problem: '财务负责人电话无法接通', fieldId: 'financeOfficer' }],
    });
    current = await s.centre.getApplication(clerk, app.id);
    expect(current.status).toBe('awaiting-supplement');
    expect(current.notices).toHaveLength(1);
    expect(current.notices[0]!.entries.map((e) => e.department).sort()).toEqual(['public-security', 'tax']);
    // Only the clocks of the items asked for stop (and the case's): the others run on.
    expect(current.pauses[0]!.items!.sort()).toEqual(['new-taxpayer', 'seal-filing']);
    s.advance(2 * DAY);
    current = await s.centre.supplement(applicantActor, app.id, {
      data: { financeOfficer: { name: '李四', idNumber: '11010519491231002X', mobile: '13912345679' } },
    });
    // Tax's request is answered and its clock runs again; the notice waits on the seal-filing form.
    expect(current.status).toBe('awaiting-supplement');
    expect(current.items.find((i) => i.item === 'new-taxpayer')!.status).toBe('reviewing');
    expect(current.items.find((i) => i.item === 'seal-filing')!.status).toBe('needs-supplement');
    await s.centre.attachMaterialFile(applicantActor, app.id, 'sealFilingForm', MATERIAL_FILE);
    current = await s.centre.supplement(applicantActor, app.id, {
      materials: [{ id: 'sealFilingForm', status: 'provided' }],
    });
    expect(current.status).toBe('in-progress');
    expect(current.notices[0]!.resolvedAt).toBe(T0 + 2 * DAY);
    expect(current.pauses.every((p) => p.to !== undefined)).toBe(true);
    expect(current.deadline!).toBeGreaterThan(app.deadline!); // the paused days moved the deadline
    await s.centre.approve(dept('public-security'), taskOf(app.id, 'seal-filing'), {});
    await s.centre.approve(dept('tax'), taskOf(app.id, 'new-taxpayer'), {});
    expect((await s.centre.getApplication(clerk, app.id)).status).toBe('results-ready');
  });

  it('a rejected registration ends the items that depend on it and the results still reach the window', async () => {
    const s = await setUp();
    const app = await accepted(s);
    await expect(
      s.centre.reject(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), { reason: '' }),
    ).rejects.toMatchObject({
      code: 'invalid',
    });
    await s.centre.reject(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), {
      reason: '名称与已登记企业重复',
    });
    const current = await s.centre.getApplication(clerk, app.id);
    expect(current.status).toBe('results-ready');
    expect(current.items.find((i) => i.item === 'enterprise-registration')!.status).toBe('rejected');
    expect(current.items.filter((i) => i.status === 'terminated')).toHaveLength(6);
    expect((await s.centre.deliver(clerk, app.id, { channel: 'window' })).status).toBe('delivered');
  });

  it('告知承诺: a commitment replaces the proof; a false post-check revokes the approval', async () => {
    const s = await setUp();
    const app = await s.centre.createApplication(clerk, {
      bundleCode: 'business-startup',
      answers: s.answers,
      data: s.data,
      applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232' },
    });
    await s.centre.submit(clerk, app.id);
    await expect(
      s.centre.accept(clerk, app.id, {
        materials: [{ id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' }],
      }),
    ).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [expect.objectContaining({ field: 'materials.premisesProof' })],
    });
    // The premises proof may be replaced by a commitment here, but not deferred.
    await expect(
      s.centre.accept(clerk, app.id, {
        materials: [
          { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
          { id: 'premisesProof', status: 'deferred' },
        ],
        commitments: [{ kind: 'deferral', materials: ['premisesProof'], signer: '张三', text: '容缺承诺' }],
      }),
    ).rejects.toMatchObject({ code: 'invalid' });
    const accepted = await s.centre.accept(clerk, app.id, {
      materials: [
        { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
        { id: 'premisesProof', status: 'commitment' },
      ],
      commitments: [{ kind: 'proof', materials: ['premisesProof'], signer: '张三', text: '住所真实承诺' }],
    });
    expect(accepted.materials.find((m) => m.id === 'premisesProof')!.status).toBe('commitment');
    await s.centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), REG_OUTPUTS);
    const approved = await s.centre.getApplication(clerk, app.id);
    expect(
      approved.items.find((i) => i.item === 'enterprise-registration')!.postCheck?.dueAt,
    ).toBeGreaterThan(T0);
    await s.centre.recordPostCheck(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), {
      result: 'false',
    });
    const revoked = await s.centre.getApplication(clerk, app.id);
    expect(revoked.items.find((i) => i.item === 'enterprise-registration')!.status).toBe('revoked');
  });

  it('容缺: a deferred material blocks delivery; overdue, the case is terminated and the late material refused', async () => {
    let now = T0;
    const { engine, centre } = await makeCentre(
      () => now,
      (pkg) => (pkg.bundle.materials.find((m: { id: string }) => m.id === 'premisesProof').deferrable = true),
    );
    const { situation, ...data } = samples['business-startup']!;
    const app = await centre.createApplication(clerk, {
      bundleCode: 'business-startup',
      answers: situation!,
      data,
      applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232' },
    });
    const accepted = await centre.accept(clerk, app.id, {
      materials: [
        { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
        { id: 'premisesProof', status: 'deferred' },
      ],
      commitments: [
        { kind: 'deferral', materials: ['premisesProof'], signer: '张三', text: '五个工作日内补交住所证明' },
      ],
    });
    const deferral = accepted.materials.find((m) => m.id === 'premisesProof')!.deferral!;
    expect(deferral.status).toBe('pending');
    // Monday + 5 working days = next Monday
    expect(new Date(deferral.dueAt).getUTCDate()).toBe(30);
    await centre.reject(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), {
      reason: '经营范围需前置审批',
    });
    await expect(centre.deliver(clerk, app.id, { channel: 'window' })).rejects.toMatchObject({
      code: 'stateInvalid',
    });
    now = deferral.dueAt + DAY;
    expect(await centre.sweep()).toMatchObject({ terminated: 1 });
    const ended = await centre.getApplication(clerk, app.id);
    expect(ended.status).toBe('terminated');
    expect((await engine.instance(ended.instanceId!)).status).toBe('terminated');
    await expect(
      centre.supplement(applicantActor, app.id, { materials: [{ id: 'premisesProof', status: 'provided' }] }),
    ).rejects.toMatchObject({ code: 'notFound' }); // not the applicant's own case
    await expect(
      centre.supplement(clerk, app.id, { materials: [{ id: 'premisesProof', status: 'provided' }] }),
    ).rejects.toMatchObject({
      code: 'stateInvalid',
    });
  });

  it('e-licences: issued on approval, accepted in place of a material, refused when tampered or not the holder’s', async () => {
    const s = await setUp();
    const first = await accepted(s);
    await s.centre.approve(dept('market-regulation'), taskOf(first.id, 'enterprise-registration'), {
      ...REG_OUTPUTS,
      resultNumber: '91440400MA5XXXXX1X',
      licence: { typeCode: 'business-licence' },
    });
    // The enterprise holds its business licence under the credit code registration gave.
    const [issued] = (await s.centre.listLicences(clerk, REG_OUTPUTS.outputs!.creditCode!)).filter(
      (l) => l.typeCode === 'business-licence',
    );
    expect(issued!.signed.licence.number).toBe('91440400MA5XXXXX1X');
    expect(issued!.signed.licence.data).not.toHaveProperty('legalRepIdNumber'); // no sensitive facts on a licence

    const property = await externalLicence(s.centre, 'property-certificate', 'P-1');
    const second = await s.centre.createApplication(clerk, {
      bundleCode: 'business-startup',
      answers: s.answers,
      data: s.data,
      applicant: { kind: 'person', name: '张三', idNumber: HOLDER },
    });
    const tampered = structuredClone(property.signed);
    tampered.licence.holderName = '李四';
    await expect(
      s.centre.accept(clerk, second.id, {
        materials: [
          { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
          { id: 'premisesProof', status: 'eLicence', licenceId: property.id, licence: tampered },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [expect.objectContaining({ field: 'materials.premisesProof.licenceId' })],
    });
    await expect(
      s.centre.accept(clerk, second.id, {
        materials: [
          { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
          { id: 'premisesProof', status: 'eLicence', licenceId: issued!.id }, // wrong type for this slot
        ],
      }),
    ).rejects.toMatchObject({ code: 'invalid' });
    const ok = await s.centre.accept(clerk, second.id, {
      materials: [
        { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
        { id: 'premisesProof', status: 'eLicence', licenceId: property.id, licence: property.signed },
      ],
    });
    expect(ok.materials.find((m) => m.id === 'premisesProof')).toMatchObject({
      status: 'eLicence',
      licenceId: property.id,
    });
    const other = await externalLicence(s.centre, 'property-certificate', 'P-2', '11010519491231002X');
    const third = await s.centre.createApplication(clerk, {
      bundleCode: 'business-startup',
      answers: s.answers,
      data: s.data,
      applicant: { kind: 'person', name: '张三', idNumber: HOLDER },
    });
    await expect(
      s.centre.accept(clerk, third.id, {
        materials: [
          { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
          { id: 'premisesProof', status: 'eLicence', licenceId: other.id },
        ],
      }),
    ).rejects.toMatchObject({ code: 'invalid' });
  });

  it('time limits turn yellow, then red, each recorded once, for the case and each department', async () => {
    const s = await setUp();
    const app = await accepted(s); // Monday 09:00; promised 2 working days → due end of Wednesday
    // The registration's own limit is 1 working day: yellow from acceptance, not from the next sweep.
    let current = await s.centre.getApplication(clerk, app.id);
    expect(current.timeStatus).toBe('normal');
    const itemYellow = (a: typeof current) =>
      a.timeline.filter((e) => e.type === 'timeLimit.yellow' && e.data?.item === 'enterprise-registration');
    expect(itemYellow(current)).toHaveLength(1);
    expect(await s.centre.sweep(T0 + 120_000)).toMatchObject({ recoloured: 0 });
    s.advance(DAY); // Tuesday 09:00: one working day left for the case
    await s.centre.sweep();
    current = await s.centre.getApplication(clerk, app.id);
    expect(current.timeStatus).toBe('yellow');
    expect(current.timeline.filter((e) => e.type === 'timeLimit.yellow' && !e.data?.item)).toHaveLength(1);
    s.advance(2 * DAY); // Thursday 09:00: past both limits
    await s.centre.sweep();
    await s.centre.sweep();
    current = await s.centre.getApplication(clerk, app.id);
    expect(current.timeStatus).toBe('red');
    expect(itemYellow(current)).toHaveLength(1);
    expect(current.timeline.filter((e) => e.type === 'timeLimit.yellow' && !e.data?.item)).toHaveLength(1);
    expect(current.timeline.filter((e) => e.type === 'timeLimit.red' && !e.data?.item)).toHaveLength(1);
    expect(
      current.timeline.some((e) => e.type === 'timeLimit.red' && e.data?.department === 'market-regulation'),
    ).toBe(true);
    const inbox = await s.centre.listTasks(dept('market-regulation'), { timeStatus: 'red' });
    expect(inbox.items.map((t) => t.item)).toEqual(['enterprise-registration']);
    expect(inbox.items[0]!.remainingWorkingDays).toBeLessThan(0);
  });

  it('跨域办: a town centre in another district receives the case; the competent district department decides; results return to the town centre', async () => {
    const now = T0;
    const engine = createEngine({ clock: () => now });
    const network = loadNetworkFile(ZHUHAI_NETWORK_FILE);
    const centre = new Centre({
      engine,
      docs: new MemoryDocStore(),
      timeLimits: workingTimeLimits(),
      clock: () => now,
      network,
    });
    await centre.deployBundle(analyst, example('business-startup'));
    await externalLicence(centre, 'resident-id-card', 'RID-1');
    const townClerk: Actor = {
      userId: 'baijiao1',
      name: '白蕉窗口',
      role: 'clerk',
      region: '440403102',
      venue: 'baijiao-centre',
    };
    const { situation, ...data } = samples['business-startup']!; // the company's premises are in 香洲 (440402)
    const draft = await centre.createApplication(townClerk, {
      bundleCode: 'business-startup',
      answers: situation!,
      data,
      applicant: { kind: 'person', name: '张三', idNumber: HOLDER },
    });
    const app = await centre.accept(townClerk, draft.id, {
      materials: [
        { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
        { id: 'premisesProof', status: 'provided' },
      ],
    });
    expect(app.acceptedVenue).toBe('baijiao-centre');
    const registration = app.items.find((i) => i.item === 'enterprise-registration')!;
    expect(registration).toMatchObject({ decidingRegion: '440402', crossRegion: true });
    const routed = app.timeline.find((e) => e.type === 'routed')!;
    expect(routed.data).toMatchObject({ acceptedVenue: 'baijiao-centre' });
    await centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), REG_OUTPUTS);
    const decided = await centre.getApplication(townClerk, app.id);
    const approval = decided.timeline.find((e) => e.type === 'task.approved')!;
    expect(approval.data?.decidingVenue).toBe(registration.decidingVenue);
    expect(approval.data?.decidingVenue).not.toBe('baijiao-centre');
    for (const item of decided.items.filter((i) => i.status === 'reviewing')) {
      await centre.approve(dept(item.department), taskOf(app.id, item.item), {});
    }
    const delivered = await centre.deliver(townClerk, app.id, { channel: 'window' });
    expect(delivered.delivery).toMatchObject({ channel: 'window', venue: 'baijiao-centre' });
    // A venue that may not receive the bundle refuses it up front.
    const station: Actor = { ...townClerk, venue: 'baijiao-001-station' }; // a village station receives few items
    const other = await centre.createApplication(station, {
      bundleCode: 'business-startup',
      answers: situation!,
      data,
      applicant: { kind: 'person', name: '张三', idNumber: HOLDER },
    });
    await expect(
      centre.accept(station, other.id, {
        materials: [
          { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
          { id: 'premisesProof', status: 'provided' },
        ],
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/forbidden|invalid/) });
  });
});
