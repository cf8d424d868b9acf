/** The audit log: a hash chain that never forks and whose every change verify() finds. */
import { AUDIT, AuditLog, entryId, hashEntry, type AuditEntry } from '../../engine/src/audit/index.js';
import { canonicalJson } from '../../engine/src/audit/canonical.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { MemoryDocStore } from '../../engine/src/domain/docs.js';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { ANSWERS, DATA, startCentreServer, type CentreServer } from './centre-fixture.js';
import { expectProblem, startServer, stubCentre, type TestServer } from './support.js';

const actor = { userId: 'clerk1', role: 'clerk', department: undefined, region: '440305' };
const append = (log: AuditLog, n: number) =>
  log.append({
    actor: { userId: actor.userId, role: actor.role, region: actor.region },
    action: 'applications.accept',
    target: `application:a${n}`,
    outcome: 'ok',
  });

describe('AuditLog', () => {
  it('chains entries: seq from 1, prevHash of each = hash of the one before', async () => {
    const log = new AuditLog(new MemoryDocStore(), () => 1_700_000_000_000);
    const a = await append(log, 1);
    const b = await append(log, 2);
    expect(a).toMatchObject({ seq: 1, prevHash: '0'.repeat(64), id: entryId(1) });
    expect(b.prevHash).toBe(a.hash);
    expect(hashEntry(b)).toBe(b.hash);
    expect(await log.verify()).toMatchObject({ ok: true, entries: 2, headSeq: 2, headHash: b.hash });
  });

  it('two processes on one store: the chain never forks and a command gets one entry', async () => {
    const docs = new MemoryDocStore();
    const a = new AuditLog(docs);
    const b = new AuditLog(docs);
    const input = (target: string) => ({
      actor: { userId: 'x', role: 'clerk' },
      action: 'a',
      target,
      outcome: 'ok' as const,
    });
    await append(a, 1);
    await append(b, 2); // a's remembered head is stale now
    await append(a, 3);
    // b appends command Y; a, whose own appends do not include it, must find it and not add another.
    const y = await b.append(input('y'), { commandId: 'Y', fromSeq: 0 });
    expect(await a.append(input('y'), { commandId: 'Y', fromSeq: 0 })).toMatchObject({
      seq: y.seq,
      hash: y.hash,
    });
    // a's own command: found again by a (its own appends) and by b (look-up).
    const z = await a.append(input('z'), { commandId: 'Z', fromSeq: 0 });
    expect(await a.append(input('z'), { commandId: 'Z', fromSeq: 0 })).toMatchObject({ seq: z.seq });
    expect(await b.append(input('z'), { commandId: 'Z', fromSeq: 0 })).toMatchObject({ seq: z.seq });
    await Promise.all([append(a, 6), append(b, 7), append(a, 8), append(b, 9)]);
    expect(await a.verify()).toMatchObject({ ok: true, entries: 9, headSeq: 9 });
  });

  it('canonical JSON sorts keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: undefined } })).toBe(
      '{"a":{"d":[1,"x",null]},"b":1}',
    );
  });

  it('never forks under concurrent appends from two writers on one store', async () => {
    const docs = new MemoryDocStore();
    const one = new AuditLog(docs);
    const two = new AuditLog(docs);
    await Promise.all(Array.from({ length: 60 }, (_, i) => append(i % 2 ? one : two, i)));
    const report = await one.verify();
    expect(report).toMatchObject({ ok: true, entries: 60, headSeq: 60 });
    const entries = await docs.find<AuditEntry>(AUDIT, { where: { kind: 'entry' }, orderBy: 'seq' });
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(new Set(entries.map((e) => e.target)).size).toBe(60);
  });

  it('finds a tampered entry, a rewritten one, a broken link and a missing tail', async () => {
    const build = async () => {
      const docs = new MemoryDocStore();
      const log = new AuditLog(docs);
      for (let i = 1; i <= 5; i++) await append(log, i);
      const get = async (seq: number) => (await docs.get<AuditEntry>(AUDIT, entryId(seq)))!;
      return { docs, log, get };
    };
    {
      const { docs, log, get } = await build();
      const e = await get(3);
      await docs.put(AUDIT, { ...e, outcome: 'denied' }, e.rev);
      expect((await log.verify()).firstBroken).toMatchObject({ seq: 3, reason: 'hash-mismatch' });
    }
    {
      // Rewritten with a recomputed hash: the next link no longer matches.
      const { docs, log, get } = await build();
      const e = await get(2);
      const changed = { ...e, target: 'application:other' };
      await docs.put(AUDIT, { ...changed, hash: hashEntry(changed) }, e.rev);
      const broken = (await log.verify()).firstBroken;
      expect(broken?.seq).toBe(2);
      expect(['rewritten', 'prev-hash-mismatch']).toContain(broken?.reason);
    }
    {
      const { docs, log, get } = await build();
      const e = await get(4);
      await docs.put(AUDIT, { ...e, prevHash: 'f'.repeat(64) }, e.rev);
      expect((await log.verify()).firstBroken).toMatchObject({ seq: 4 });
    }
    {
      // The head claims more than the collection holds (entries removed at the end).
      const { docs, log } = await build();
      const head = (await docs.get<{ id: string; rev: number; headSeq: number }>(AUDIT, 'head'))!;
      await docs.put(AUDIT, { ...head, headSeq: 7, last: undefined }, head.rev);
      expect((await log.verify()).firstBroken).toMatchObject({ seq: 6, reason: 'missing' });
    }
  });

  it('an entry whose writer died after moving the head is written by the next appender', async () => {
    const docs = new MemoryDocStore();
    const log = new AuditLog(docs);
    await append(log, 1);
    // Simulate the crash: move the head to entry 2 without storing it.
    const head = (await docs.get<{ id: string; rev: number; headSeq: number; hash: string }>(AUDIT, 'head'))!;
    const content = {
      kind: 'entry' as const,
      seq: 2,
      at: 5,
      actor: { userId: 'x', role: 'clerk' },
      userId: 'x',
      action: 'a',
      target: 't',
      outcome: 'ok' as const,
      prevHash: head.hash,
    };
    const pending = { id: entryId(2), rev: 0, ...content, hash: hashEntry(content) };
    await docs.put(AUDIT, { ...head, headSeq: 2, hash: pending.hash, last: pending }, head.rev);
    expect(await log.verify()).toMatchObject({ ok: true, headSeq: 2, entries: 1 });
    await append(log, 3);
    expect(await log.verify()).toMatchObject({ ok: true, headSeq: 3, entries: 3 });
  });

  it('a head stored by an earlier version (its number as seq) is read and extended', async () => {
    const docs = new MemoryDocStore();
    const first = await append(new AuditLog(docs), 1);
    const stored = (await docs.get<{ id: string; rev: number; headSeq?: number }>(AUDIT, 'head'))!;
    const { headSeq, ...rest } = stored;
    await docs.put(AUDIT, { ...rest, seq: headSeq }, stored.rev);
    const log = new AuditLog(docs);
    expect(await log.headSeq()).toBe(1);
    expect(await log.verify()).toMatchObject({ ok: true, headSeq: 1, headHash: first.hash });
    const second = await append(log, 2);
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
    expect(await docs.get(AUDIT, 'head')).toMatchObject({ headSeq: 2, hash: second.hash });
    expect(await docs.get(AUDIT, 'head')).not.toHaveProperty('seq');
    expect(await log.verify()).toMatchObject({ ok: true, entries: 2, headSeq: 2 });
  });

  it('moving the head leaves its index keys as they were (SQLite: no index entry rewritten per append)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-head-'));
    const docs = new SqliteDocStore(join(dir, 'docs.db'), DOC_INDEXES);
    try {
      const log = new AuditLog(docs);
      const keysOfHead = () =>
        (docs as unknown as { db: Database.Database }).db
          .prepare("SELECT keys FROM docs WHERE collection = 'audit' AND id = 'head'")
          .pluck()
          .get() as string;
      await append(log, 1);
      const before = keysOfHead();
      await append(log, 2);
      await append(log, 3);
      expect(keysOfHead()).toBe(before);
      expect(await log.verify()).toMatchObject({ ok: true, entries: 3, headSeq: 3 });
    } finally {
      docs.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('audit over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({
      centre: stubCentre({
        async retireBundle() {
          return [];
        },
      }),
    });
  });
  afterAll(() => s.close());

  it('every POST is audited with actor, action, target and outcome; supervisors list and verify; tampering shows', async () => {
    await s.call('POST', '/api/bundles/newborn/retire', { as: 'analyst1' });
    await s.call('POST', '/api/bundles/newborn/retire', { as: 'clerk1' }); // denied
    await s.call('POST', '/api/applications/a1/accept', { as: 'clerk1', body: { materials: [] } }); // stub: 404
    const list = await s.call('GET', '/api/audit?limit=2', { as: 'supervisor1' });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.next).toEqual(expect.any(String));
    expect(list.body.items[0]).toMatchObject({
      action: 'applications.accept',
      target: 'application:a1',
      outcome: 'rejected',
      actor: { userId: 'clerk1', role: 'clerk', region: '440402' },
      detail: { status: 404 },
    });
    expect(list.body.items[1]).toMatchObject({
      action: 'bundles.retire',
      target: 'bundle:newborn',
      outcome: 'denied',
    });
    const rest = await s.call('GET', `/api/audit?limit=10&after=${encodeURIComponent(list.body.next)}`, {
      as: 'supervisor1',
    });
    expect(rest.body.items[0]).toMatchObject({
      action: 'bundles.retire',
      outcome: 'ok',
      actor: { userId: 'analyst1', role: 'analyst' },
    });

    expect((await s.call('GET', '/api/audit/verify', { as: 'supervisor1' })).body).toMatchObject({
      ok: true,
      entries: 3,
    });
    expectProblem(await s.call('GET', '/api/audit/verify', { as: 'clerk1' }), 403);
    expectProblem(await s.call('GET', '/api/audit', { as: 'analyst1' }), 403);

    const e = (await s.docs.get<AuditEntry>(AUDIT, entryId(2)))!;
    await s.docs.put(AUDIT, { ...e, actor: { ...e.actor, userId: 'someone-else' } }, e.rev);
    const report = (await s.call('GET', '/api/audit/verify', { as: 'supervisor1' })).body;
    expect(report).toMatchObject({ ok: false, firstBroken: { seq: 2, reason: 'hash-mismatch' } });
    expect(report.firstBroken.message.zh).toMatch(/第 2 条/);
  });
});

describe('audit over HTTP, by region (SECURITY.md: a supervisor reads the audit log of their region)', () => {
  let c: CentreServer;
  let xiangzhou: string;
  let doumen: string;
  type Listed = { actor: { userId: string; region?: string }; action: string; target: string };
  const list = async (as: string, query = 'limit=500') =>
    (await c.ok('GET', `/api/audit?${query}`, { as })).items as Listed[];
  const show = (entries: Listed[]) => entries.map((e) => `${e.actor.userId} ${e.action} ${e.target}`);
  /** What `as` sees of the log, checked to hold `expected`. */
  const seenBy = async (as: string, expected: string[]) => {
    const seen = show(await list(as));
    expect(seen).toEqual(expect.arrayContaining(expected));
    return seen;
  };

  beforeAll(async () => {
    c = await startCentreServer();
    const create = async (clerk: string, userId: string) =>
      (
        await c.ok('POST', '/api/applications', {
          as: clerk,
          body: {
            bundleCode: 'business-startup',
            answers: ANSWERS,
            data: DATA,
            applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232', userId },
          },
        })
      ).id as string;
    doumen = await create('clerk2', 'applicant2'); // 斗门 440403
    await c.ok('GET', `/api/applications/${doumen}`, { as: 'applicant2' });
    xiangzhou = await create('clerk1', 'applicant1'); // 香洲 440402
    await c.ok('GET', `/api/applications/${xiangzhou}`, { as: 'applicant1' });
    expect((await c.call('GET', `/api/applications/${xiangzhou}`, { as: 'supervisor2' })).status).toBe(404);
    const login = await c.call('POST', '/api/auth/token', {
      body: { username: 'clerk1', password: 'clerk1pass' },
    });
    expect(login.status).toBe(200);
  });
  afterAll(() => c.close());

  it("斗门's supervisor sees 斗门's staff and cases, not 香洲's nor their applicants", async () => {
    const seen = await seenBy('supervisor2', [
      `clerk2 applications.create application:${doumen}`,
      `applicant2 applications.get application:${doumen}`,
      `supervisor2 applications.get application:${xiangzhou}`, // their own attempt
    ]);
    expect(seen.filter((e) => /^(clerk1|applicant1) /.test(e) || e.includes('user:clerk1'))).toEqual([]);
    expect(await list('supervisor2', 'userId=applicant1')).toEqual([]);
    expect(await list('supervisor2', 'userId=clerk1')).toEqual([]);
  });

  it("香洲's supervisor sees 香洲's staff, log-ins and cases, also what others did to them", async () => {
    const seen = await seenBy('supervisor3', [
      `clerk1 applications.create application:${xiangzhou}`,
      `applicant1 applications.get application:${xiangzhou}`,
      `supervisor2 applications.get application:${xiangzhou}`,
      'clerk1 auth.token user:clerk1',
    ]);
    expect(seen.filter((e) => e.includes(doumen))).toEqual([]);
  });

  it('the city supervisor sees everything; a page is filled past entries outside the region', async () => {
    await seenBy('supervisor1', [
      `clerk2 applications.create application:${doumen}`,
      'clerk1 auth.token user:clerk1',
    ]);
    // The newest entries are 香洲's: 斗门's first page of one still holds one of its own.
    const first = await c.ok('GET', '/api/audit?limit=1', { as: 'supervisor2' });
    expect(show(first.items)).toEqual([`supervisor2 applications.get application:${xiangzhou}`]);
    const second = await c.ok('GET', `/api/audit?limit=1&after=${encodeURIComponent(first.next)}`, {
      as: 'supervisor2',
    });
    expect(show(second.items)).toEqual([`applicant2 applications.get application:${doumen}`]);
  });

  it("reads an instance once per page however many entries name it (an incident's retries)", async () => {
    const retry = (instanceId: string) =>
      c.audit.append({
        actor: { userId: 'operator9', role: 'supervisor' },
        action: 'incidents.retry',
        target: `instance:${instanceId}`,
        outcome: 'ok',
      });
    for (let i = 0; i < 5; i++) await retry('gone-instance-1');
    await retry('gone-instance-2');
    const store = c.engine.store;
    const read = store.getInstance.bind(store);
    const asked: string[] = [];
    store.getInstance = (id) => (asked.push(id), read(id));
    try {
      const seen = show(await list('supervisor2', 'limit=20'));
      // Without a case behind them, region-less entries are for city-wide supervisors only.
      expect(seen.filter((e) => e.includes('gone-instance'))).toEqual([]);
      expect(asked.sort()).toEqual(['gone-instance-1', 'gone-instance-2']);
    } finally {
      store.getInstance = read;
    }
  });

  it("a material file's entries are the case's: its district's supervisor sees them, another's not", async () => {
    // A material file's entries, as the file routes write them (routers/uploads.ts).
    for (const [userId, appId] of [
      ['applicant1', xiangzhou],
      ['applicant2', doumen],
    ] as const)
      await c.audit.append({
        actor: { userId, role: 'applicant' },
        action: 'materials.upload',
        target: `application:${appId}/material:identityProof`,
        outcome: 'ok',
      });
    const target = (appId: string) => `application:${appId}/material:identityProof`;
    const files = async (as: string) => show(await list(as)).filter((e) => e.includes('materials.upload'));
    expect(await files('supervisor3')).toEqual([`applicant1 materials.upload ${target(xiangzhou)}`]);
    expect(await files('supervisor2')).toEqual([`applicant2 materials.upload ${target(doumen)}`]);
  });
});
