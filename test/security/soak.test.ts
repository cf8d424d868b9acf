/**
 * Soak with faults: two real server processes (engine/src/server.ts) on one SQLite file serve
 * mixed traffic — create, submit, accept, department approvals — while one of them is killed
 * with SIGKILL and restarted again and again. Clients retry a failed request on the other
 * process with the same Idempotency-Key. At the end, read from the database itself:
 * every acknowledged command is there exactly once, nothing is done twice (no duplicate
 * application, no step twice in a timeline, no second process instance for a case), and the
 * audit chain verifies with an entry for every acknowledged command.
 *
 * Besides the SIGKILLs from outside, each command has a SOAK_FAULT_RATE chance (default 0.02)
 * that its process kills itself right after the command committed and before its audit entry
 * (ONETHING_FAULT_KILL_AT=after-commit:*); the process is restarted. At the end every change
 * the cases record (create, submit, accept, approvals; acknowledged or not) must have exactly one
 * audit entry.
 *
 * Bounded: SOAK_SECONDS of traffic (default 45), loopback only.
 */
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Application } from '../../engine/src/applications/types.js';
import { AuditLog, type AuditEntry } from '../../engine/src/audit/index.js';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { ANSWERS, DATA, DEPARTMENT_OF } from '../http/centre-fixture.js';
import {
  changesWithoutOneEntry,
  killNode,
  newNode,
  ROOT,
  startNode as spawnNode,
  type ServerNode as Node,
} from './server-process.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const SECONDS = Number(process.env.SOAK_SECONDS ?? 45);
const WORKERS = Number(process.env.SOAK_WORKERS ?? 6);
const FAULT_RATE = Number(process.env.SOAK_FAULT_RATE ?? 0.02);
const SECRET = 'soak-secret-soak-secret-soak-secret-0123456789';

interface Command {
  name: string;
  /** Idempotency record id: sha256(userId NUL key), as engine/src/http/idempotency.ts stores it. */
  leaseId: string;
  marker?: string;
  attempts: string[];
  acked: boolean;
  replayed: boolean;
  status?: number;
}

const figures = {
  kills: 0,
  faultKills: 0,
  restarts: 0,
  flows: 0,
  requests: 0,
  retries: 0,
  acknowledged: 0,
  notAcknowledged: 0,
  ackedThenLost: 0,
  doneTwice: 0,
  auditMissing: 0,
  pendingLeases: 0,
  pendingCommitted: 0,
  fiveHundreds: 0,
  changesChecked: 0,
  appliedResponseLost: 0,
  changesNotOnce: 0,
};
const problems: string[] = [];
const commands: Command[] = [];

let dir = '';
const env = () => ({
  ...process.env,
  NODE_OPTIONS: '',
  HOST: '127.0.0.1',
  ONETHING_DB: join(dir, 'onething.db'),
  ONETHING_DATA_DIR: join(dir, 'data'),
  ONETHING_EXAMPLES_DIR: join(dir, 'examples'),
  ONETHING_JWT_SECRET: SECRET,
  ONETHING_TICK_MS: '500',
  LOG_LEVEL: 'error',
  // The budgets stay on, well above what six clients on one address and one clerk send here.
  ONETHING_RATE_LIMIT_IP: '1000000/60',
  ONETHING_RATE_LIMIT_USER: '1000000/60',
  ONETHING_RATE_LIMIT_USER_WRITES: '1000000/60',
  ...(FAULT_RATE > 0
    ? { ONETHING_FAULT_KILL_AT: 'after-commit:*', ONETHING_FAULT_KILL_RATE: String(FAULT_RATE) }
    : {}),
});

/** Start, kill and restart of one node happen one at a time (the killer and the fault restarts). */
const locks = new Map<Node, Promise<unknown>>();
function serially(node: Node, fn: () => Promise<void>): Promise<void> {
  const run = (locks.get(node) ?? Promise.resolve()).catch(() => undefined).then(fn);
  locks.set(node, run);
  return run;
}

/** A node that killed itself at the fault point comes back after a moment. */
function restartAfterFault(node: Node): void {
  figures.faultKills++;
  void serially(node, async () => {
    await sleep(300);
    if (!node.up) await spawnNode(node, env(), restartAfterFault);
    figures.restarts++;
  });
}

const startNode = (node: Node) => serially(node, () => spawnNode(node, env(), restartAfterFault));
const kill = killNode;

const nodes: Node[] = [];
const tokens: Record<string, string> = {};

/** One command, retried on the other process with the same key until acknowledged or out of time. */
async function command(
  name: string,
  method: string,
  path: string,
  as: string,
  body: unknown,
): Promise<{ status: number; body: Json } | undefined> {
  const key = `soak-${randomUUID()}`;
  const cmd: Command = {
    name,
    leaseId: createHash('sha256').update(`${as}\u0000${key}`).digest('hex'),
    ...(name === 'create' ? { marker: (body as { applicant: { name: string } }).applicant.name } : {}),
    attempts: [],
    acked: false,
    replayed: false,
  };
  commands.push(cmd);
  const deadline = Date.now() + 20_000;
  let n = Math.floor(Math.random() * nodes.length);
  for (let attempt = 0; Date.now() < deadline; attempt++, n++) {
    if (attempt) figures.retries++;
    const node = nodes[n % nodes.length]!;
    const requestId = randomUUID();
    cmd.attempts.push(requestId);
    figures.requests++;
    try {
      const res = await fetch(`http://127.0.0.1:${node.port}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens[as]}`,
          'content-type': 'application/json',
          'idempotency-key': key,
          'x-request-id': requestId,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      const json = text ? JSON.parse(text) : undefined;
      if (res.status >= 500) figures.fiveHundreds++;
      if (res.status >= 500 || (res.status === 409 && json?.type?.endsWith('idempotency-in-progress'))) {
        await sleep(300);
        continue;
      }
      if (res.status === 409 && json?.type?.endsWith('applied-response-lost')) figures.appliedResponseLost++;
      cmd.status = res.status;
      cmd.acked = res.status < 300;
      cmd.replayed = res.headers.get('idempotent-replayed') === 'true';
      return { status: res.status, body: json };
    } catch {
      await sleep(200); // killed under us, or down: the other process
    }
  }
  return undefined;
}

interface Flow {
  marker: string;
  created?: string;
  submitted: boolean;
  accepted: boolean;
  approved: Set<string>;
}
const flows: Flow[] = [];

async function runFlow(until: number): Promise<void> {
  const flow: Flow = {
    marker: `soak-${randomUUID().slice(0, 8)}`,
    submitted: false,
    accepted: false,
    approved: new Set(),
  };
  flows.push(flow);
  figures.flows++;
  const created = await command('create', 'POST', '/api/applications', 'clerk1', {
    bundleCode: 'business-startup',
    answers: ANSWERS,
    data: DATA,
    applicant: { kind: 'person', name: flow.marker, idNumber: '440402199003071232', phone: '13800138000' },
  });
  if (created?.status !== 201) return;
  const id = created.body.id as string;
  flow.created = id;
  if ((await command('submit', 'POST', `/api/applications/${id}/submit`, 'clerk1', {}))?.status !== 200)
    return;
  flow.submitted = true;
  const accepted = await command('accept', 'POST', `/api/applications/${id}/accept`, 'clerk1', {
    materials: [
      { id: 'identityProof', status: 'provided' },
      { id: 'premisesProof', status: 'provided' },
    ],
  });
  if (accepted?.status !== 200) return;
  flow.accepted = true;
  let app = accepted.body as Application;
  for (let round = 0; round < 8 && Date.now() < until; round++) {
    const open = app.items.filter((i) => i.status === 'reviewing' && i.taskId && !flow.approved.has(i.item));
    if (!open.length) break;
    for (const item of open) {
      const res = await command(
        'approve',
        'POST',
        `/api/tasks/${id}:${item.item}/approve`,
        `${DEPARTMENT_OF[item.item]}1`,
        approvalOf(item.item),
      );
      if (res?.status === 200) flow.approved.add(item.item);
    }
    const fresh = await fetchApp(id);
    if (!fresh) break;
    app = fresh;
  }
}

async function fetchApp(id: string): Promise<Application | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const node = nodes[attempt % nodes.length]!;
    try {
      const res = await fetch(`http://127.0.0.1:${node.port}/api/applications/${id}`, {
        headers: { authorization: `Bearer ${tokens.clerk1}` },
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return (await res.json()) as Application;
    } catch {
      await sleep(200);
    }
  }
  return undefined;
}

async function killer(until: number): Promise<void> {
  while (Date.now() < until) {
    await sleep(2500 + Math.random() * 3000);
    if (Date.now() >= until) break;
    const node = nodes[Math.floor(Math.random() * nodes.length)]!;
    await serially(node, async () => {
      await kill(node);
      figures.kills++;
      await sleep(300 + Math.random() * 1000);
      await spawnNode(node, env(), restartAfterFault);
      figures.restarts++;
    });
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onething-soak-'));
  mkdirSync(join(dir, 'examples'));
  cpSync(join(ROOT, 'examples/business-startup'), join(dir, 'examples/business-startup'), {
    recursive: true,
  });
  nodes.push(await newNode('A'));
  nodes.push(await newNode('B'));
  // One after the other: the first seeds the example and writes the key files.
  await startNode(nodes[0]!);
  await startNode(nodes[1]!);
  const users = ['clerk1', ...new Set(Object.values(DEPARTMENT_OF).map((d) => `${d}1`))];
  for (const u of users) {
    const res = await fetch(`http://127.0.0.1:${nodes[0]!.port}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u, password: `${u}pass` }),
    });
    tokens[u] = ((await res.json()) as { access_token: string }).access_token;
  }
}, 150_000);

afterAll(async () => {
  for (const n of nodes) n.up = false; // no restarts from here on
  await Promise.all(nodes.map((n) => kill(n, 'SIGKILL')));
});

describe('soak: two processes, one killed repeatedly', () => {
  it(
    `acknowledged commands are kept exactly once (${SECONDS} s of traffic)`,
    async () => {
      const until = Date.now() + SECONDS * 1000;
      const workers = Array.from({ length: WORKERS }, async () => {
        while (Date.now() < until) await runFlow(until);
      });
      await Promise.all([killer(until), ...workers]);
      await Promise.all(nodes.map((n) => locks.get(n)?.catch(() => undefined)));
      for (const n of nodes) if (!n.up) await startNode(n);
      await sleep(1500); // the recovery at start and a tick on each, then a clean stop
      await Promise.all(nodes.map((n) => serially(n, () => kill(n, 'SIGTERM'))));

      // ── verify from the database itself ──
      const docs = new SqliteDocStore(join(dir, 'onething.db'));
      const apps = (await docs.find<Application>('applications')).filter((a) =>
        a.applicant.name.startsWith('soak-'),
      );
      const byMarker = new Map<string, Application[]>();
      for (const a of apps) byMarker.set(a.applicant.name, [...(byMarker.get(a.applicant.name) ?? []), a]);
      for (const [marker, list] of byMarker) {
        if (list.length > 1) {
          figures.doneTwice++;
          problems.push(`create done ${list.length}× for ${marker}`);
        }
      }
      for (const f of flows) {
        const list = byMarker.get(f.marker) ?? [];
        if (f.created && list.length === 0) {
          figures.ackedThenLost++;
          problems.push(`acknowledged create ${f.created} (${f.marker}) is missing`);
          continue;
        }
        const app = list.find((a) => a.id === f.created) ?? list[0];
        if (!app) continue;
        const count = (type: string, item?: string) =>
          app.timeline.filter((e) => e.type === type && (item === undefined || e.data?.item === item)).length;
        for (const type of ['created', 'submitted', 'accepted']) {
          if (count(type) > 1) {
            figures.doneTwice++;
            problems.push(`${type} ${count(type)}× in ${app.id}`);
          }
        }
        if (f.submitted && count('submitted') !== 1) lost(`submit of ${app.id}`);
        if (f.accepted && count('accepted') !== 1) lost(`accept of ${app.id}`);
        for (const item of app.items) {
          const n = count('task.approved', item.item);
          if (n > 1) {
            figures.doneTwice++;
            problems.push(`approval of ${item.item} ${n}× in ${app.id}`);
          }
          if (f.approved.has(item.item) && (n !== 1 || item.status !== 'approved'))
            lost(`approval of ${app.id}:${item.item}`);
        }
      }
      docs.close();

      const raw = new Database(join(dir, 'onething.db'), { readonly: true });
      const instances = raw
        .prepare(
          'SELECT business_key AS k, count(*) AS n FROM instances WHERE business_key IS NOT NULL AND parent_id IS NULL GROUP BY business_key HAVING n > 1',
        )
        .all() as { k: string; n: number }[];
      for (const i of instances) {
        if (!apps.some((a) => a.id === i.k)) continue;
        figures.doneTwice++;
        problems.push(`process started ${i.n}× for application ${i.k}`);
      }
      const pending = raw
        .prepare(
          "SELECT body FROM docs WHERE collection = 'idempotency' AND json_extract(body, '$.state') = 'pending'",
        )
        .all() as { body: string }[];
      figures.pendingLeases = pending.length;
      raw.close();

      const docs2 = new SqliteDocStore(join(dir, 'onething.db'));
      const audit = new AuditLog(docs2);
      const verify = await audit.verify();
      const entries = await docs2.find<AuditEntry>('audit', { where: { kind: 'entry' } });
      docs2.close();
      // Every change the cases record, acknowledged or not: exactly one audit entry each.
      const once = changesWithoutOneEntry(apps, entries);
      figures.changesChecked = once.checked;
      figures.changesNotOnce = once.problems.length;
      problems.push(...once.problems);
      const byRequest = new Map<string, AuditEntry[]>();
      for (const e of entries) {
        const rid = String(e.detail?.requestId ?? '');
        if (rid) byRequest.set(rid, [...(byRequest.get(rid) ?? []), e]);
      }
      for (const c of commands) {
        if (!c.acked) {
          figures.notAcknowledged++;
          continue;
        }
        figures.acknowledged++;
        const ok = c.attempts.flatMap((r) => byRequest.get(r) ?? []).filter((e) => e.outcome === 'ok');
        if (ok.length === 0) {
          figures.auditMissing++;
          problems.push(`acknowledged ${c.name} (attempts ${c.attempts.join(', ')}) has no audit entry`);
        }
        if (ok.length > 1) {
          figures.doneTwice++;
          problems.push(`${c.name} audited ok ${ok.length}×`);
        }
      }
      for (const e of entries) {
        if ((byRequest.get(String(e.detail?.requestId ?? '')) ?? []).length > 1) {
          problems.push(`request ${e.detail?.requestId} audited more than once`);
        }
      }

      console.log(
        [
          `soak: ${SECONDS} s, ${WORKERS} clients, 2 server processes; ${figures.kills} SIGKILLs from outside, ${figures.faultKills} at the commit→audit fault point (rate ${FAULT_RATE}), ${figures.restarts} restarts`,
          `  ${figures.flows} flows, ${figures.requests} requests (${figures.retries} retries), ${figures.acknowledged} commands acknowledged, ${figures.notAcknowledged} not acknowledged (gave up or refused)`,
          `  acknowledged-then-lost = ${figures.ackedThenLost}, done-twice = ${figures.doneTwice}, acknowledged without audit entry = ${figures.auditMissing}`,
          `  committed changes checked = ${figures.changesChecked}, without exactly one audit entry = ${figures.changesNotOnce}`,
          `  audit chain: ${verify.ok ? 'intact' : `BROKEN at ${JSON.stringify(verify.firstBroken)}`} (${verify.entries} entries); 5xx answers retried: ${figures.fiveHundreds}; idempotency leases left pending by killed processes: ${figures.pendingLeases} (creates among them that had committed: ${figures.pendingCommitted}); retries told "applied, response lost": ${figures.appliedResponseLost}`,
          `  server start-up to a healthy /healthz: ${startUps()}`,
          ...problems.slice(0, 20).map((p) => `  ! ${p}`),
        ].join('\n'),
      );
      expect(figures.kills).toBeGreaterThan(0);
      if (FAULT_RATE >= 0.01 && SECONDS >= 30) expect(figures.faultKills).toBeGreaterThan(0);
      expect(figures.acknowledged).toBeGreaterThan(20);
      expect(verify.ok).toBe(true);
      expect(problems).toEqual([]);
    },
    (SECONDS + 150) * 1000,
  );
});

/** Median and slowest start-up of the server processes, in seconds (load on the machine shows here). */
function startUps(): string {
  const ms = nodes.flatMap((n) => n.startMs).sort((a, b) => a - b);
  if (!ms.length) return 'none';
  const s = (x: number) => (x / 1000).toFixed(1);
  const cut = nodes.reduce((n, node) => n + (node.killedWhileStarting ?? 0), 0);
  return `${ms.length} starts, median ${s(ms[Math.floor(ms.length / 2)]!)} s, slowest ${s(ms.at(-1)!)} s; ${cut} killed at a fault point while starting, started again`;
}

function lost(what: string): void {
  figures.ackedThenLost++;
  problems.push(`acknowledged ${what} is missing or not applied once`);
}
