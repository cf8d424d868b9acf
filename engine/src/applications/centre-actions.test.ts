/** What applicants and clerks may do to a case after submission: supplements, evaluations, draft edits. */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore } from '../domain/docs.js';
import { createEngine } from '../index.js';
import { Centre } from './centre.js';
import {
  AFTER_REGISTRATION,
  analyst,
  applicantActor,
  clerk,
  deferred,
  dept,
  example,
  externalLicence,
  HOLDER,
  T0,
} from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import { workingTimeLimits } from './working-time.js';
import { loadNetworkFile, ZHUHAI_NETWORK_FILE } from '../network/index.js';
import type { TimeLimits } from './clock.js';

const IDENTITY = { id: 'identityProof', status: 'eLicence' as const, licenceId: 'resident-id-card:RID-1' };
const taskOf = (appId: string, item: string) => `${appId}:${item}`;
const REG_OUTPUTS = approvalOf('enterprise-registration');
const FILE = {
  sha256: 'a'.repeat(64),
  size: 10,
  mime: 'application/pdf',
  path: 'uploads/aa/x.pdf',
  name: 'x.pdf',
};

async function setUp(options: { deferrable?: boolean; timeLimits?: TimeLimits; network?: boolean } = {}) {
  const now = T0;
  const centre = new Centre({
    engine: createEngine({ clock: () => now }),
    docs: new MemoryDocStore(),
    timeLimits: options.timeLimits ?? workingTimeLimits(),
    clock: () => now,
    ...(options.network ? { network: loadNetworkFile(ZHUHAI_NETWORK_FILE) } : {}),
  });
  const pkg = example('business-startup');
  if (options.deferrable)
    pkg.bundle.materials.find((m: { id: string }) => m.id === 'premisesProof').deferrable = true;
  await centre.deployBundle(analyst, pkg);
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  return centre;
}

async function draft(centre: Centre, by: Actor = clerk) {
  const { situation, ...data } = samples['business-startup']!;
  return centre.createApplication(by, {
    bundleCode: 'business-startup',
    answers: situation!,
    data,
    applicant: { kind: 'person', name: '张三', idNumber: HOLDER, userId: 'zhangsan' },
  });
}

async function accepted(
  centre: Centre,
  premises: object = { id: 'premisesProof', status: 'provided' },
  extra = {},
) {
  const app = await draft(centre);
  await centre.submit(clerk, app.id);
  return centre.accept(clerk, app.id, { materials: [IDENTITY, premises as never], ...extra });
}

/** Registration decided, tax and public security ask for a field and a material in one notice. */
async function awaitingSupplement(centre: Centre) {
  const app = await accepted(centre);
  await centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), REG_OUTPUTS);
  for (const [d, item] of AFTER_REGISTRATION)
    if (item !== 'new-taxpayer' && item !== 'seal-filing')
      await centre.approve(dept(d), taskOf(app.id, item), {});
  await centre.requestSupplement(dept('public-security'), taskOf(app.id, 'seal-filing'), {
    entries: [{ problem: '印章样式不清晰', materialId: 'sealFilingForm' }],
  });
  await centre.requestSupplement(dept('tax'), taskOf(app.id, 'new-taxpayer'), {
    entries: [{ problem: '财务负责人电话无法接通', fieldId: 'financeOfficer' }],
  });
  return centre.getApplication(clerk, app.id);
}

const FINANCE = { financeOfficer: { name: '李四', idNumber: '11010519491231002X', mobile: '13912345679' } };

describe('supplements after acceptance', () => {
  it("a department asks only for its own items' fields and materials, each other entry refused by name", async () => {
    const centre = await setUp();
    const app = await accepted(centre);
    await centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), REG_OUTPUTS);
    const taxTask = taskOf(app.id, 'new-taxpayer');
    await expect(
      centre.requestSupplement(dept('tax'), taxTask, {
        entries: [
          { problem: '财务负责人电话无法接通', fieldId: 'financeOfficer' },
          { problem: '请更正公积金缴存比例', fieldId: 'fundRate' },
          { problem: '请补交社保登记表', materialId: 'socialInsuranceForm' },
          { problem: '请补充', fieldId: 'noSuchField' },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [
        { field: 'entries[1].fieldId' },
        { field: 'entries[2].materialId' },
        {
          field: 'entries[3].fieldId',
          message: { en: `"noSuchField" is not a field of your department's items` },
        },
      ],
    });
    // Nothing was asked: the item is still under review, and its own field may be asked for.
    expect((await centre.getApplication(clerk, app.id)).requests).toEqual([]);
    const task = await centre.requestSupplement(dept('tax'), taxTask, {
      entries: [{ problem: '财务负责人电话无法接通', fieldId: 'financeOfficer' }],
    });
    expect(task.status).toBe('needs-supplement');
  });

  it('the applicant supplements only while a notice waits, and only what it names', async () => {
    const centre = await setUp();
    const app = await accepted(centre);
    await expect(centre.supplement(applicantActor, app.id, { data: FINANCE })).rejects.toMatchObject({
      code: 'stateInvalid',
    });
    await awaitingSupplementOn(centre, app.id);
    await expect(
      centre.supplement(applicantActor, app.id, { data: { ...FINANCE, companyName: '别的公司有限公司' } }),
    ).rejects.toMatchObject({ code: 'invalid', fieldErrors: [{ field: 'data.companyName' }] });
    await expect(
      centre.supplement(applicantActor, app.id, { materials: [{ id: 'premisesProof', status: 'provided' }] }),
    ).rejects.toMatchObject({ code: 'invalid', fieldErrors: [{ field: 'materials.premisesProof' }] });
    await expect(centre.supplement(applicantActor, app.id, {})).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [{ field: 'materials' }],
    });
  });

  it('only the requests answered are resolved: the notice stays open and the rest stay paused', async () => {
    const centre = await setUp();
    const app = await awaitingSupplement(centre);
    expect(app.status).toBe('awaiting-supplement');
    const partly = await centre.supplement(applicantActor, app.id, { data: FINANCE });
    expect(partly.status).toBe('awaiting-supplement');
    expect(partly.notices[0]!.resolvedAt).toBeUndefined();
    expect(partly.items.find((i) => i.item === 'new-taxpayer')!.status).toBe('reviewing');
    expect(partly.items.find((i) => i.item === 'seal-filing')!.status).toBe('needs-supplement');
    expect(partly.pauses.filter((p) => p.to === undefined)).toMatchObject([{ items: ['seal-filing'] }]);
    // A material counts only with its file (or the original seen by a clerk).
    const material = { materials: [{ id: 'sealFilingForm', status: 'provided' as const }] };
    await expect(centre.supplement(applicantActor, app.id, material)).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [{ field: 'materials.sealFilingForm.file' }],
    });
    await centre.attachMaterialFile(applicantActor, app.id, 'sealFilingForm', FILE);
    const done = await centre.supplement(applicantActor, app.id, material);
    expect(done.status).toBe('in-progress');
    expect(done.notices[0]!.resolvedAt).toBeDefined();
    expect(done.pauses.every((p) => p.to !== undefined)).toBe(true);
  });

  it('fields of items already decided cannot be asked for: the applicant could never change them', async () => {
    const centre = await setUp();
    const app = await accepted(centre);
    await centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), REG_OUTPUTS);
    await expect(
      centre.requestSupplement(dept('tax'), taskOf(app.id, 'new-taxpayer'), {
        entries: [{ problem: '名称与登记不一致', fieldId: 'companyName' }],
      }),
    ).rejects.toMatchObject({ code: 'stateInvalid', fieldErrors: [{ field: 'entries[0].fieldId' }] });
  });

  it('a commitment is not replaced by a bare "provided" from the applicant', async () => {
    const centre = await setUp();
    const app = await accepted(
      centre,
      { id: 'premisesProof', status: 'commitment' },
      {
        commitments: [{ kind: 'proof', materials: ['premisesProof'], signer: '张三', text: '住所真实承诺' }],
      },
    );
    await expect(
      centre.supplement(applicantActor, app.id, { materials: [{ id: 'premisesProof', status: 'provided' }] }),
    ).rejects.toMatchObject({ code: 'stateInvalid' });
    const kept = await centre.getApplication(clerk, app.id);
    expect(kept.materials.find((m) => m.id === 'premisesProof')!.status).toBe('commitment');
  });

  it('a deferred material arriving after the results: the clerk attaches its file and records it', async () => {
    const centre = await setUp({ deferrable: true });
    const { materials, commitments } = deferred();
    const app = await accepted(centre, materials[0], { commitments });
    await centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), REG_OUTPUTS);
    for (const [d, item] of AFTER_REGISTRATION) await centre.approve(dept(d), taskOf(app.id, item), {});
    expect((await centre.getApplication(clerk, app.id)).status).toBe('results-ready');
    const supply = { materials: [{ id: 'premisesProof', status: 'provided' as const }] };
    // The applicant's "provided" needs the file (the clerk's is the original seen at the window).
    await expect(centre.supplement(applicantActor, app.id, supply)).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [expect.objectContaining({ field: 'materials.premisesProof.file' })],
    });
    await expect(centre.attachMaterialFile(clerk, app.id, 'identityProof', FILE)).rejects.toMatchObject({
      code: 'stateInvalid',
    });
    await centre.attachMaterialFile(clerk, app.id, 'premisesProof', FILE);
    const supplied = await centre.supplement(clerk, app.id, supply);
    const entry = supplied.materials.find((m) => m.id === 'premisesProof')!;
    expect(entry).toMatchObject({ status: 'provided', file: { sha256: FILE.sha256 } });
    expect(entry.deferral!.status).toBe('supplied');
    expect((await centre.deliver(clerk, app.id, { channel: 'window' })).status).toBe('delivered');
  });
});

async function awaitingSupplementOn(centre: Centre, id: string) {
  await centre.approve(dept('market-regulation'), taskOf(id, 'enterprise-registration'), REG_OUTPUTS);
  for (const [d, item] of AFTER_REGISTRATION)
    if (item !== 'new-taxpayer') await centre.approve(dept(d), taskOf(id, item), {});
  await centre.requestSupplement(dept('tax'), taskOf(id, 'new-taxpayer'), {
    entries: [{ problem: '财务负责人电话无法接通', fieldId: 'financeOfficer' }],
  });
}

describe('supplements: what the window and the applicant may still answer', () => {
  it('the applicant brings a 容缺 material still owed online while the case is under review', async () => {
    const centre = await setUp({ deferrable: true });
    const { materials, commitments } = deferred();
    const app = await accepted(centre, materials[0], { commitments });
    expect(app.status).toBe('in-progress');
    await expect(
      centre.attachMaterialFile(applicantActor, app.id, 'identityProof', FILE),
    ).rejects.toMatchObject({ code: 'stateInvalid' });
    await centre.attachMaterialFile(applicantActor, app.id, 'premisesProof', FILE);
    const supply = { materials: [{ id: 'premisesProof', status: 'provided' as const }] };
    const supplied = await centre.supplement(applicantActor, app.id, supply);
    expect(supplied.materials.find((m) => m.id === 'premisesProof')!.deferral!.status).toBe('supplied');
    // Anything else still waits for a notice.
    await expect(
      centre.supplement(applicantActor, app.id, { data: { companyName: '另一个名字' } }),
    ).rejects.toMatchObject({ code: 'stateInvalid' });
  });

  it('a notice entry naming no field or material (其他) is answered by the window: an empty supplement from the clerk', async () => {
    const centre = await setUp();
    const app = await accepted(centre);
    await centre.requestSupplement(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), {
      entries: [{ problem: '请法定代表人到窗口说明住所使用情况' }],
    });
    await centre.issueNotice(clerk, app.id);
    await expect(centre.supplement(applicantActor, app.id, {})).rejects.toMatchObject({ code: 'invalid' });
    const answered = await centre.supplement(clerk, app.id, {});
    expect(answered.status).toBe('in-progress');
    expect(answered.items.find((i) => i.item === 'enterprise-registration')!.status).toBe('reviewing');
  });

  it('an entry naming part of a repeated field (investors[0].name) is answered by that field', async () => {
    const centre = await setUp();
    const app = await accepted(centre);
    await centre.requestSupplement(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), {
      entries: [{ problem: '股东姓名与证件不一致', fieldId: 'investors[0].name' }],
    });
    await centre.issueNotice(clerk, app.id);
    const { investors } = samples['business-startup']! as { investors: { name: string }[] };
    const fixed = investors.map((inv, i) => (i === 0 ? { ...inv, name: '李四' } : inv));
    const answered = await centre.supplement(applicantActor, app.id, { data: { investors: fixed } });
    expect(answered.status).toBe('in-progress');
  });
});

describe('evaluations (好差评)', () => {
  async function delivered(centre: Centre) {
    const app = await accepted(centre);
    await centre.approve(dept('market-regulation'), taskOf(app.id, 'enterprise-registration'), REG_OUTPUTS);
    for (const [d, item] of AFTER_REGISTRATION) await centre.approve(dept(d), taskOf(app.id, item), {});
    return centre.deliver(clerk, app.id, { channel: 'window' });
  }

  it('window staff record only the window device; online channels are the applicant’s own', async () => {
    const centre = await setUp();
    const app = await delivered(centre);
    await expect(centre.evaluate(clerk, app.id, { channel: 'app', level: 5 })).rejects.toMatchObject({
      code: 'forbidden',
      fieldErrors: [{ field: 'channel' }],
    });
    await expect(
      centre.evaluate(applicantActor, app.id, { channel: 'window', level: 5 }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      fieldErrors: [{ field: 'channel' }],
    });
    await centre.evaluate(clerk, app.id, { channel: 'window', level: 5 });
    const both = await centre.evaluate(applicantActor, app.id, { channel: 'app', level: 4 });
    expect(both.evaluations.map((e) => e.channel)).toEqual(['window', 'app']);
  });
});

describe('draft edits', () => {
  it('a corrected applicant ID number is kept, checked as on creation, and the owner stays', async () => {
    const centre = await setUp();
    const app = await draft(centre);
    const corrected = {
      kind: 'person' as const,
      name: '张三',
      idNumber: '11010519491231002x',
      userId: 'someone-else',
    };
    await centre.updateApplication(clerk, app.id, { applicant: corrected });
    const mine = await centre.getApplication(applicantActor, app.id);
    expect(mine.applicant).toMatchObject({ idNumber: '11010519491231002X', userId: 'zhangsan' });
    await expect(
      centre.updateApplication(clerk, app.id, {
        applicant: { ...corrected, idNumber: '110105194912310021' },
      }),
    ).rejects.toMatchObject({ code: 'invalid', fieldErrors: [{ field: 'applicant.idNumber' }] });
  });
});

describe('post-check (告知承诺) due date', () => {
  it('counts on the calendar of the office that decides the item, not the receiving one', async () => {
    const real = workingTimeLimits();
    const regions: (string | undefined)[] = [];
    const timeLimits: TimeLimits = {
      ...real,
      state: real.state.bind(real),
      addWorkingDays: (from, n, region) => {
        regions.push(region);
        return real.addWorkingDays(from, n, region);
      },
    };
    const centre = await setUp({ timeLimits, network: true });
    const townClerk: Actor = { ...clerk, userId: 'baijiao1', region: '440403102', venue: 'baijiao-centre' };
    const app = await draft(centre, townClerk);
    const taken = await centre.accept(townClerk, app.id, {
      materials: [IDENTITY, { id: 'premisesProof', status: 'commitment' }],
      commitments: [{ kind: 'proof', materials: ['premisesProof'], signer: '张三', text: '住所真实承诺' }],
    });
    regions.length = 0;
    await centre.approve(dept('market-regulation'), taskOf(taken.id, 'enterprise-registration'), REG_OUTPUTS);
    const decided = await centre.getApplication(townClerk, taken.id);
    expect(decided.items.find((i) => i.item === 'enterprise-registration')!.postCheck).toBeDefined();
    expect(regions).toEqual(['440402']);
  });
});
