/**
 * The real server for the HTTP cases: `engine/src/server.ts` in its own process, on a fresh
 * SQLite database in a temp directory, with the example bundles deployed on start (as `npm start`
 * does), and a small client for preparing work through the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningServer {
  base: string;
  /** A bearer token for a demo user (password = username + "pass"), issued once per user. */
  token(username: string): Promise<string>;
  /** One JSON call; a status of 400 or more throws with the problem's detail. */
  call<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitHealthy(base: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${log()}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server did not answer /healthz within 2 minutes: ${log()}`);
}

/** Starts the server as `npm start` would (less the app builds), on a fresh data directory. */
export async function startServer(): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onething-bench-http-'));
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the server under load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'engine/src/server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ONETHING_DATA_DIR: dataDir,
      // Background sweeps stay out of the measured window; request logging stays as shipped.
      ONETHING_TICK_MS: '600000',
      // The load comes from one client machine and a few demo users, so the per-user and per-IP
      // budgets (a policy against abuse) are raised out of the way; the limiter still runs.
      ONETHING_RATE_LIMIT_IP: '100000000/60',
      ONETHING_RATE_LIMIT_USER: '100000000/60',
      ONETHING_RATE_LIMIT_USER_WRITES: '100000000/60',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(base, child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const tokens = new Map<string, Promise<string>>();
  const call: RunningServer['call'] = async (token, method, route, body) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as { en?: { detail?: string } };
    if (res.status >= 400) throw new Error(`${method} ${route}: ${res.status} ${json.en?.detail ?? ''}`);
    return json as never;
  };
  const token = (username: string) => {
    let issued = tokens.get(username);
    if (!issued) {
      issued = fetch(`${base}/api/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: `${username}pass` }),
      }).then(async (res) => {
        if (!res.ok) throw new Error(`log-in as ${username}: ${res.status}`);
        return ((await res.json()) as { access_token: string }).access_token;
      });
      tokens.set(username, issued);
    }
    return issued;
  };
  return {
    base,
    token,
    call,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `work` over `items` with at most `parallel` in flight. */
export async function inParallel<T>(items: T[], parallel: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}
