/** bench/lib/temp-dir.ts: the folder is made on first use only, and removed with what it holds. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from '../../bench/lib/temp-dir.js';

const ours = (name: string) =>
  readdirSync(os.tmpdir()).filter((f) => f.startsWith(`onething-bench-${name}-`));

describe('tempDir', () => {
  it('makes no folder for a case that is defined but never run', () => {
    const name = `unused${process.pid}`;
    tempDir(name);
    expect(ours(name)).toEqual([]);
  });

  it('makes the folder on first use, keeps it, and removes it with its files', () => {
    const name = `used${process.pid}`;
    const tmp = tempDir(name);
    const dir = tmp.dir;
    expect(tmp.dir).toBe(dir);
    writeFileSync(path.join(dir, 'round-0.db'), 'x');
    expect(ours(name)).toEqual([path.basename(dir)]);
    tmp.remove();
    expect(existsSync(dir)).toBe(false);
  });
});
