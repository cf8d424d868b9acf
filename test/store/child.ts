/** Child processes for the store tests: TypeScript scripts run with `node --import tsx`, read line by line. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const STORE_TEST_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(STORE_TEST_DIR, '../..');

export interface Child {
  process: ChildProcess;
  /** Complete stdout lines so far (a line cut by a kill is left out). */
  lines: string[];
  /** Resolves with the first line (from now on, or already read) that matches. */
  waitFor(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  send(line: string): void;
  /** Resolves when the process has exited: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** tsx's loader by absolute path, so a child can run in any working directory. */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Child {
  const child = spawn(process.execPath, ['--import', TSX, path.join(STORE_TEST_DIR, script), ...args], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let partial = '';
  let err = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.match(line)) waiters.splice(i, 1)[0]!.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    err = (err + chunk).slice(-8000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    lines,
    send: (line) => child.stdin!.write(line + '\n'),
    exited,
    stderr: () => err,
    waitFor(match, timeoutMs = 60_000) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`child ${script} sent no matching line in ${timeoutMs} ms; stderr:\n${err}`)),
          timeoutMs,
        );
        const done = (line: string) => {
          clearTimeout(timer);
          resolve(line);
        };
        waiters.push({ match, resolve: done });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(
            new Error(`child ${script} exited (${code ?? signal}) before a matching line; stderr:\n${err}`),
          );
        });
      });
    },
  };
}
