/**
 * A folder in the system's temp dir for a case's files, and how to remove it. The folder is made
 * on first use, so a case defined but not run (`--only=…`) leaves nothing behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempDir(name: string): { readonly dir: string; remove: () => void } {
  let made: string | undefined;
  return {
    get dir() {
      return (made ??= mkdtempSync(path.join(os.tmpdir(), `onething-bench-${name}-`)));
    },
    remove: () => {
      if (made) rmSync(made, { recursive: true, force: true });
      made = undefined;
    },
  };
}
