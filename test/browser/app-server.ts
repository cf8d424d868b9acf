/**
 * The real server for a browser test: engine/src/server.ts start() on SQLite in a temporary
 * directory (no MONGODB_URI, no ONETHING_DB, the demo users), the example bundles and the
 * Zhuhai service network seeded, web/dist served at / (built first when missing).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { start, type RunningServer } from '../../engine/src/server.js';
import { createLogger } from '../../engine/src/http/logging.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface AppServer {
  server: RunningServer;
  url: string;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

export async function startAppServer(
  name: string,
  extraEnv: Record<string, string> = {},
): Promise<AppServer> {
  if (!existsSync(join(root, 'web/dist/index.html')))
    execFileSync(process.execPath, ['bin/build-apps.js', 'web'], { cwd: root, stdio: 'inherit' });
  const dataDir = mkdtempSync(join(tmpdir(), `onething-${name}-`));
  const { MONGODB_URI: _m, ONETHING_DB: _d, ONETHING_USERS_FILE: _u, ...env } = process.env;
  const server = await start(
    {
      ...env,
      ONETHING_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ONETHING_EXAMPLES_DIR: join(root, 'examples'),
      ...extraEnv,
    },
    createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
  );
  return {
    server,
    url: server.url,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

/**
 * One API request as a demo user (signed in with `<user>pass`), for setting a case up or reading
 * what the server kept: the JSON answer, or the bytes of a file. Throws on an error status.
 */
export async function callAs(
  server: AppServer,
  method: string,
  path: string,
  as: string,
  body?: unknown,
): Promise<Json> {
  const auth = await fetch(`${server.url}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: as, password: `${as}pass` }),
  });
  const { access_token: token } = (await auth.json()) as { access_token: string };
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path} as ${as}: ${res.status} ${await res.text()}`);
  return /json/.test(res.headers.get('content-type') ?? '')
    ? res.json()
    : Buffer.from(await res.arrayBuffer());
}

/** Opens `path` on the app and signs in there as a demo user, as the login page asks. */
export async function signIn(page: Page, server: AppServer, username: string, path = '/'): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', `${username}pass`);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=who]').waitFor();
}
