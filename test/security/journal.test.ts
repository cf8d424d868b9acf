/**
 * The command journal (engine/src/audit/journal.ts) on every DocStore adapter: a command's writes
 * carry its id, an intent is open until its audit entry is appended; a "crash" (the entry never
 * appended) is recovered by another journal exactly once — also when two recover at the same
 * time or the slow original comes back — and a command whose write never landed gets no entry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { AUDIT, AuditLog, type AuditEntry } from '../../engine/src/audit/index.js';
import { AUDIT_INTENTS, CommandJournal, STAMP } from '../../engine/src/audit/journal.js';
import { DocConflictError, MemoryDocStore, type Doc, type DocStore } from '../../engine/src/domain/docs.js';
import { MongoDocStore } from '../../engine/src/domain/docs-mongo.js';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { IdempotencyStore } from '../../engine/src/http/idempotency.js';
import { freshDbUri } from '../support/mongo.js';

interface Case extends Doc {
  status: string;
}

const stores: [string, () => Promise<{ docs: DocStore; close(): Promise<void> }>][] = [
  ['memory', async () => ({ docs: new MemoryDocStore(), close: async () => {} })],
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'onething-journal-'));
      const docs = new SqliteDocStore(join(dir, 'docs.db'), DOC_INDEXES);
      return { docs, close: async () => (docs.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
  [
    'mongo',
    async () => {
      const connection = await mongoose.createConnection(freshDbUri('journal')).asPromise();
      return { docs: new MongoDocStore(connection, DOC_INDEXES), close: () => connection.close() };
    },
  ],
];

const actor = { userId: 'clerk1', role: 'clerk', region: '440402' };
const info = (requestId: string, target?: string) => ({
  requestId,
  actor,
  action: 'applications.submit',
  ...(target ? { target } : {}),
});
const ok = (requestId: string) => ({
  target: 'application:a1',
  outcome: 'ok' as const,
  detail: { requestId },
});

describe.each(stores)('command journal on %s', (_name, open) => {
  let raw: DocStore;
  let close: () => Promise<void>;
  let now = Date.UTC(2026, 10, 25, 8, 0);
  const clock = () => now;
  /** Another process: same host and pid (this test), so only staleness lets it take over. */
  const other = () => {
    const audit = new AuditLog(raw, clock);
    return { audit, journal: new CommandJournal(raw, audit, clock, 60_000) };
  };
  const entries = () => raw.find<AuditEntry>(AUDIT, { where: { kind: 'entry' } });
  const openIntents = () => raw.count(AUDIT_INTENTS, { state: 'open' });

  /** A submit of case a1 that committed; its process dies before complete(). */
  const submitThenDie = async () => {
    await raw.put<Case>('applications', { id: 'a1', rev: 0, status: 'draft' }, 0);
    const first = other();
    const crashed = await first.journal.run(info('r-crash', 'application:a1'), async () => {
      const current = (await first.journal.docs.get<Case>('applications', 'a1'))!;
      return first.journal.docs.put<Case>('applications', { ...current, status: 'submitted' }, current.rev);
    });
    return { first, crashed };
  };

  beforeEach(async () => ({ docs: raw, close } = await open()));
  afterEach(() => close());

  it('stamps the write, hides the stamp, appends one entry and closes the intent; slots are reused', async () => {
    const { audit, journal } = other();
    const created = await journal.run(info('r0'), () =>
      journal.docs.put<Case>('applications', { id: 'a1', rev: 0, status: 'draft' }, 0),
    );
    expect(created.value).toEqual({ id: 'a1', rev: 1, status: 'draft' });
    expect((await raw.get<Case & { [STAMP]: string[] }>('applications', 'a1'))![STAMP]).toEqual([
      created.command.commandId,
    ]);
    expect(await journal.docs.get('applications', 'a1')).toEqual({ id: 'a1', rev: 1, status: 'draft' });
    expect(await journal.docs.find('applications')).toEqual([{ id: 'a1', rev: 1, status: 'draft' }]);
    expect(await openIntents()).toBe(1);
    await journal.complete(created.command, ok('r0'));
    expect(await openIntents()).toBe(0);
    for (let i = 1; i <= 20; i++) {
      const run = await journal.run(info(`r${i}`), async () => {
        const current = (await journal.docs.get<Case>('applications', 'a1'))!;
        return journal.docs.put<Case>('applications', { ...current, status: `s${i}` }, current.rev);
      });
      await journal.complete(run.command, ok(`r${i}`));
    }
    // Twenty-one commands, one at a time: one intent record, reused.
    expect(await raw.count(AUDIT_INTENTS)).toBe(1);
    const all = await entries();
    expect(all).toHaveLength(21);
    expect(new Set(all.map((e) => e.commandId)).size).toBe(21);
    // The document remembers the last 16 commands.
    expect((await raw.get<Case & { [STAMP]: string[] }>('applications', 'a1'))![STAMP]).toHaveLength(16);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('a command that committed but was never audited is audited once by a recovery elsewhere', async () => {
    const { first, crashed } = await submitThenDie();
    // …and the process dies here: no complete(). Later commands change the same case.
    const busy = other();
    for (let i = 0; i < 3; i++) {
      const run = await busy.journal.run(info(`later${i}`), async () => {
        const current = (await busy.journal.docs.get<Case>('applications', 'a1'))!;
        return busy.journal.docs.put<Case>('applications', { ...current, status: `later${i}` }, current.rev);
      });
      await busy.journal.complete(run.command, ok(`later${i}`));
    }

    // Too early: an intent of a running process (same host, pid alive) is left alone.
    const recoverer = other();
    expect(await recoverer.journal.recover()).toEqual({ closed: 0, audited: 0 });
    now += 61_000;
    // Two recoveries at once, as two restarted processes would: one entry.
    const twin = other();
    const results = await Promise.all([recoverer.journal.recover(), twin.journal.recover()]);
    expect(results.reduce((n, r) => n + r.closed, 0)).toBe(1);
    const recovered = (await entries()).filter((e) => e.commandId === crashed.command.commandId);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({
      action: 'applications.submit',
      target: 'application:a1',
      outcome: 'ok',
      actor,
      detail: { requestId: 'r-crash', recovered: true },
    });
    expect(await openIntents()).toBe(0);
    // The slow original comes back after all: still one entry.
    await first.journal.complete(crashed.command, ok('r-crash'));
    expect((await entries()).filter((e) => e.commandId === crashed.command.commandId)).toHaveLength(1);
    expect((await recoverer.audit.verify()).ok).toBe(true);
  });

  it('a create with no target known beforehand is entered under the document it wrote', async () => {
    const first = other();
    await first.journal.run(info('r-create'), () =>
      first.journal.docs.put<Case>('applications', { id: 'new-1', rev: 0, status: 'draft' }, 0),
    );
    now += 61_000;
    await other().journal.recover();
    const [entry] = await entries();
    expect(entry).toMatchObject({
      target: 'application:new-1',
      detail: { requestId: 'r-create', recovered: true },
    });
  });

  it('a command whose write never landed gets no entry: nothing changed', async () => {
    await raw.put<Case>('applications', { id: 'a1', rev: 0, status: 'draft' }, 0);
    const first = other();
    const lost = await first.journal.run(info('r-lost', 'application:a1'), () =>
      first.journal.docs.put<Case>('applications', { id: 'a1', rev: 0, status: 'stale' }, 0),
    );
    expect(lost.error).toBeInstanceOf(DocConflictError);
    // Where intent and write commit together (DocStore.writeAll), the lost write took its intent with it.
    const leftOpen = raw.writeAll ? 0 : 1;
    expect(await openIntents()).toBe(leftOpen);
    now += 61_000;
    expect(await other().journal.recover()).toEqual({ closed: leftOpen, audited: 0 });
    expect(await entries()).toEqual([]);
    expect((await raw.get<Case>('applications', 'a1'))!.status).toBe('draft');
  });

  it("settles a recovered command's Idempotency-Key: committed → 409 applied-response-lost, else retry at once", async () => {
    await raw.put<Case>('applications', { id: 'a1', rev: 0, status: 'draft' }, 0);
    const keys = new IdempotencyStore(raw, clock);
    const request = (body: unknown) => ({ method: 'POST', path: '/api/applications/a1/submit', body });
    const first = other();
    const leases = [];
    for (const [key, body, expectedRev] of [
      ['k-done', { n: 1 }, 1],
      ['k-lost', { n: 2 }, 0],
    ] as const) {
      const begun = await keys.begin('clerk1', key, request(body));
      if (!('lease' in begun)) throw new Error('expected a lease');
      leases.push(begun.lease.record.id);
      await first.journal.run({ ...info(key, 'application:a1'), leaseId: begun.lease.record.id }, async () =>
        first.journal.docs.put<Case>('applications', { id: 'a1', rev: 0, status: key }, expectedRev),
      );
      await expect(keys.begin('clerk1', key, request(body))).rejects.toMatchObject({
        kind: 'idempotency-in-progress',
      });
    }
    now += 61_000;
    const { journal } = other();
    const told: unknown[] = [];
    journal.onRecovered = async (outcome) => {
      told.push(outcome);
      if (outcome.leaseId) await keys.settle(outcome.leaseId, outcome);
    };
    // k-lost's write conflicted: where intent and write commit together (DocStore.writeAll) it left
    // no intent to recover, and its key is free again once stale, as for a command that died
    // before writing; elsewhere its open intent is closed and the key freed by the recovery.
    const atomic = !!raw.writeAll;
    expect(await journal.recover()).toEqual({ closed: atomic ? 1 : 2, audited: 1 });
    expect(told).toEqual(
      expect.arrayContaining([
        { leaseId: leases[0], committed: true, target: 'application:a1' },
        ...(atomic ? [] : [{ leaseId: leases[1], committed: false, target: 'application:a1' }]),
      ]),
    );
    expect(told).toHaveLength(atomic ? 1 : 2);
    const replay = await keys.begin('clerk1', 'k-done', request({ n: 1 }));
    expect(replay).toMatchObject({
      replay: {
        status: 409,
        body: { type: 'urn:onething:problem:applied-response-lost', target: 'application:a1' },
      },
    });
    expect('lease' in (await keys.begin('clerk1', 'k-lost', request({ n: 2 })))).toBe(true);
  });

  it('a command of this process that finishes while a recovery reads the open intents is left to finish itself', async () => {
    const keys = new IdempotencyStore(raw, clock);
    const request = { method: 'POST', path: '/api/applications', body: {} };
    const begun = await keys.begin('clerk1', 'k-live', request);
    if (!('lease' in begun)) throw new Error('expected a lease');
    // The recovery's list of open intents comes back only after the command has finished (as a
    // slow read on MongoDB would), so it still lists the intent as open.
    let release!: () => void;
    const slowList = new Promise<void>((resolve) => (release = resolve));
    const slow: DocStore = Object.create(raw, {
      find: {
        value: async (...args: Parameters<DocStore['find']>) => {
          const found = await raw.find(...args);
          if (args[0] === AUDIT_INTENTS) await slowList;
          return found;
        },
      },
    });
    const audit = new AuditLog(slow, clock);
    const journal = new CommandJournal(slow, audit, clock, 60_000);
    const told: unknown[] = [];
    journal.onRecovered = async (outcome) => {
      told.push(outcome);
      if (outcome.leaseId) await keys.settle(outcome.leaseId, outcome);
    };
    const run = await journal.run(
      { ...info('r-live', 'application:a1'), leaseId: begun.lease.record.id },
      () => journal.docs.put<Case>('applications', { id: 'a1', rev: 0, status: 'draft' }, 0),
    );
    const sweep = journal.recover();
    await new Promise((resolve) => setImmediate(resolve));
    await journal.complete(run.command, ok('r-live'));
    release();
    expect(await sweep).toEqual({ closed: 0, audited: 0 });
    expect(told).toEqual([]);
    await keys.complete(begun.lease, { status: 201, body: { id: 'a1' }, headers: {} });
    // A retry with the same key gets the command's own answer back.
    expect(await keys.begin('clerk1', 'k-live', request)).toMatchObject({ replay: { status: 201 } });
    expect((await entries()).map((e) => e.detail)).toEqual([{ requestId: 'r-live' }]);
  });

  it("a write outside any command (the tick's sweep) keeps the proof of a crashed command", async () => {
    const { crashed } = await submitThenDie();
    // …the process dies; the other process's sweep recolours the case before any recovery.
    const sweeper = other();
    const current = (await sweeper.journal.docs.get<Case>('applications', 'a1'))!;
    await sweeper.journal.docs.put<Case>('applications', { ...current, status: 'yellow' }, current.rev);
    now += 61_000;
    expect(await other().journal.recover()).toEqual({ closed: 1, audited: 1 });
    expect((await entries()).filter((e) => e.commandId === crashed.command.commandId)).toHaveLength(1);
  });

  it('a command on a case that died before writing the case record is not audited, whatever else it wrote', async () => {
    await raw.put<Case>('applications', { id: 'a1', rev: 0, status: 'reviewing' }, 0);
    const first = other();
    // An approval: its e-licence first, then the case record — it dies in between.
    await first.journal.run(info('r-licence', 'task:a1:item'), () =>
      first.journal.docs.put<Case>('licences', { id: 'l1', rev: 0, status: 'valid' }, 0),
    );
    now += 61_000;
    expect(await other().journal.recover()).toEqual({ closed: 1, audited: 0 });
    expect(await entries()).toEqual([]);
  });

  it('writes outside a command, and derived projections, are not stamped', async () => {
    const { journal } = other();
    await journal.docs.put<Case>('applications', { id: 'a1', rev: 0, status: 'draft' }, 0);
    await journal.run(info('r-proj'), () =>
      journal.docs.replace<Case>('departmentTasks', { id: 't1', rev: 1, status: 'open' }),
    );
    expect(await raw.get('applications', 'a1')).not.toHaveProperty(STAMP);
    expect(await raw.get('departmentTasks', 't1')).not.toHaveProperty(STAMP);
    expect(await raw.count(AUDIT_INTENTS)).toBe(0);
  });
});
