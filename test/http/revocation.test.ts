/**
 * Token revocation: log-out revokes the token it is called with, a supervisor revokes every
 * token of a user of their region; revoked tokens are refused with 401 problem+json; both are
 * audited; the list is durable in the DocStore (memory, SQLite file, MongoDB wire server) and
 * expired entries are pruned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import type { AuditEntry } from '../../engine/src/audit/index.js';
import { MemoryDocStore, type DocStore } from '../../engine/src/domain/docs.js';
import { MongoDocStore } from '../../engine/src/domain/docs-mongo.js';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { REVOCATIONS, RevocationList } from '../../engine/src/http/auth/revocations.js';
import { freshDbUri } from '../support/mongo.js';
import { expectProblem, startServer, type TestServer } from './support.js';

const login = async (s: TestServer, username: string): Promise<string> => {
  const res = await s.call('POST', '/api/auth/token', {
    body: { username, password: `${username}pass` },
  });
  expect(res.status).toBe(200);
  return res.body.access_token;
};
const me = (s: TestServer, token: string) =>
  s.call('GET', '/api/auth/me', { headers: { authorization: `Bearer ${token}` } });
const post = (s: TestServer, token: string, path: string) =>
  s.call('POST', path, { headers: { authorization: `Bearer ${token}` } });
const entries = async (s: TestServer, action: string) =>
  (await s.audit.list({ action })).items as AuditEntry[];

function expectRevoked(res: Awaited<ReturnType<typeof me>>): void {
  const problem = expectProblem(res, 401);
  expect(problem.zh.detail).toMatch(/令牌已注销或被吊销/);
  expect(problem.en.detail).toBe('the token was revoked; log in again');
  expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="revoked"/);
}

describe('log-out', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startServer()));
  afterAll(() => s.close());

  it('revokes the token it is called with, and only that one; audited', async () => {
    const first = await login(s, 'clerk1');
    const second = await login(s, 'clerk1');
    expect((await me(s, first)).status).toBe(200);
    const out = await post(s, first, '/api/auth/logout');
    expect(out.status).toBe(204);
    expectRevoked(await me(s, first));
    expectRevoked(await post(s, first, '/api/auth/logout'));
    expect((await me(s, second)).status).toBe(200);
    const [entry] = await entries(s, 'auth.logout');
    expect(entry).toMatchObject({ outcome: 'ok', target: 'user:clerk1', actor: { userId: 'clerk1' } });
  });

  it('needs a valid token', async () => {
    expectProblem(await s.call('POST', '/api/auth/logout'), 401);
  });
});

describe('revoke every token of a user', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startServer()));
  afterAll(() => s.close());

  it('a supervisor of the region revokes them all; a new log-in works; audited', async () => {
    const tokens = [await login(s, 'clerk1'), await login(s, 'clerk1')];
    const other = await login(s, 'clerk2');
    const boss = await login(s, 'supervisor1');
    const res = await post(s, boss, '/api/auth/users/clerk1/revoke-tokens');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: 'clerk1', epoch: 1 });
    for (const t of tokens) expectRevoked(await me(s, t));
    // Tokens the harness issues without the epoch are refused too.
    expectRevoked(await s.call('GET', '/api/auth/me', { as: 'clerk1' }));
    expect((await me(s, other)).status).toBe(200);
    // Right after, in the same second: a fresh log-in carries the new epoch.
    const fresh = await login(s, 'clerk1');
    expect((await me(s, fresh)).status).toBe(200);
    const [entry] = await entries(s, 'auth.revokeTokens');
    expect(entry).toMatchObject({
      outcome: 'ok',
      target: 'user:clerk1',
      actor: { userId: 'supervisor1', role: 'supervisor' },
    });
    // Twice: the fresh token goes as well.
    expect((await post(s, boss, '/api/auth/users/clerk1/revoke-tokens')).body.epoch).toBe(2);
    expectRevoked(await me(s, fresh));
  });

  it('only supervisors, only users of their region, only users that exist', async () => {
    const clerk = await login(s, 'clerk2');
    expectProblem(await post(s, clerk, '/api/auth/users/clerk3/revoke-tokens'), 403);
    const elsewhere = await login(s, 'supervisor2'); // 440403: clerk1 is in 440402
    const denied = expectProblem(await post(s, elsewhere, '/api/auth/users/clerk1/revoke-tokens'), 403);
    expect(denied.zh.detail).toMatch(/本辖区/);
    expectProblem(await post(s, elsewhere, '/api/auth/users/nobody/revoke-tokens'), 404);
    const [refused] = (await entries(s, 'auth.revokeTokens')).filter((e) => e.outcome === 'denied');
    expect(refused).toMatchObject({ target: 'user:clerk1', actor: { userId: 'supervisor2' } });
  });
});

describe('durable in the store', () => {
  it('a second app on the same SQLite file refuses the revoked token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onething-revoke-'));
    const file = join(dir, 'docs.db');
    try {
      const a = await startServer({ docs: new SqliteDocStore(file, DOC_INDEXES) });
      const token = await login(a, 'clerk1');
      expect((await post(a, token, '/api/auth/logout')).status).toBe(204);
      const boss = await login(a, 'supervisor1');
      expect((await post(a, boss, '/api/auth/users/tax1/revoke-tokens')).status).toBe(200);
      const taxToken = (await a.tokens.issue(a.users.get('tax1')!)).access_token;
      await a.close();
      (a.docs as SqliteDocStore).close();

      const b = await startServer({ docs: new SqliteDocStore(file, DOC_INDEXES), tokens: a.tokens });
      expectRevoked(await me(b, token));
      expectRevoked(await me(b, taxToken));
      expect((await me(b, await login(b, 'tax1'))).status).toBe(200);
      await b.close();
      (b.docs as SqliteDocStore).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const stores: [string, () => Promise<{ docs: DocStore; close(): Promise<void> }>][] = [
  ['memory', async () => ({ docs: new MemoryDocStore(), close: async () => {} })],
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'onething-revocations-'));
      const docs = new SqliteDocStore(join(dir, 'docs.db'), DOC_INDEXES);
      return { docs, close: async () => (docs.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
  [
    'mongo',
    async () => {
      const connection = await mongoose.createConnection(freshDbUri('revocations')).asPromise();
      return { docs: new MongoDocStore(connection, DOC_INDEXES), close: () => connection.close() };
    },
  ],
];

describe.each(stores)('revocation list on %s', (_name, open) => {
  let docs: DocStore;
  let close: () => Promise<void>;
  let now = Date.UTC(2026, 10, 25, 8, 0);
  const sec = () => Math.floor(now / 1000);
  beforeEach(async () => ({ docs, close } = await open()));
  afterEach(() => close());

  it('keeps revoked jtis until their token expires, then prunes them', async () => {
    const list = new RevocationList(docs, () => now);
    await list.revokeToken('clerk1', 'short', sec() + 60);
    await list.revokeToken('clerk1', 'long', sec() + 3600);
    await list.revokeToken('tax1', 'short-tax', sec() + 60);
    expect(await list.isRevoked({ userId: 'clerk1', jti: 'short', epoch: 0 })).toBe(true);
    expect(await list.isRevoked({ userId: 'clerk1', jti: 'other', epoch: 0 })).toBe(false);
    expect(await list.isRevoked({ userId: 'nobody', jti: 'short', epoch: 0 })).toBe(false);

    now += 120_000; // the short tokens have expired
    expect(await list.prune()).toBe(2);
    const doc = await docs.get<{ jtis: Record<string, number> } & { id: string; rev: number }>(
      REVOCATIONS,
      'clerk1',
    );
    expect(Object.keys(doc!.jtis)).toEqual(['long']);
    expect(await list.prune()).toBe(0);
    // A write prunes too.
    now += 3600_000;
    await list.revokeToken('clerk1', 'later', sec() + 60);
    const after = await docs.get<{ jtis: Record<string, number> } & { id: string; rev: number }>(
      REVOCATIONS,
      'clerk1',
    );
    expect(Object.keys(after!.jtis)).toEqual(['later']);
  });

  it('revoke-all raises the epoch: older epochs are refused, the current one is not', async () => {
    const list = new RevocationList(docs, () => now);
    expect(await list.epochOf('clerk1')).toBe(0);
    await list.revokeToken('clerk1', 'a', sec() + 60);
    expect(await list.revokeAll('clerk1')).toBe(1);
    expect(await list.isRevoked({ userId: 'clerk1', jti: 'b', epoch: 0 })).toBe(true);
    expect(await list.isRevoked({ userId: 'clerk1', jti: 'b', epoch: 1 })).toBe(false);
    expect(await list.epochOf('clerk1')).toBe(1);
    // Concurrent revocations of one user all land (compare-and-set, retried).
    await Promise.all(Array.from({ length: 8 }, (_, i) => list.revokeToken('clerk1', `c${i}`, sec() + 60)));
    for (let i = 0; i < 8; i++)
      expect(await list.isRevoked({ userId: 'clerk1', jti: `c${i}`, epoch: 1 })).toBe(true);
  });
});
