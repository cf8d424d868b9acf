/**
 * A command that fails after its change committed (a later step of the request threw: here the
 * assisted-service audit entry of an application start, on a database error) happened all the
 * same: it is answered 409 applied-response-lost naming what it made, audited as that change, and
 * its Idempotency-Key replays the answer — a 500 left the key failed, and the client's retry made
 * a second application. The real server (server.ts: the Centre writes through the journal), in
 * process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../engine/src/audit/index.js';
import { start, type RunningServer } from '../../engine/src/server.js';
import { ANSWERS, DATA } from '../http/centre-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

let dir: string;
let running: RunningServer;
const appendWith = AuditLog.prototype.appendWith;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onething-failed-after-commit-'));
  running = await start({
    ...process.env,
    ONETHING_DB: join(dir, 'onething.db'),
    ONETHING_DATA_DIR: join(dir, 'data'),
    ONETHING_JWT_SECRET: 'failed-after-commit-secret-0123456789abcdef',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ONETHING_TICK_MS: '600000',
  });
}, 60_000);

afterAll(async () => {
  AuditLog.prototype.appendWith = appendWith;
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function token(username: string): Promise<string> {
  const res = await fetch(`${running.url}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: `${username}pass` }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function call(as: string, method: string, path: string, body?: unknown, key?: string) {
  const res = await fetch(`${running.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await token(as)}`,
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    body: (await res.json()) as Json,
  };
}

it('an application start whose later step failed is answered as made, once, and audited as made', async () => {
  const marker = `after-commit-${Date.now()}`;
  let failures = 0;
  AuditLog.prototype.appendWith = function (this: AuditLog, input, ...rest) {
    if (input.action === 'applications.assisted' && failures++ === 0)
      return Promise.reject(new Error('SQLITE_BUSY: database is locked'));
    return appendWith.call(this, input, ...rest);
  };
  const body = {
    bundleCode: 'business-startup',
    answers: ANSWERS,
    data: DATA,
    applicant: { kind: 'person', name: marker, idNumber: '440402199003071232' },
    assisted: {
      mode: 'proxy',
      agent: { name: '黄帮办', idNumber: '11010519491231002X', relationship: 'staff', staffId: 'GC-007' },
      powerOfAttorney: { materialId: 'powerOfAttorney', validUntil: '2030-12-31' },
      reason: '申请人年迈，行动不便',
    },
  };
  const first = await call('clerk1', 'POST', '/api/applications', body, 'after-commit-1');
  expect(failures).toBe(1);
  expect(first.status).toBe(409);
  expect(first.body).toMatchObject({
    type: 'urn:onething:problem:applied-response-lost',
    target: expect.stringMatching(/^application:/),
  });
  const retry = await call('clerk1', 'POST', '/api/applications', body, 'after-commit-1');
  expect([retry.status, retry.replayed]).toEqual([409, 'true']);
  expect(retry.body.target).toBe(first.body.target);

  const listed = await call('clerk1', 'GET', '/api/applications?limit=100');
  const made = listed.body.items.filter((a: Json) => a.applicant.name === marker);
  expect(made.map((a: Json) => `application:${a.id}`)).toEqual([first.body.target]);
  const audit = await call('supervisor1', 'GET', '/api/audit?action=applications.create&limit=20');
  expect(
    audit.body.items
      .filter((e: Json) => e.target === first.body.target)
      .map((e: Json) => [e.outcome, e.detail.status]),
  ).toEqual([['ok', 409]]);
});
