/** A case's life after acceptance on the example bundles: 容缺 overdue, supplement requests, 告知承诺 post-checks. */
import { samples } from '../../../forms/src/testing/samples.js';
import { DomainError } from '../domain/errors.js';
import { MemoryDocStore } from '../domain/docs.js';
import { createEngine } from '../index.js';
import { Centre } from './centre.js';
import { analyst, applicantActor, clerk, deferred, dept, example, T0 } from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import { workingTimeLimits } from './working-time.js';
import type { CommitmentInput, MaterialInput } from './api.js';
import type { Application } from './types.js';

const DAY = 86_400_000;
const PERSON = {
  kind: 'person' as const,
  name: '张三',
  idNumber: '440402199003071232',
  phone: '13800138000',
  userId: 'zhangsan',
};
const APPLICANTS: Record<string, typeof PERSON> = {
  newborn: PERSON,
  restaurant: { ...PERSON, name: '陈六' },
  'flexible-employment': { ...PERSON, name: '王芳', idNumber: '440403199206150025' },
};
/** The restaurant's commitment letters, signed at the window (告知承诺). */
const RESTAURANT_COMMITMENT: CommitmentInput = {
  kind: 'licence',
  materials: ['fireSafetyCommitment', 'foodSafetyRules'],
  signer: '陈六',
  text: '本人承诺符合消防安全和食品安全要求',
};
/** The flexible worker's declaration (灵活就业情况承诺书), signed at the window. */
const DECLARATION: CommitmentInput = {
  kind: 'proof',
  materials: ['flexibleEmploymentDeclaration'],
  signer: '王芳',
  text: '本人承诺以上就业情况属实',
};
type Bundle = ReturnType<typeof example>;

/** A centre with the example bundles (each may be changed first) on a clock the test moves. */
async function desk(codes: string[], change?: (code: string, pkg: Bundle) => void) {
  let now = T0;
  const centre = new Centre({
    engine: createEngine({ clock: () => now }),
    docs: new MemoryDocStore(),
    timeLimits: workingTimeLimits(),
    clock: () => now,
    defaultDeferralDays: 5,
  });
  for (const code of codes) {
    const pkg = example(code);
    change?.(code, pkg);
    await centre.deployBundle(analyst, pkg);
  }
  /** Submitted and accepted, every required material not named seen at the window. */
  const accept = async (
    code: string,
    materials: MaterialInput[] = [],
    commitments: CommitmentInput[] = [],
    answers: Record<string, unknown> = {},
  ) => {
    const { situation, ...data } = structuredClone(samples[code]!);
    const draft = await centre.createApplication(clerk, {
      bundleCode: code,
      answers: { ...situation, ...answers },
      data,
      applicant: APPLICANTS[code]!,
    });
    const app = await centre.submit(clerk, draft.id);
    const named = new Set(materials.map((m) => m.id));
    const rest = app.materials
      .filter((m) => m.required && m.status === 'missing' && !named.has(m.id))
      .map((m) => ({ id: m.id, status: 'provided' as const }));
    return centre.accept(clerk, app.id, { materials: [...materials, ...rest], commitments });
  };
  /** Each item's department approves it as soon as the process reaches it. */
  const approveAll = async (id: string) => {
    for (let open = await openItems(id); open.length; open = await openItems(id))
      for (const item of open)
        await centre.approve(dept(item.department), `${id}:${item.item}`, approvalOf(item.item));
    return centre.getApplication(clerk, id);
  };
  const openItems = async (id: string) =>
    (await centre.getApplication(clerk, id)).items.filter((i) => i.status === 'reviewing' && i.taskId);
  return { centre, accept, approveAll, advance: (ms: number) => (now += ms) };
}

const statusOf = (app: Application) => Object.fromEntries(app.items.map((i) => [i.item, i.status]));

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

describe('容缺: a deferred material overdue', () => {
  it('revokes only the items it serves; the other results stand and are handed over', async () => {
    const { centre, accept, approveAll, advance } = await desk(['newborn']);
    const photo = deferred('babyPhoto', '张三');
    const app = await accept('newborn', photo.materials, photo.commitments);
    const decided = await approveAll(app.id);
    expect(decided.status).toBe('results-ready');

    advance(10 * DAY);
    expect(await centre.sweep()).toMatchObject({ terminated: 1 });
    const after = await centre.getApplication(clerk, app.id);
    expect(statusOf(after)).toEqual({
      'birth-certificate': 'approved',
      'vaccination-certificate': 'approved',
      'birth-registration': 'approved',
      'medical-enrolment': 'approved',
      'social-security-card': 'revoked',
    });
    const card = after.items.find((i) => i.item === 'social-security-card')!;
    expect(card.reason).toMatch(/容缺材料「.+」逾期未补交 \/ deferred material ".+" not supplied in time/);
    const birth = after.items.find((i) => i.item === 'birth-certificate')!;
    expect((await centre.licences.get(birth.licenceId!))?.status).toBe('valid');
    const overdue = after.timeline.find((e) => e.type === 'deferral.overdue')!;
    expect(overdue.data).toMatchObject({ materials: ['babyPhoto'], items: ['social-security-card'] });
    expect(overdue.data!.reason).toEqual({
      zh: expect.stringContaining('逾期'),
      en: expect.stringContaining('not supplied'),
    });

    const delivered = await centre.deliver(clerk, app.id, { channel: 'window' });
    expect(delivered.status).toBe('delivered');
  });

  it('ends an open item it serves, and the items after it are not handled; the rest go on', async () => {
    // babyPhoto also serves birth registration, which medical enrolment and the card come after.
    const { centre, accept, approveAll, advance } = await desk(['newborn'], (_code, pkg) => {
      const registration = pkg.bundle.items.find((i: { code: string }) => i.code === 'birth-registration');
      registration.materials.push({ material: 'babyPhoto' });
    });
    const photo = deferred('babyPhoto', '张三');
    const app = await accept('newborn', photo.materials, photo.commitments);
    await centre.approve(dept('hospital'), `${app.id}:birth-certificate`, approvalOf('birth-certificate'));
    await centre.approve(dept('vaccination-clinic'), `${app.id}:vaccination-certificate`, {});

    advance(10 * DAY);
    await centre.sweep();
    const after = await approveAll(app.id);
    expect(statusOf(after)).toEqual({
      'birth-certificate': 'approved',
      'vaccination-certificate': 'approved',
      'birth-registration': 'terminated',
      'medical-enrolment': 'terminated',
      'social-security-card': 'terminated',
    });
    expect(after.items.find((i) => i.item === 'medical-enrolment')!.reason).toMatch(/preceding item/);
    expect(after.status).toBe('results-ready');
    expect((await centre.deliver(clerk, app.id, { channel: 'window' })).status).toBe('delivered');
  });

  it('terminates the whole case when nothing else stands', async () => {
    const { centre, accept, advance } = await desk(['restaurant'], (_code, pkg) => {
      // Every item of the case serves the consent: none is left when it is overdue.
      for (const item of pkg.bundle.items) {
        if (!item.materials.some((m: { material: string }) => m.material === 'ownerConsent'))
          item.materials.push({ material: 'ownerConsent' });
      }
    });
    const consent = deferred('ownerConsent', '陈六');
    const app = await accept('restaurant', consent.materials, [
      ...consent.commitments,
      RESTAURANT_COMMITMENT,
    ]);
    advance(10 * DAY);
    await centre.sweep();
    const after = await centre.getApplication(clerk, app.id);
    expect(after.status).toBe('terminated');
    expect(after.items.every((i) => i.status === 'terminated')).toBe(true);
  });
});

describe('supplement requests after acceptance', () => {
  const DECIDED_FIRST = [
    ['employment-service', 'flexible-employment-registration'],
    ['social-insurance-agency', 'pension-enrolment'],
    ['medical-security', 'medical-enrolment'],
  ] as const;
  const BANK_ACCOUNT = {
    fieldId: 'bankAccount',
    problem: '账号与户名不符',
    requirement: '提供本人名下借记卡',
  };

  it('are refused for a field an item already decided uses, naming the field and the item', async () => {
    const { centre, accept } = await desk(['flexible-employment']);
    const app = await accept('flexible-employment', [], [DECLARATION]);
    for (const [department, item] of [...DECIDED_FIRST, ['hrss', 'insurance-subsidy'] as const])
      await centre.approve(dept(department), `${app.id}:${item}`, {});
    const err = await refusal(
      centre.requestSupplement(dept('tax'), `${app.id}:contribution-payment`, { entries: [BANK_ACCOUNT] }),
    );
    expect(err.code).toBe('stateInvalid');
    expect(err.fieldErrors).toHaveLength(1);
    const [problem] = err.fieldErrors;
    expect(problem!.field).toBe('entries[0].fieldId');
    expect(problem!.message.zh).toMatch(/「银行账号」.*灵活就业社会保险补贴申领/);
    expect(problem!.message.en).toMatch(
      /"Bank account number" is used by Social insurance subsidy, already decided/,
    );
    // Nothing was asked: tax still decides.
    const task = await centre.approve(dept('tax'), `${app.id}:contribution-payment`, {});
    expect(task.status).toBe('approved');
  });

  it('may be withdrawn when the applicant can no longer answer them; the case runs on', async () => {
    const { centre, accept } = await desk(['flexible-employment']);
    const app = await accept('flexible-employment', [], [DECLARATION]);
    for (const [department, item] of DECIDED_FIRST)
      await centre.approve(dept(department), `${app.id}:${item}`, {});
    const tax = `${app.id}:contribution-payment`;
    // Asked while the subsidy, which uses the same account, was still undecided; then it is decided.
    await centre.requestSupplement(dept('tax'), tax, { entries: [BANK_ACCOUNT] });
    await centre.approve(dept('hrss'), `${app.id}:insurance-subsidy`, {});
    expect((await centre.getApplication(clerk, app.id)).status).toBe('awaiting-supplement');
    const answer = await refusal(
      centre.supplement(applicantActor, app.id, { data: { bankAccount: '6222020200112233446' } }),
    );
    expect(answer.code).toBe('stateInvalid');

    await centre.withdrawSupplementRequest(dept('tax'), tax);
    const after = await centre.getApplication(clerk, app.id);
    expect(after.status).toBe('in-progress');
    // Its only request taken back: the notice waits no more, withdrawn rather than answered.
    expect(after.notices.every((n) => n.withdrawnAt !== undefined && n.resolvedAt === undefined)).toBe(true);
    expect(after.timeline.some((e) => e.type === 'supplement.withdrawn')).toBe(true);
    await centre.reject(dept('tax'), tax, { reason: '银行拒绝签约 / the bank refused the account' });
    expect((await centre.getApplication(clerk, app.id)).status).toBe('results-ready');
    expect((await refusal(centre.withdrawSupplementRequest(dept('tax'), tax))).code).toBe('stateInvalid');
  });
});

describe('告知承诺: items granted on a commitment letter', () => {
  it('not named by a commitment the clerk recorded are signed at the window, as generated forms are, and post-checked', async () => {
    const { accept, approveAll } = await desk(['restaurant']);
    const app = await accept('restaurant');
    const letters = app.materials.filter((m) => ['fireSafetyCommitment', 'foodSafetyRules'].includes(m.id));
    expect(letters.map((m) => m.status)).toEqual(['commitment', 'commitment']);
    for (const letter of letters) {
      const signed = app.commitments.find((c) => c.id === letter.commitmentId)!;
      expect(signed).toMatchObject({ kind: 'licence', materials: [letter.id], signer: app.applicant.name });
    }
    const done = await approveAll(app.id);
    expect(done.items.find((i) => i.item === 'fire-safety')!.postCheck?.dueAt).toBeGreaterThan(T0);
  });

  it('are no commitment where the rules allow none: with bottled gas the fire check is an inspection, not a pledge', async () => {
    const { accept, approveAll } = await desk(['restaurant']);
    const app = await accept('restaurant', [], [], { cookingEnergy: 'bottledLpg' });
    expect(app.materials.find((m) => m.id === 'fireSafetyCommitment')!.status).not.toBe('commitment');
    expect(app.commitments.some((c) => c.materials.includes('fireSafetyCommitment'))).toBe(false);
    const done = await approveAll(app.id);
    expect(done.items.find((i) => i.item === 'fire-safety')!.postCheck).toBeUndefined();
  });

  it('get a post-check at approval, and a false commitment revokes the licence', async () => {
    const { centre, accept, approveAll } = await desk(['restaurant']);
    const app = await accept('restaurant', [], [RESTAURANT_COMMITMENT]);
    expect(app.commitments).toHaveLength(1);
    expect(app.materials.find((m) => m.id === 'fireSafetyCommitment')).toMatchObject({
      status: 'commitment',
      commitmentId: app.commitments[0]!.id,
    });
    const done = await approveAll(app.id);
    const item = (code: string) => done.items.find((i) => i.item === code)!;
    expect(item('fire-safety').postCheck?.dueAt).toBeGreaterThan(T0);
    expect(item('food-licence').postCheck?.dueAt).toBeGreaterThan(T0);
    expect(item('sewer-discharge').postCheck).toBeUndefined();

    await centre.recordPostCheck(dept('market-regulation'), `${app.id}:food-licence`, { result: 'false' });
    const after = await centre.getApplication(clerk, app.id);
    const food = after.items.find((i) => i.item === 'food-licence')!;
    expect(food.status).toBe('revoked');
    expect((await centre.licences.get(food.licenceId!))?.status).toBe('revoked');
  });
});
