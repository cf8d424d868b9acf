/** What each reader of a case sees: departments their own items, staff masked numbers, the applicant their own view. */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore, type DocStore } from '../domain/docs.js';
import { SqliteDocStore } from '../domain/docs-sqlite.js';
import { DOC_INDEXES } from '../domain/open-docs.js';
import { createEngine } from '../index.js';
import { loadNetworkFile, ZHUHAI_NETWORK_FILE } from '../network/index.js';
import { Centre } from './centre.js';
import {
  AFTER_REGISTRATION,
  analyst,
  applicantActor,
  clerk,
  dept,
  example,
  externalLicence,
  T0,
  memoryCentre,
} from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import { workingTimeLimits } from './working-time.js';

const ID = '440402199003071232';
const supervisor: Actor = { userId: 'sup', name: '监督', role: 'supervisor' };

async function setUp(docs: DocStore = new MemoryDocStore()) {
  const engine = createEngine({ clock: () => T0 });
  const centre = new Centre({ engine, docs, timeLimits: workingTimeLimits(), clock: () => T0 });
  await centre.deployBundle(analyst, example('business-startup'));
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  return centre;
}

async function draft(centre: Centre, assisted?: unknown) {
  const { situation, ...data } = samples['business-startup']!;
  const app = await centre.createApplication(clerk, {
    bundleCode: 'business-startup',
    answers: situation!,
    data,
    applicant: { kind: 'person', name: '张三', idNumber: ID, phone: '13800138000', userId: 'zhangsan' },
    ...(assisted ? { assisted } : {}),
  });
  await centre.submit(clerk, app.id);
  return app;
}

async function accepted(centre: Centre, assisted?: unknown) {
  const app = await draft(centre, assisted);
  return centre.accept(clerk, app.id, {
    materials: [
      { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
      { id: 'premisesProof', status: 'provided' },
    ],
  });
}

const task = (appId: string, item: string) => `${appId}:${item}`;
const REG_OUTPUTS = approvalOf('enterprise-registration');

describe('the delivery entry of the timeline', () => {
  it('shows a department only its own items’ results, reasons with personal numbers masked', async () => {
    const centre = await setUp();
    const app = await accepted(centre);
    await centre.approve(dept('market-regulation'), task(app.id, 'enterprise-registration'), REG_OUTPUTS);
    for (const [department, item] of AFTER_REGISTRATION) {
      if (item === 'new-taxpayer')
        await centre.reject(dept(department), task(app.id, item), { reason: `法定代表人${ID}有欠税记录` });
      else await centre.approve(dept(department), task(app.id, item), {});
    }
    await centre.deliver(clerk, app.id, { channel: 'window' });
    const resultsSeenBy = async (reader: Actor) => {
      const view = await centre.getApplication(reader, app.id);
      const delivered = view.timeline.find((e) => e.type === 'delivered')!;
      return delivered.data!.results as { item: string; reason?: string }[];
    };

    expect((await resultsSeenBy(dept('bank'))).map((r) => r.item)).toEqual(['bank-appointment']);
    const tax = await resultsSeenBy(dept('tax'));
    expect(tax).toEqual([
      expect.objectContaining({ item: 'new-taxpayer', reason: '法定代表人440402********1232有欠税记录' }),
    ]);
    const atWindow = await resultsSeenBy(clerk);
    expect(atWindow).toHaveLength(7);
    expect(JSON.stringify(atWindow)).not.toContain(ID);
  });
});

describe('a department office’s view of a case', () => {
  it('holds the fields of the items it decides only, in its view and its task', async () => {
    const { centre } = memoryCentre({ network: loadNetworkFile(ZHUHAI_NETWORK_FILE) });
    await centre.deployBundle(analyst, example('flexible-employment'));
    const { situation, ...data } = samples['flexible-employment']!;
    const doumen: Actor = {
      userId: 'dm1',
      name: '斗门窗口',
      role: 'clerk',
      region: '440403',
      venue: 'doumen-centre',
    };
    const created = await centre.createApplication(doumen, {
      bundleCode: 'flexible-employment',
      answers: { ...situation, insuredElsewhere: true },
      data,
      applicant: { kind: 'person', name: '王芳', idNumber: '440403199206150025' },
    });
    const app = await centre.accept(doumen, created.id, {
      materials: [
        { id: 'identityProof', status: 'provided' },
        { id: 'platformWorkEvidence', status: 'provided' },
      ],
      commitments: [
        { kind: 'proof', materials: ['flexibleEmploymentDeclaration'], signer: '王芳', text: '就业情况属实' },
      ],
    });
    const hrss = (region: string): Actor => ({ ...dept('hrss'), userId: `hrss-${region}`, region });

    // The city office decides the pension transfer; the district office the subsidy paid to a bank account.
    const city = await centre.getApplication(hrss('440400'), app.id);
    expect(city.items.map((i) => i.item)).toEqual(['pension-transfer']);
    expect(city.data).not.toHaveProperty('bankAccount');
    const cityTask = await centre.getTask(hrss('440400'), task(app.id, 'pension-transfer'));
    expect(cityTask.payload).not.toHaveProperty('bankAccount');
    const district = await centre.getTask(hrss('440403'), task(app.id, 'insurance-subsidy'));
    expect(district.payload).toHaveProperty('bankAccount');
  });
});

describe('uploaded file names', () => {
  it('are masked for departments, supervisors and the window, shown in full to the applicant', async () => {
    const centre = await setUp();
    const app = await accepted(centre);
    const name = `张三身份证${ID}-手机13800138000.pdf`;
    await centre.attachMaterialFile(clerk, app.id, 'identityProof', {
      sha256: 'a'.repeat(64),
      size: 10,
      mime: 'application/pdf',
      path: 'uploads/aa/x.pdf',
      name,
    });
    const nameSeenBy = async (reader: Actor) =>
      (await centre.getApplication(reader, app.id)).materials.find((m) => m.id === 'identityProof')?.file
        ?.name;

    for (const reader of [dept('market-regulation'), supervisor, clerk])
      expect(await nameSeenBy(reader)).toBe('张三身份证440402********1232-手机138****8000.pdf');
    expect(await nameSeenBy(applicantActor)).toBe(name);
  });
});

describe('the applicant’s view', () => {
  const staffAgent = {
    mode: 'help',
    reason: '老年人',
    agent: {
      name: '王帮办',
      idType: 'resident-id',
      idNumber: '440402198511205677',
      phone: '13912345678',
      relationship: 'staff',
      staffId: 'BB-007',
      userId: 'helper1',
    },
  };

  it('leaves out internal comments, requests not yet in a notice and staff ids', async () => {
    const centre = await setUp();
    const app = await accepted(centre);
    await centre.claim(dept('market-regulation'), task(app.id, 'enterprise-registration'));
    await centre.approve(dept('market-regulation'), task(app.id, 'enterprise-registration'), {
      ...REG_OUTPUTS,
      comment: '内部意见：疑似代持',
    });
    await centre.requestSupplement(dept('tax'), task(app.id, 'new-taxpayer'), {
      entries: [{ problem: '内部：怀疑虚假注册' }],
    });

    const view = await centre.getApplication(applicantActor, app.id);
    const shown = JSON.stringify(view);
    expect(shown).not.toContain('内部');
    for (const staff of [clerk.userId, 'market-regulation-1', 'tax-1']) expect(shown).not.toContain(staff);
    expect(view.requests).toEqual([]);
    expect(view.items.find((i) => i.item === 'enterprise-registration')).toMatchObject({
      status: 'approved',
    });
    expect(view.applicant.idNumber).toBe(ID);
  });

  it('masks a staff agent’s ID number and phone, except for the agent', async () => {
    const centre = await setUp();
    const app = await draft(centre, staffAgent);

    const mine = await centre.getApplication(applicantActor, app.id);
    expect(mine.assisted?.agent).toMatchObject({ idNumber: '440***********5677', phone: '139****5678' });
    const helper: Actor = { userId: 'helper1', name: '王帮办', role: 'applicant' };
    const theirs = await centre.getApplication(helper, app.id);
    expect(theirs.assisted?.agent).toMatchObject({ idNumber: '440402198511205677', phone: '13912345678' });
  });
});

describe('a proxy agent’s account', () => {
  const proxy = {
    mode: 'proxy',
    agent: {
      name: '李律师',
      idType: 'resident-id',
      idNumber: '11010519491231002X',
      phone: '13912345678',
      relationship: 'lawyer',
      userId: 'lawyer1',
    },
    powerOfAttorney: { eSigned: true },
  };
  const lawyer: Actor = { userId: 'lawyer1', name: '李律师', role: 'applicant' };
  const stranger: Actor = { userId: 'someone', name: '路人', role: 'applicant' };

  it.each([
    ['memory', () => new MemoryDocStore()],
    ['SQLite', () => new SqliteDocStore(':memory:', DOC_INDEXES)],
  ])('sees and lists the case it acts in (%s DocStore)', async (_store, open) => {
    const centre = await setUp(open());
    const app = await draft(centre, proxy);

    expect((await centre.getApplication(lawyer, app.id)).id).toBe(app.id);
    expect((await centre.listApplications(lawyer, {})).items.map((a) => a.id)).toEqual([app.id]);
    expect((await centre.listApplications(applicantActor, {})).items.map((a) => a.id)).toEqual([app.id]);
    await expect(centre.getApplication(stranger, app.id)).rejects.toMatchObject({ code: 'notFound' });
    expect((await centre.listApplications(stranger, {})).items).toEqual([]);
  });

  it('cannot give the applicant’s evaluation (好差评 is the applicant’s own)', async () => {
    const centre = await setUp();
    const app = await accepted(centre, proxy);
    await centre.approve(dept('market-regulation'), task(app.id, 'enterprise-registration'), REG_OUTPUTS);
    for (const [d, item] of AFTER_REGISTRATION) await centre.approve(dept(d), task(app.id, item), {});
    await centre.deliver(clerk, app.id, { channel: 'window' });
    await expect(centre.evaluate(lawyer, app.id, { channel: 'app', level: 1 })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const evaluated = await centre.evaluate(applicantActor, app.id, { channel: 'app', level: 5 });
    expect(evaluated.evaluations).toMatchObject([{ channel: 'app', level: 5 }]);
  });
});
