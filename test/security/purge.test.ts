/**
 * Retention: ended applications older than the period become tombstones without personal data,
 * each with exactly one audit entry (also across an interrupted run); open, recent and
 * concurrently changed ones are left alone.
 */
import type { Application } from '../../engine/src/applications/types.js';
import { AuditLog } from '../../engine/src/audit/index.js';
import { MemoryDocStore, type Doc } from '../../engine/src/domain/docs.js';
import {
  PURGE_ACTION,
  purgeArchived,
  purgeExpiredResponses,
  tombstone,
  type Tombstone,
} from '../../engine/src/security/purge.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23);
const ID = '440402199003071232';

function app(
  id: string,
  status: Application['status'],
  endedDaysAgo: number,
  bundleCode = 'business-startup',
): Application {
  const end = NOW - endedDaysAgo * DAY;
  return {
    id,
    rev: 0,
    number: `BUSI-${id}`,
    bundleCode,
    bundleVersion: 1,
    processId: 'p',
    status,
    applicant: { kind: 'person', name: '张三', idNumber: ID, phone: '13800138000', userId: 'applicant1' },
    applicantUserId: 'applicant1',
    answers: { hiring: true },
    data: { legalRepIdNumber: ID, companyName: '某某科技' },
    items: [
      {
        item: 'enterprise-registration',
        name: { zh: '设立登记', en: 'Registration' },
        department: 'market-regulation',
        decidingDepartmentRegion: '440304',
        status: status === 'refused' ? 'terminated' : 'approved',
        limitDays: 3,
        reason: '张三 的名称重复',
        decidedAt: end - DAY,
      },
    ],
    materials: [],
    commitments: [],
    requests: [],
    notices: [],
    pauses: [],
    evaluations:
      status === 'evaluated'
        ? [{ channel: 'web', level: 5, at: end, by: 'applicant1', comment: '张三很满意' }]
        : [],
    departments: ['market-regulation'],
    region: '440305',
    createdAt: end - 10 * DAY,
    promisedDays: 5,
    ...(status === 'delivered' || status === 'evaluated'
      ? { deliveredAt: status === 'evaluated' ? end - DAY : end }
      : {}),
    ...(status === 'refused' || status === 'terminated' ? { endedAt: end, endReason: '张三 撤回' } : {}),
    timeline: [
      {
        at: end - 10 * DAY,
        type: 'created',
        by: { userId: 'applicant1', role: 'applicant' },
        data: { name: '张三' },
      },
      { at: end, type: 'ended', by: { userId: 'clerk1', role: 'clerk' } },
    ],
  };
}

async function seed(docs: MemoryDocStore, apps: Application[]) {
  for (const a of apps) await docs.put('applications', a, 0);
}

describe('purgeArchived', () => {
  it('tombstones ended applications past retention, each with one audit entry', async () => {
    const docs = new MemoryDocStore();
    const audit = new AuditLog(docs, () => NOW);
    await seed(docs, [
      app('old-delivered', 'delivered', 400),
      app('old-evaluated', 'evaluated', 400),
      app('old-refused', 'refused', 366),
      app('old-terminated', 'terminated', 1000),
      app('recent-delivered', 'delivered', 300),
      app('old-open', 'in-progress', 900),
      app('old-results', 'results-ready', 900),
      app('old-newborn', 'delivered', 400, 'newborn'),
    ]);
    const report = await purgeArchived(docs, {
      olderThanDays: 365,
      perBundle: { newborn: 3650 },
      now: NOW,
      audit,
    });
    expect(report.purged.sort()).toEqual(['old-delivered', 'old-evaluated', 'old-refused', 'old-terminated']);
    expect(report.examined).toBe(6);
    expect(report.conflicts).toEqual([]);

    for (const id of report.purged) {
      const t = (await docs.get<Tombstone>('applications', id))!;
      const text = JSON.stringify(t);
      for (const secret of [ID, '13800138000', '张三', 'applicant1', '某某科技'])
        expect(text).not.toContain(secret);
      expect(t).toMatchObject({
        number: `BUSI-${id}`,
        bundleCode: 'business-startup',
        region: '440305',
        purge: { at: NOW, audited: true, retentionDays: 365 },
      });
      expect(t.status).toBe(id.replace('old-', ''));
      // The deciding office's region stays: its calendar counts the item's days in the figures.
      expect(t.items[0]).toMatchObject({
        item: 'enterprise-registration',
        department: 'market-regulation',
        decidingDepartmentRegion: '440304',
      });
      expect(t.items[0]!.reason).toBeUndefined();
      expect(t.timeline.map((e) => e.type)).toEqual(['created', 'ended']);
      expect(t.applicantUserId).toBeUndefined();
    }
    for (const id of ['recent-delivered', 'old-open', 'old-results', 'old-newborn']) {
      expect((await docs.get<Application>('applications', id))!.applicant.idNumber).toBe(ID);
    }

    const entries = (await audit.list({ action: PURGE_ACTION, limit: 100 })).items;
    expect(entries.map((e) => e.target).sort()).toEqual(
      report.purged.sort().map((id) => `application:${id}`),
    );
    expect(entries[0]!.actor).toEqual({ userId: 'system:retention', role: 'system' });
    expect(entries.find((e) => e.target === 'application:old-refused')!.detail).toMatchObject({
      status: 'refused',
      retentionDays: 365,
      number: 'BUSI-old-refused',
    });
    expect((await audit.verify()).ok).toBe(true);

    // Idempotent: a second run purges and audits nothing more.
    const again = await purgeArchived(docs, { olderThanDays: 365, now: NOW, audit });
    expect(again.purged).toEqual(['old-newborn']); // without its per-bundle period now
    expect((await audit.list({ action: PURGE_ACTION, limit: 100 })).items).toHaveLength(5);
  });

  it('a dry run writes nothing', async () => {
    const docs = new MemoryDocStore();
    const audit = new AuditLog(docs, () => NOW);
    await seed(docs, [app('a', 'delivered', 400)]);
    expect((await purgeArchived(docs, { olderThanDays: 30, now: NOW, audit, dryRun: true })).purged).toEqual([
      'a',
    ]);
    expect((await docs.get<Application>('applications', 'a'))!.rev).toBe(1);
    expect((await audit.list()).items).toHaveLength(0);
  });

  it('a run interrupted between the tombstone and its audit entry is completed, audited once', async () => {
    const docs = new MemoryDocStore();
    const audit = new AuditLog(docs, () => NOW);
    await seed(docs, [app('a', 'delivered', 400)]);
    const a = (await docs.get<Application>('applications', 'a'))!;
    await docs.put('applications', tombstone(a, NOW, 365), a.rev); // the crash came here
    const report = await purgeArchived(docs, { olderThanDays: 365, now: NOW + DAY, audit });
    expect(report).toMatchObject({ purged: [], completed: ['a'] });
    expect((await docs.get<Tombstone>('applications', 'a'))!.purge.audited).toBe(true);
    await purgeArchived(docs, { olderThanDays: 365, now: NOW + 2 * DAY, audit });
    expect((await audit.list({ action: PURGE_ACTION })).items).toHaveLength(1);
  });

  it('an application changed concurrently is left for the next run, unaudited', async () => {
    const inner = new MemoryDocStore();
    const audit = new AuditLog(inner, () => NOW);
    await seed(inner, [app('a', 'delivered', 400), app('b', 'delivered', 400)]);
    // A writer that wins the race for 'a' just before the purge's compare-and-set.
    const racing = Object.create(inner) as MemoryDocStore;
    racing.put = async <T extends Doc>(collection: string, doc: T, rev: number): Promise<T> => {
      if (doc.id === 'a' && 'purge' in doc && rev === 1) {
        const current = (await inner.get<Application>('applications', 'a'))!;
        await inner.put('applications', { ...current, status: 'evaluated' }, current.rev);
      }
      return inner.put(collection, doc, rev);
    };
    const report = await purgeArchived(racing, { olderThanDays: 365, now: NOW, audit });
    expect(report).toMatchObject({ purged: ['b'], conflicts: ['a'] });
    expect((await inner.get<Application>('applications', 'a'))!.applicant.idNumber).toBe(ID);
    expect((await audit.list({ action: PURGE_ACTION })).items.map((e) => e.target)).toEqual([
      'application:b',
    ]);
  });

  it('refuses a nonsense period', async () => {
    const docs = new MemoryDocStore();
    await expect(purgeArchived(docs, { olderThanDays: -1, audit: new AuditLog(docs) })).rejects.toThrow(
      RangeError,
    );
    await expect(purgeArchived(docs, { olderThanDays: NaN, audit: new AuditLog(docs) })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('purgeExpiredResponses', () => {
  it('drops the stored response of expired idempotency records only', async () => {
    const docs = new MemoryDocStore();
    const response = { status: 201, body: { applicant: { idNumber: ID } }, headers: {} };
    await docs.put(
      'idempotency',
      { id: 'old', rev: 0, userId: 'u', state: 'done', expiresAt: NOW - 1, response },
      0,
    );
    await docs.put(
      'idempotency',
      { id: 'live', rev: 0, userId: 'u', state: 'done', expiresAt: NOW + 1, response },
      0,
    );
    expect(await purgeExpiredResponses(docs, NOW)).toBe(1);
    expect(JSON.stringify(await docs.get('idempotency', 'old'))).not.toContain(ID);
    expect(JSON.stringify(await docs.get('idempotency', 'live'))).toContain(ID);
    expect(await purgeExpiredResponses(docs, NOW)).toBe(0);
  });
});
