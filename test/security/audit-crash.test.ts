/**
 * The commit→audit window, hit exactly: a real server process (engine/src/server.ts, SQLite) is
 * started with ONETHING_FAULT_KILL_AT=after-commit:<command>, so it kills itself with SIGKILL
 * right after that command committed and before its audit entry. For each of create, submit,
 * accept and a department approval: the change is in the database, its audit entry is not (the
 * window was hit), an intent is open; after a restart the entry is there exactly once (marked
 * recovered), the intent is closed, the chain verifies, and a retry with the same Idempotency-Key
 * is answered 409 applied-response-lost (not run twice). At the end every committed change of
 * every case has exactly one audit entry.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Application } from '../../engine/src/applications/types.js';
import { AuditLog, type AuditEntry } from '../../engine/src/audit/index.js';
import { AUDIT_INTENTS } from '../../engine/src/audit/journal.js';
import type { Doc } from '../../engine/src/domain/docs.js';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { ANSWERS, DATA, DEPARTMENT_OF } from '../http/centre-fixture.js';
import {
  changesWithoutOneEntry,
  exitOf,
  killNode,
  newNode,
  ROOT,
  startNode,
  type ServerNode,
} from './server-process.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const SECRET = 'crash-secret-crash-secret-crash-secret-0123';
let dir = '';
let node: ServerNode;
const tokens: Record<string, string> = {};

const env = (fault?: string): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_OPTIONS: '',
  HOST: '127.0.0.1',
  ONETHING_DB: join(dir, 'onething.db'),
  ONETHING_DATA_DIR: join(dir, 'data'),
  ONETHING_EXAMPLES_DIR: join(dir, 'examples'),
  ONETHING_JWT_SECRET: SECRET,
  ONETHING_TICK_MS: '600000',
  LOG_LEVEL: 'error',
  ONETHING_FAULT_KILL_AT: fault ?? '',
});

async function call(
  as: string,
  method: string,
  path: string,
  body: unknown,
  requestId = randomUUID(),
  key = `crash-${randomUUID()}`,
) {
  const res = await fetch(`http://127.0.0.1:${node.port}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[as]}`,
      'content-type': 'application/json',
      'idempotency-key': key,
      'x-request-id': requestId,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

async function ok(as: string, method: string, path: string, body: unknown): Promise<Json> {
  const res = await call(as, method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

function readDb<T>(fn: (docs: SqliteDocStore) => Promise<T>): Promise<T> {
  const docs = new SqliteDocStore(join(dir, 'onething.db'));
  return fn(docs).finally(() => docs.close());
}

const entriesOf = (docs: SqliteDocStore) => docs.find<AuditEntry>('audit', { where: { kind: 'entry' } });
const createBody = (marker: string) => ({
  bundleCode: 'business-startup',
  answers: ANSWERS,
  data: DATA,
  applicant: { kind: 'person', name: marker, idNumber: '440402199003071232', phone: '13800138000' },
});
const materials = [
  { id: 'identityProof', status: 'provided' },
  { id: 'premisesProof', status: 'provided' },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onething-audit-crash-'));
  mkdirSync(join(dir, 'examples'));
  cpSync(join(ROOT, 'examples/business-startup'), join(dir, 'examples/business-startup'), {
    recursive: true,
  });
  node = await newNode('crash');
  await startNode(node, env());
  const users = ['clerk1', 'market-regulation1'];
  for (const u of users) {
    const res = await fetch(`http://127.0.0.1:${node.port}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u, password: `${u}pass` }),
    });
    tokens[u] = ((await res.json()) as { access_token: string }).access_token;
  }
  await killNode(node, 'SIGTERM');
}, 120_000);

afterAll(async () => {
  await killNode(node);
  rmSync(dir, { recursive: true, force: true });
});

/** Drives a fresh case up to the step before `op`; returns its id (none for create). */
async function caseBefore(op: string, marker: string): Promise<string | undefined> {
  if (op === 'applications.create') return undefined;
  const id = (await ok('clerk1', 'POST', '/api/applications', createBody(marker))).id as string;
  if (op === 'applications.submit') return id;
  await ok('clerk1', 'POST', `/api/applications/${id}/submit`, {});
  if (op === 'applications.accept') return id;
  await ok('clerk1', 'POST', `/api/applications/${id}/accept`, { materials });
  return id;
}

const ITEM = 'enterprise-registration';
const CASES: { op: string; request: (id?: string) => [string, string, string, unknown] }[] = [
  { op: 'applications.create', request: () => ['clerk1', 'POST', '/api/applications', undefined] },
  { op: 'applications.submit', request: (id) => ['clerk1', 'POST', `/api/applications/${id}/submit`, {}] },
  {
    op: 'applications.accept',
    request: (id) => ['clerk1', 'POST', `/api/applications/${id}/accept`, { materials }],
  },
  {
    op: 'tasks.approve',
    request: (id) => [
      `${DEPARTMENT_OF[ITEM]}1`,
      'POST',
      `/api/tasks/${id}:${ITEM}/approve`,
      approvalOf(ITEM),
    ],
  },
];

describe('a command killed between its commit and its audit entry', () => {
  for (const { op, request } of CASES) {
    it(`${op}: committed, then audited exactly once after the restart`, async () => {
      const marker = `crash-${op}-${randomUUID().slice(0, 8)}`;
      await startNode(node, env(`after-commit:${op}`));
      const id = await caseBefore(op, marker);
      const [as, method, path, body] = request(id);
      const requestId = randomUUID();
      const key = `crash-${randomUUID()}`;
      const died = exitOf(node);
      const answer = await call(as, method, path, body ?? createBody(marker), requestId, key).catch(
        (err: Error) => err,
      );
      expect(answer).not.toHaveProperty('status'); // no answer: the process died
      expect(await died).toBe('SIGKILL');
      node.up = false;

      // Dead: the change is stored, its entry is not, an intent is open.
      const before = await readDb(async (docs) => ({
        apps: (await docs.find<Application>('applications')).filter((a) => a.applicant.name === marker),
        entries: (await entriesOf(docs)).filter((e) => e.detail?.requestId === requestId),
        open: await docs.count(AUDIT_INTENTS, { state: 'open' }),
      }));
      expect(before.apps).toHaveLength(1);
      const app = before.apps[0]!;
      const event = {
        'applications.create': 'created',
        'applications.submit': 'submitted',
        'applications.accept': 'accepted',
        'tasks.approve': 'task.approved',
      }[op];
      expect(app.timeline.filter((e) => e.type === event)).toHaveLength(1);
      expect(before.entries).toEqual([]);
      expect(before.open).toBeGreaterThanOrEqual(1);

      // Restarted (no fault): the recovery at start appends the entry, once, and settles the key:
      // the client's retry is told the change stands, instead of waiting or running it again.
      await startNode(node, env());
      const retry = await call(as, method, path, body ?? createBody(marker), randomUUID(), key);
      expect(retry.status).toBe(409);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body).toMatchObject({
        type: 'urn:onething:problem:applied-response-lost',
        target: op === 'tasks.approve' ? `task:${app.id}:${ITEM}` : `application:${app.id}`,
      });
      await killNode(node, 'SIGTERM');
      const after = await readDb(async (docs) => ({
        apps: (await docs.find<Application>('applications')).filter((a) => a.applicant.name === marker),
        entries: (await entriesOf(docs)).filter((e) => e.detail?.requestId === requestId),
        open: await docs.count(AUDIT_INTENTS, { state: 'open' }),
        verify: await new AuditLog(docs).verify(),
      }));
      expect(after.entries).toHaveLength(1);
      expect(after.entries[0]).toMatchObject({
        action: op,
        outcome: 'ok',
        target: op === 'tasks.approve' ? `task:${app.id}:${ITEM}` : `application:${app.id}`,
        actor: { userId: as },
        detail: { requestId, recovered: true },
      });
      expect(after.open).toBe(0);
      expect(after.verify.ok).toBe(true);
      expect(after.apps[0]!.timeline.filter((e) => e.type === event)).toHaveLength(1); // not twice
    }, 180_000);
  }
});

/**
 * Killed right after the audit entry, before the answer is sent: the key's response was committed
 * with the entry, so the retry with the same key is answered with it at once — not 409 "in
 * progress" for a minute and then the command run a second time (a second application).
 */
describe('a command killed right after its audit entry', () => {
  afterEach(() => killNode(node));
  it('applications.create: the retry with its key replays the answer; one application', async () => {
    const marker = `crash-after-audit-${randomUUID().slice(0, 8)}`;
    await startNode(node, env('after-audit:applications.create'));
    const key = `crash-${randomUUID()}`;
    const died = exitOf(node);
    const answer = await call(
      'clerk1',
      'POST',
      '/api/applications',
      createBody(marker),
      randomUUID(),
      key,
    ).catch((err: Error) => err);
    expect(answer).not.toHaveProperty('status');
    expect(await died).toBe('SIGKILL');
    node.up = false;

    await startNode(node, env());
    const retry = await call('clerk1', 'POST', '/api/applications', createBody(marker), randomUUID(), key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    await killNode(node, 'SIGTERM');
    const stored = await readDb(async (docs) => ({
      apps: (await docs.find<Application>('applications')).filter((a) => a.applicant.name === marker),
      entries: (await entriesOf(docs)).filter((e) => e.action === 'applications.create'),
      open: await docs.count(AUDIT_INTENTS, { state: 'open' }),
    }));
    expect(stored.apps.map((a) => a.id)).toEqual([retry.body.id]);
    expect(stored.entries.filter((e) => e.target === `application:${retry.body.id}`)).toHaveLength(1);
    expect(stored.open).toBe(0);
  }, 180_000);
});

/**
 * An approval writes its e-licence, then completes the engine's task, then records the decision
 * in the case: killed after the first or the second of these, it has not happened — no entry, no
 * timeline step — and the retry with the same key completes it once: one licence, the engine's
 * task done once, the decision in the timeline, one audit entry.
 */
describe('an approval killed between two of its writes', () => {
  const FAULTS = [
    { fault: 'after-write:tasks.approve:licences', engineTaskWhileDead: 'open' },
    { fault: 'after-engine:tasks.approve', engineTaskWhileDead: 'completed' },
  ];
  afterEach(() => killNode(node)); // a failed case leaves no server behind for the next
  for (const { fault, engineTaskWhileDead } of FAULTS) {
    it(`${fault}: not audited, then done exactly once by the retry`, async () => {
      const marker = `crash-${fault}-${randomUUID().slice(0, 8)}`;
      await startNode(node, env(fault));
      const id = (await caseBefore('tasks.approve', marker))!;
      const [as, method, path, body] = CASES.find((c) => c.op === 'tasks.approve')!.request(id);
      const requestId = randomUUID();
      const key = `crash-${randomUUID()}`;
      const died = exitOf(node);
      const answer = await call(as, method, path, body, requestId, key).catch((err: Error) => err);
      expect(answer).not.toHaveProperty('status');
      expect(await died).toBe('SIGKILL');
      node.up = false;

      const stateOf = (docs: SqliteDocStore) => caseState(docs, id, requestId);
      const before = await readDb(stateOf);
      expect(before.approvedSteps).toBe(0);
      expect(before.item.status).toBe('reviewing');
      expect(before.licences).toBe(1); // the first write landed
      expect(engineTask(before.item.taskId!)).toBe(engineTaskWhileDead);
      expect(before.entries).toEqual([]);

      // Restarted: the recovery finds the case never recorded the approval, so it is not audited,
      // and the key is freed; the retry does it, taking up the licence and the engine's step.
      await startNode(node, env());
      const retry = await call(as, method, path, body, randomUUID(), key);
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ status: 'approved' });
      await killNode(node, 'SIGTERM');
      const after = await readDb(stateOf);
      expect(after.approvedSteps).toBe(1);
      expect(after.item.status).toBe('approved');
      expect(after.licences).toBe(1);
      expect(engineTask(before.item.taskId!)).toBe('completed');
      expect(after.entries).toEqual([]); // the killed attempt: never audited
      expect(after.approvals).toBe(1);
      expect(after.open).toBe(0);
      expect(after.verify.ok).toBe(true);
    }, 180_000);
  }
});

/**
 * An acceptance starts the case's process instance, then writes the case: killed in between, it
 * has not happened (no entry, still submitted), and the retry takes up the instance the first
 * attempt started instead of starting a second one for the same case.
 */
describe('an acceptance killed between the engine start and the case write', () => {
  afterEach(() => killNode(node));
  it('after-engine:applications.accept: one process instance for the case after the retry', async () => {
    const marker = `crash-accept-engine-${randomUUID().slice(0, 8)}`;
    await startNode(node, env('after-engine:applications.accept'));
    const id = (await caseBefore('applications.accept', marker))!;
    const [as, method, path, body] = CASES.find((c) => c.op === 'applications.accept')!.request(id);
    const key = `crash-${randomUUID()}`;
    const died = exitOf(node);
    const answer = await call(as, method, path, body, randomUUID(), key).catch((err: Error) => err);
    expect(answer).not.toHaveProperty('status');
    expect(await died).toBe('SIGKILL');
    node.up = false;
    const statusOf = () => readDb(async (docs) => (await docs.get<Application>('applications', id))!);
    expect((await statusOf()).status).toBe('submitted');
    expect(instancesOf(id)).toHaveLength(1); // the engine had started it

    // The kill came before the command's first journaled write, so its key stays pending until
    // the lease runs out; the clerk clicks 受理 again, which (like the web client) sends a new key.
    await startNode(node, env());
    const retry = await call(as, method, path, body, randomUUID(), `${key}-again`);
    expect({ status: retry.status, body: retry.status === 200 ? null : retry.body }).toEqual({
      status: 200,
      body: null,
    });
    await killNode(node, 'SIGTERM');
    const app = await statusOf();
    expect(app.status).toBe('in-progress');
    expect(app.timeline.filter((e) => e.type === 'accepted')).toHaveLength(1);
    expect(instancesOf(id)).toEqual([app.instanceId]); // the same one, not a second
  }, 180_000);
});

/** The engine's process instances of one case (by business key, from its SQLite table). */
function instancesOf(caseId: string): string[] {
  const raw = new Database(join(dir, 'onething.db'), { readonly: true });
  try {
    return (
      raw.prepare('SELECT id FROM instances WHERE business_key = ?').all(caseId) as { id: string }[]
    ).map((r) => r.id);
  } finally {
    raw.close();
  }
}

/** What the database shows of one case's approval of ITEM, and of the killed request. */
async function caseState(docs: SqliteDocStore, id: string, requestId: string) {
  const app = (await docs.get<Application>('applications', id))!;
  const entries = await entriesOf(docs);
  return {
    item: app.items.find((i) => i.item === ITEM)!,
    approvedSteps: app.timeline.filter((e) => e.type === 'task.approved' && e.data?.item === ITEM).length,
    licences: (await docs.find<Doc & { applicationId: string; item: string }>('licences')).filter(
      (l) => l.applicationId === id && l.item === ITEM,
    ).length,
    entries: entries.filter((e) => e.detail?.requestId === requestId),
    approvals: entries.filter(
      (e) => e.action === 'tasks.approve' && e.target === `task:${id}:${ITEM}` && e.outcome === 'ok',
    ).length,
    open: await docs.count(AUDIT_INTENTS, { state: 'open' }),
    verify: await new AuditLog(docs).verify(),
  };
}

/** The engine's own record of a user task (its SQLite table). */
function engineTask(taskId: string): string | undefined {
  const raw = new Database(join(dir, 'onething.db'), { readonly: true });
  try {
    return (raw.prepare('SELECT state FROM tasks WHERE id = ?').get(taskId) as { state: string })?.state;
  } finally {
    raw.close();
  }
}

describe('all cases', () => {
  it('every committed change of every case has exactly one audit entry', async () => {
    const { checked, problems } = await readDb(async (docs) =>
      changesWithoutOneEntry(await docs.find<Application>('applications'), await entriesOf(docs)),
    );
    console.log(
      `audit-crash: ${CASES.length} kills after commit; ${checked} committed changes checked; without exactly one audit entry: ${problems.length}`,
    );
    expect(checked).toBeGreaterThanOrEqual(CASES.length + 6 + 2);
    expect(problems).toEqual([]);
  });
});
