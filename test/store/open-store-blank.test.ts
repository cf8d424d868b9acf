/**
 * An empty or blank ONETHING_DB counts as unset: the database goes to <ONETHING_DATA_DIR>/onething.db,
 * not to data/onething.db under the working directory (where it was opened with the data
 * directory's keys elsewhere). Run in a child process in a temporary working directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnTs } from './child.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onething-blank-db-'));
  dirs.push(dir);
  return dir;
}

test.each(['', '   '])(
  'ONETHING_DB=%j opens onething.db in ONETHING_DATA_DIR',
  async (blank) => {
    const cwd = tempDir();
    const dataDir = path.join(tempDir(), 'centre-data');
    const child = spawnTs(
      'open-store-child.ts',
      [],
      { MONGODB_URI: '', ONETHING_DB: blank, ONETHING_DATA_DIR: dataDir },
      cwd,
    );
    const exit = await child.exited;
    expect([exit.code, child.stderr()]).toEqual([0, '']);
    expect(existsSync(path.join(dataDir, 'onething.db'))).toBe(true);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  },
  60_000,
);
