/**
 * The real server for a browser test: engine/src/server.ts start() on SQLite in a temporary
 * directory (no MONGODB_URI, no ONETHING_DB, the demo users), the example bundles and the
 * Zhuhai service network seeded, web/dist served at / (built first when missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
