/**
 * 分批出件 (GOV-SERVICES §3): the window hands over the results already decided while another
 * department is still working, and the final delivery hands over what is left and closes the case.
 */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore } from '../domain/docs.js';
import { createEngine } from '../index.js';
import { loadNetworkFile, ZHUHAI_NETWORK_FILE } from '../network/index.js';
import {
  AFTER_REGISTRATION,
  analyst,
  applicantActor,
  clerk,
  deferred,
  dept,
  example,
  HOLDER,
  memoryCentre,
  T0,
} from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import { AggregateService } from './aggregates.js';
import { CASE_FIGURES, workingDaysOf, type CaseFigures } from './case-figures.js';
import { Centre } from './centre.js';
import type { MaterialInput } from './api.js';
import type { Application } from './types.js';
import { workingTimeLimits } from './working-time.js';

const DAY = 86_400_000;
const taskOf = (appId: string, item: string) => `${appId}:${item}`;
const supervisor: Actor = { userId: 'sup', name: '监察', role: 'supervisor' };
/** Handed over first: the business licence, the seal, and tax's written rejection. */
const FIRST_BATCH = ['enterprise-registration', 'seal-filing', 'new-taxpayer'];
const REST = [
  'employer-social-insurance',
  'employer-medical-insurance',
  'housing-fund-account',
  'bank-appointment',
];
const PROVIDED: MaterialInput[] = [
  { id: 'identityProof', status: 'provided' },
  { id: 'premisesProof', status: 'provided' },
];
const DEFERRED_PREMISES = { ...deferred(), materials: [PROVIDED[0]!, ...deferred().materials] };

/** The Zhuhai network's centre with business-startup (proof of premises may be deferred), on a clock the test moves. */
async function setUp() {
  let now = T0;
  const clock = () => now;
  const docs = new MemoryDocStore();
  const network = loadNetworkFile(ZHUHAI_NETWORK_FILE);
  const { centre } = memoryCentre({ engine: createEngine({ clock }), clock, docs, network });
  const pkg = example('business-startup');
  pkg.bundle.materials.find((m: { id: string }) => m.id === 'premisesProof').deferrable = true;
  await centre.deployBundle(analyst, pkg);
  const accepted = async (input: Parameters<Centre['accept']>[2] = { materials: PROVIDED }, by = clerk) => {
    const { situation, ...data } = samples['business-startup']!;
    const app = await centre.createApplication(by, {
      bundleCode: 'business-startup',
      answers: situation!,
      data,
      applicant: { kind: 'person', name: '张三', idNumber: HOLDER, userId: 'zhangsan' },
    });
    return centre.accept(by, app.id, input);
  };
  return { centre, docs, accepted, advance: (ms: number) => (now += ms) };
}

/** Registration and the seal approved, tax rejects; social insurance, medical and housing fund approved; the bank still open. */
async function allButTheBank(centre: Centre, id: string) {
  await centre.approve(
    dept('market-regulation'),
    taskOf(id, 'enterprise-registration'),
    approvalOf('enterprise-registration'),
  );
  for (const [department, item] of AFTER_REGISTRATION) {
    if (item === 'bank-appointment') continue;
    if (item === 'new-taxpayer')
      await centre.reject(dept(department), taskOf(id, item), { reason: '法定代表人有欠税记录' });
    else await centre.approve(dept(department), taskOf(id, item), {});
  }
}

const entries = (app: Application, type: string) => app.timeline.filter((e) => e.type === type);
const resultItems = (entry: Application['timeline'][number]) =>
  (entry.data!.results as { item: string }[]).map((r) => r.item);

describe('分批出件: finished results before the last department decides', () => {
  it('hands over the licence, the seal and the rejection while the bank waits; the final delivery the rest', async () => {
    const { centre, accepted, advance } = await setUp();
    const app = await accepted();
    await allButTheBank(centre, app.id);
    advance(DAY);

    const batch = await centre.deliver(clerk, app.id, { channel: 'window', items: FIRST_BATCH });
    expect(batch.status).toBe('in-progress');
    expect(batch.deliveries).toEqual([
      {
        batch: 1,
        items: FIRST_BATCH,
        channel: 'window',
        by: clerk.userId,
        at: T0 + DAY,
        venue: 'xiangzhou-centre',
      },
    ]);
    const [entry] = entries(batch, 'delivered.batch');
    expect(entry).toMatchObject({ at: T0 + DAY, data: { channel: 'window', batch: 1 } });
    expect(resultItems(entry!)).toEqual(FIRST_BATCH);
    expect(entry!.data!.results).toContainEqual(
      expect.objectContaining({ item: 'new-taxpayer', status: 'rejected', reason: '法定代表人有欠税记录' }),
    );
    // 好差评 waits for the final delivery.
    await expect(centre.evaluate(applicantActor, app.id, { channel: 'app', level: 5 })).rejects.toMatchObject(
      { code: 'stateInvalid' },
    );

    await centre.approve(dept('bank'), taskOf(app.id, 'bank-appointment'), {});
    advance(DAY);
    const delivered = await centre.deliver(clerk, app.id, { channel: 'post' });
    expect(delivered.status).toBe('delivered');
    expect(delivered.delivery).toMatchObject({ channel: 'post', at: T0 + 2 * DAY });
    expect(delivered.deliveries!.map((d) => [d.batch, d.items, d.channel])).toEqual([
      [1, FIRST_BATCH, 'window'],
      [2, REST, 'post'],
    ]);
    const [final] = entries(delivered, 'delivered');
    expect(final!.data).toMatchObject({ channel: 'post', batch: 2 });
    expect(resultItems(final!)).toEqual(REST);
    const evaluated = await centre.evaluate(applicantActor, app.id, { channel: 'app', level: 5 });
    expect(evaluated.status).toBe('evaluated');
  });

  it('a batch that hands over the last results after every item is decided closes the case', async () => {
    const { centre, accepted } = await setUp();
    const app = await accepted();
    await allButTheBank(centre, app.id);
    await centre.deliver(clerk, app.id, { channel: 'window', items: FIRST_BATCH });
    await centre.approve(dept('bank'), taskOf(app.id, 'bank-appointment'), {});
    const part = await centre.deliver(clerk, app.id, { channel: 'electronic', items: ['bank-appointment'] });
    expect(part.status).toBe('results-ready');
    const last = await centre.deliver(clerk, app.id, { channel: 'window', items: REST.slice(0, 3) });
    expect(last.status).toBe('delivered');
    expect(last.deliveries!.map((d) => d.batch)).toEqual([1, 2, 3]);
    expect(entries(last, 'delivered.batch')).toHaveLength(2);
    expect(entries(last, 'delivered')).toHaveLength(1);
  });

  it('an item is handed over once; undecided items, other codes and an empty batch are refused, naming why', async () => {
    const { centre, accepted } = await setUp();
    const app = await accepted();
    const batch = (items: string[], channel: 'window' | 'post' = 'post') =>
      centre.deliver(clerk, app.id, { channel, items });
    await expect(batch([])).rejects.toMatchObject({
      code: 'stateInvalid',
      text: { zh: expect.stringContaining('没有已办结且尚未出件的事项') },
      fieldErrors: [{ field: 'items', message: { zh: '没有可出件的事项', en: 'nothing to hand over' } }],
    });

    await allButTheBank(centre, app.id);
    await batch(FIRST_BATCH, 'window');
    await expect(batch(['housing-fund-account', 'seal-filing'])).rejects.toMatchObject({
      code: 'stateInvalid',
      text: { en: expect.stringContaining('only items decided and not yet handed over') },
      fieldErrors: [
        { field: 'items[1]', message: { zh: '已于第 1 批出件', en: 'already handed over in batch 1' } },
      ],
    });
    await expect(batch(['bank-appointment'])).rejects.toMatchObject({
      fieldErrors: [{ field: 'items[0]', message: { zh: '尚在办理中，办结后方可出件' } }],
    });
    await expect(batch(['birth-certificate'])).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [{ field: 'items[0]', message: { zh: '本办件没有事项“birth-certificate”' } }],
    });
    await expect(batch([])).rejects.toMatchObject({
      code: 'invalid',
      fieldErrors: [{ field: 'items', message: { zh: expect.stringContaining('住房公积金') } }],
    });
    // None of the refusals handed anything over.
    const after = await centre.getApplication(clerk, app.id);
    expect(after.deliveries!.map((d) => d.items)).toEqual([FIRST_BATCH]);
  });

  it('the final delivery still needs every item decided; a batch checks the channel as it does', async () => {
    const { centre, accepted } = await setUp();
    const app = await accepted();
    await allButTheBank(centre, app.id);
    await expect(centre.deliver(clerk, app.id, { channel: 'window' })).rejects.toMatchObject({
      code: 'stateInvalid',
    });
    await expect(
      centre.deliver(clerk, app.id, { channel: 'pigeon' as 'post', items: FIRST_BATCH }),
    ).rejects.toMatchObject({ fieldErrors: [{ field: 'channel' }] });
  });

  it('at the window a batch goes out where the case was received (就近办), or by post', async () => {
    const { centre, accepted } = await setUp();
    const town: Actor = { ...clerk, userId: 'baijiao1', region: '440403102', venue: 'baijiao-centre' };
    const doumen: Actor = { ...clerk, userId: 'doumen1', region: '440403', venue: 'doumen-centre' };
    const app = await accepted({ materials: PROVIDED }, town);
    await allButTheBank(centre, app.id);
    await expect(
      centre.deliver(doumen, app.id, { channel: 'window', items: FIRST_BATCH }),
    ).rejects.toMatchObject({ fieldErrors: [{ field: 'channel' }] });
    const posted = await centre.deliver(doumen, app.id, { channel: 'post', items: FIRST_BATCH });
    expect(posted.deliveries).toEqual([
      expect.objectContaining({ channel: 'post', venue: 'baijiao-centre' }),
    ]);
  });
});

describe('容缺 materials still owed', () => {
  it('hold back the items they serve in a batch, not the others', async () => {
    const { centre, accepted } = await setUp();
    const app = await accepted(DEFERRED_PREMISES);
    await allButTheBank(centre, app.id);
    // The proof of premises serves registration only: the seal may go, the licence waits.
    await expect(
      centre.deliver(clerk, app.id, { channel: 'window', items: ['enterprise-registration', 'seal-filing'] }),
    ).rejects.toMatchObject({
      code: 'stateInvalid',
      text: { zh: '容缺材料尚未补齐，结果暂不出件' },
      fieldErrors: [{ field: 'materials.premisesProof', message: { zh: '待补交', en: 'pending' } }],
    });
    const seal = await centre.deliver(clerk, app.id, { channel: 'window', items: ['seal-filing'] });
    expect(seal.deliveries!.map((d) => d.items)).toEqual([['seal-filing']]);

    await centre.supplement(clerk, app.id, { materials: [{ id: 'premisesProof', status: 'provided' }] });
    const licence = await centre.deliver(clerk, app.id, {
      channel: 'window',
      items: ['enterprise-registration'],
    });
    expect(licence.deliveries!.map((d) => d.items)).toEqual([['seal-filing'], ['enterprise-registration']]);
  });
});

describe('who sees the batches', () => {
  it('the applicant sees every batch without staff ids; a department only the batches of its items', async () => {
    const { centre, accepted } = await setUp();
    const app = await accepted();
    await allButTheBank(centre, app.id);
    await centre.deliver(clerk, app.id, { channel: 'window', items: FIRST_BATCH });
    await centre.deliver(clerk, app.id, { channel: 'post', items: ['housing-fund-account'] });

    const mine = await centre.getApplication(applicantActor, app.id);
    expect(mine.deliveries!.map((d) => [d.batch, d.items])).toEqual([
      [1, FIRST_BATCH],
      [2, ['housing-fund-account']],
    ]);
    expect(mine.deliveries!.every((d) => d.by === undefined)).toBe(true);

    const housing = await centre.getApplication(dept('housing-fund'), app.id);
    expect(housing.deliveries).toEqual([
      expect.objectContaining({ batch: 2, items: ['housing-fund-account'] }),
    ]);
    expect(entries(housing, 'delivered.batch').map(resultItems)).toEqual([['housing-fund-account']]);
    const tax = await centre.getApplication(dept('tax'), app.id);
    expect(tax.deliveries!.map((d) => d.items)).toEqual([['new-taxpayer']]);
    expect(entries(tax, 'delivered.batch').map(resultItems)).toEqual([['new-taxpayer']]);
  });
});

describe('supervisor figures', () => {
  it('a case finishes when its last item is decided, not when a first batch goes out', async () => {
    const { centre, docs, accepted, advance } = await setUp();
    const app = await accepted();
    await allButTheBank(centre, app.id);
    advance(DAY);
    await centre.deliver(clerk, app.id, { channel: 'window', items: FIRST_BATCH });
    const isWorking = workingDaysOf(workingTimeLimits());
    const report = () =>
      new AggregateService({ docs, incidents: async () => [], isWorking }).report(supervisor, {});
    expect(await report()).toMatchObject({ open: 1, finished: 0, byStatus: { 'in-progress': 1 } });
    expect((await docs.get<CaseFigures>(CASE_FIGURES, app.id))!.finished).toBeUndefined();

    advance(DAY); // Wednesday 09:00: the bank decides, two working days after acceptance
    await centre.approve(dept('bank'), taskOf(app.id, 'bank-appointment'), {});
    advance(2 * DAY);
    await centre.deliver(clerk, app.id, { channel: 'window' });
    expect((await docs.get<CaseFigures>(CASE_FIGURES, app.id))!.finished).toEqual({ onTime: true, days: 2 });
    expect(await report()).toMatchObject({ open: 0, finished: 1, onTime: 1, averageDays: 2 });
  });
});
