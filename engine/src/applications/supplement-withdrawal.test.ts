/**
 * A department's supplement request taken back unanswered (撤回) is withdrawn, never answered: it
 * keeps its own marker (when, by whom), the notice that carried only withdrawn requests is withdrawn
 * rather than resolved, a later supplement does not count it answered, and a request withdrawn
 * before the window's notice never goes into one. Each reader sees the marker; the applicant without
 * the staff member's id.
 */
import { samples } from '../../../forms/src/testing/samples.js';
import { createEngine } from '../index.js';
import type { Centre } from './centre.js';
import {
  analyst,
  applicantActor,
  clerk,
  dept,
  example,
  memoryCentre,
  T0,
} from '../testing/centre-fixtures.js';
import type { Application } from './types.js';

const HOUR = 3_600_000;
/** Free-text entries (其他): the clerk's empty supplement at the window answers them. */
const HOSPITAL = { entries: [{ problem: '请到窗口说明父亲身份信息' }] };
const CLINIC = { entries: [{ problem: '请到窗口说明接种门诊选择' }] };

/**
 * A newborn case just accepted: the birth certificate (hospital) and the vaccination certificate
 * (clinic) are both under review from the start, nothing decided yet.
 */
async function acceptedCase() {
  let now = T0;
  const clock = () => now;
  const { centre } = memoryCentre({ engine: createEngine({ clock }), clock });
  await centre.deployBundle(analyst, example('newborn'));
  const { situation, ...data } = structuredClone(samples.newborn!);
  const draft = await centre.createApplication(clerk, {
    bundleCode: 'newborn',
    answers: situation!,
    data,
    applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232', userId: 'zhangsan' },
  });
  const submitted = await centre.submit(clerk, draft.id);
  const materials = submitted.materials
    .filter((m) => m.required && m.status === 'missing')
    .map((m) => ({ id: m.id, status: 'provided' as const }));
  const app = await centre.accept(clerk, draft.id, { materials });
  return { centre, id: app.id, later: () => (now += HOUR) };
}

const BIRTH = 'birth-certificate';
const VACCINATION = 'vaccination-certificate';
const task = (id: string, item: string) => `${id}:${item}`;
const requestOf = (app: Application, item: string) => app.requests.find((r) => r.item === item)!;
/** How a request or notice was closed: answered (resolvedAt), withdrawn (withdrawnAt), or not yet ({}). */
const closed = ({ resolvedAt, withdrawnAt }: { resolvedAt?: number; withdrawnAt?: number }) => ({
  ...(resolvedAt !== undefined ? { resolvedAt } : {}),
  ...(withdrawnAt !== undefined ? { withdrawnAt } : {}),
});

/** The hospital and the clinic each ask; the window sends both out in one notice. */
async function bothAsked(centre: Centre, id: string) {
  await centre.requestSupplement(dept('hospital'), task(id, BIRTH), HOSPITAL);
  await centre.requestSupplement(dept('vaccination-clinic'), task(id, VACCINATION), CLINIC);
  await centre.issueNotice(clerk, id);
}

describe('a supplement request withdrawn unanswered (撤回)', () => {
  it('is marked withdrawn, by whom and when, and stays so when the rest of its notice is answered', async () => {
    const { centre, id, later } = await acceptedCase();
    await bothAsked(centre, id);
    const withdrawnAt = later();
    await centre.withdrawSupplementRequest(dept('hospital'), task(id, BIRTH));

    const waiting = await centre.getApplication(clerk, id);
    expect(requestOf(waiting, BIRTH)).toMatchObject({ withdrawnAt, withdrawnBy: 'hospital-1' });
    expect(requestOf(waiting, BIRTH).resolvedAt).toBeUndefined();
    expect(waiting.status).toBe('awaiting-supplement'); // the clinic's request still waits
    expect(waiting.notices.map(closed)).toEqual([{}]);

    // The window's empty supplement answers every free-text entry still asked: not the withdrawn one.
    const answeredAt = later();
    const done = await centre.supplement(clerk, id, {});
    expect(done.status).toBe('in-progress');
    expect(requestOf(done, VACCINATION)).toMatchObject({ resolvedAt: answeredAt });
    expect(closed(requestOf(done, BIRTH))).toEqual({ withdrawnAt });
    expect(done.notices.map(closed)).toEqual([{ resolvedAt: answeredAt }]);

    // The applicant sees it withdrawn, without the staff member's id; the department with it.
    const mine = await centre.getApplication(applicantActor, id);
    const seen = requestOf(mine, BIRTH);
    expect(closed(seen)).toEqual({ withdrawnAt });
    expect(seen).not.toHaveProperty('withdrawnBy');
    const hospital = await centre.getApplication(dept('hospital'), id);
    expect(hospital.requests).toMatchObject([{ item: BIRTH, withdrawnAt, withdrawnBy: 'hospital-1' }]);
  });

  it('withdraws a notice that carried nothing else: it waits no more, but was not answered', async () => {
    const { centre, id, later } = await acceptedCase();
    await centre.requestSupplement(dept('hospital'), task(id, BIRTH), HOSPITAL);
    expect((await centre.issueNotice(clerk, id)).status).toBe('awaiting-supplement');
    const withdrawnAt = later();
    await centre.withdrawSupplementRequest(dept('hospital'), task(id, BIRTH));
    const after = await centre.getApplication(clerk, id);
    expect(after.status).toBe('in-progress');
    expect(after.notices.map(closed)).toEqual([{ withdrawnAt }]);
    expect(after.pauses.every((p) => p.to !== undefined)).toBe(true);
    expect(after.items.find((i) => i.item === BIRTH)!.status).toBe('reviewing');
    // The applicant reads it the same way.
    expect((await centre.getApplication(applicantActor, id)).notices.map(closed)).toEqual([{ withdrawnAt }]);
  });

  it('before the window sent it out never goes into a notice', async () => {
    const { centre, id } = await acceptedCase();
    await centre.requestSupplement(dept('hospital'), task(id, BIRTH), HOSPITAL);
    await centre.withdrawSupplementRequest(dept('hospital'), task(id, BIRTH));
    await centre.requestSupplement(dept('vaccination-clinic'), task(id, VACCINATION), CLINIC);
    const noticed = await centre.issueNotice(clerk, id);
    expect(noticed.notices).toHaveLength(1);
    expect(noticed.notices[0]!.entries).toMatchObject([
      { item: VACCINATION, problem: CLINIC.entries[0]!.problem },
    ]);
    expect(requestOf(noticed, BIRTH).noticeId).toBeUndefined();
    expect(noticed.items.find((i) => i.item === BIRTH)!.status).toBe('reviewing');
  });
});
