/** `npm start` as a new user meets it: a real process, the examples deployed once, a clean SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

function startProcess(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ONETHING_DATA_DIR: dataDir,
      ONETHING_TICK_MS: '200',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 60_000);
    const check = () => {
      const m = /OneThing 一件事一次办 — (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!.replace('localhost', '127.0.0.1'), output: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

describe('engine/src/server.ts', () => {
  it('starts, deploys the examples once, answers with a clerk token, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onething-server-'));
    const first = await startProcess(dataDir);
    try {
      expect(first.output()).toMatch(/clerk1/);
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      const token = await (
        await fetch(`${first.url}/api/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'clerk1', password: 'clerk1pass' }),
        })
      ).json();
      const bundles = await (
        await fetch(`${first.url}/api/bundles`, {
          headers: { authorization: `Bearer ${token.access_token}` },
        })
      ).json();
      expect(bundles.items.map((b: { code: string }) => b.code).sort()).toEqual([
        'business-startup',
        'flexible-employment',
        'newborn',
        'restaurant',
        'utility-connection',
      ]);
    } finally {
      expect(await stop(first.child)).toBe(0);
    }
    // Second start on the same data: nothing redeployed, the token from the stored key still valid.
    const second = await startProcess(dataDir);
    try {
      const token = await (
        await fetch(`${second.url}/api/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'analyst1', password: 'analyst1pass' }),
        })
      ).json();
      const bundles = await (
        await fetch(`${second.url}/api/bundles`, {
          headers: { authorization: `Bearer ${token.access_token}` },
        })
      ).json();
      expect(bundles.items.every((b: { version: number }) => b.version === 1)).toBe(true);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 120_000);
});
