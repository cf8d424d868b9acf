/**
 * Real server processes (engine/src/server.ts) for the crash tests: started on a free loopback
 * port with a given environment, waited for until /healthz answers, killed with a signal; and
 * the check, read from the database, that every committed change has exactly one audit entry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Application } from '../../engine/src/applications/types.js';
import type { AuditEntry } from '../../engine/src/audit/index.js';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface ServerNode {
  name: string;
  port: number;
  child?: ChildProcess;
  up: boolean;
  starts: number;
  /** The last lines the process wrote to stderr. */
  stderr: string;
  /** Milliseconds from spawn to a healthy /healthz, per start (reported: the machine is shared). */
  startMs: number[];
  /** Starts cut short by a signal (a fault point) and begun again. */
  killedWhileStarting?: number;
}

/**
 * Start-up (tsx compiling the server, opening SQLite, recovery) takes a few seconds idle and has
 * taken over a minute on two cores at load ~25: the bound is generous, an exit is still reported at once.
 */
const START_BOUND_MS = Number(process.env.ONETHING_TEST_START_BOUND_MS ?? 240_000);
/** A SIGTERM stop that outlasts this is reported on stderr and ended with SIGKILL. */
const STOP_BOUND_MS = 30_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function newNode(name: string): Promise<ServerNode> {
  return { name, port: await freePort(), up: false, starts: 0, stderr: '', startMs: [] };
}

/** `onCrash`: called when the process ends while it is up (not by killNode), e.g. by a fault point. */
export async function startNode(
  node: ServerNode,
  env: NodeJS.ProcessEnv,
  onCrash?: (node: ServerNode) => void,
): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/src/server.ts'], {
    cwd: ROOT,
    env: { ...env, PORT: String(node.port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.once('exit', () => {
    if (node.child !== child || !node.up) return;
    node.up = false;
    onCrash?.(node);
  });
  node.stderr = '';
  child.stderr!.on('data', (c: Buffer) => (node.stderr = (node.stderr + c.toString()).slice(-4000)));
  node.child = child;
  node.starts++;
  const spawned = Date.now();
  const deadline = spawned + START_BOUND_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${node.name} exited with ${child.exitCode}: ${node.stderr}`);
    // Killed while starting: a request that reached the port before /healthz was polled hit a
    // fault point (the soak's clients do not wait). It would otherwise be polled until the bound.
    if (child.signalCode !== null) {
      node.killedWhileStarting = (node.killedWhileStarting ?? 0) + 1;
      return startNode(node, env, onCrash);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${node.port}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) {
        node.up = true;
        node.startMs.push(Date.now() - spawned);
        return;
      }
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`${node.name} did not come up within ${START_BOUND_MS} ms: ${node.stderr}`);
}

export function killNode(node: ServerNode, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  node.up = false;
  const child = node.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const overdue =
      signal === 'SIGKILL'
        ? undefined
        : setTimeout(() => {
            process.stderr.write(
              `${node.name} did not stop within ${STOP_BOUND_MS} ms of ${signal}: SIGKILL\n`,
            );
            child.kill('SIGKILL');
          }, STOP_BOUND_MS);
    child.once('exit', () => {
      clearTimeout(overdue);
      resolve();
    });
    child.kill(signal);
  });
}

/** Resolves with the signal that ended the process (null if it exited by itself). */
export function exitOf(node: ServerNode): Promise<NodeJS.Signals | null> {
  const child = node.child!;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

/** The commands a case's timeline records, with the audit action and target each is entered under. */
const RECORDED: Record<string, (app: Application, item?: string) => [string, string]> = {
  created: (a) => ['applications.create', `application:${a.id}`],
  submitted: (a) => ['applications.submit', `application:${a.id}`],
  accepted: (a) => ['applications.accept', `application:${a.id}`],
  'task.approved': (a, item) => ['tasks.approve', `task:${a.id}:${item}`],
};

/**
 * Every change a case's timeline shows (create, submit, accept, approvals) against the audit
 * entries with outcome ok for that action and target: each must have exactly one. Returns the
 * mismatches, and how many changes were checked.
 */
export function changesWithoutOneEntry(
  apps: Application[],
  entries: AuditEntry[],
): { checked: number; problems: string[] } {
  const ok = new Map<string, number>();
  for (const e of entries) {
    if (e.outcome !== 'ok') continue;
    const key = `${e.action} ${e.target}`;
    ok.set(key, (ok.get(key) ?? 0) + 1);
  }
  const changes = new Map<string, number>();
  for (const app of apps) {
    for (const event of app.timeline) {
      const recorded = RECORDED[event.type];
      if (!recorded) continue;
      const [action, target] = recorded(app, event.data?.item as string | undefined);
      const key = `${action} ${target}`;
      changes.set(key, (changes.get(key) ?? 0) + 1);
    }
  }
  const problems: string[] = [];
  for (const [key, n] of changes) {
    const audited = ok.get(key) ?? 0;
    if (audited !== n) problems.push(`${key}: ${n} committed, ${audited} audit entries`);
  }
  for (const [key, audited] of ok) {
    const [action] = key.split(' ');
    if (Object.values(RECORDED).some((r) => r({ id: '' } as Application)[0] === action) && !changes.has(key))
      problems.push(`${key}: audited ${audited}× but not in any timeline`);
  }
  return { checked: [...changes.values()].reduce((a, b) => a + b, 0), problems };
}
