/**
 * Starts the test MongoDB-wire server (FerretDB v1 with its SQLite backend, see main.go) as a
 * child process. Used by the jest global set-up; usable directly by tests that need their own
 * server (e.g. to kill it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MongoServer {
  /** e.g. `mongodb://127.0.0.1:40123/` — append a database name. */
  uri: string;
  /** Process id of the server (for tests that want to kill it). */
  pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
}

export interface StartMongoServerOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free port. */
  port?: number;
  /** Data directory; default: a fresh temp dir that the server removes on exit. */
  dir?: string;
  /** How long to wait for the READY line (default 60 s). */
  readyTimeoutMs?: number;
  /**
   * Run one command at a time (default true): FerretDB v1 alone does not make findAndModify /
   * update atomic under concurrency; false lets FerretDB run commands concurrently (see main.go).
   */
  serialize?: boolean;
  /** Copy the server's stderr to this process's stderr (default: env ONETHING_MONGO_SERVER_VERBOSE). */
  verbose?: boolean;
  /** More command-line flags for the server (see main.go), e.g. `-cpuprofile=FILE`. */
  args?: string[];
}

export const MONGO_SERVER_DIR = path.dirname(fileURLToPath(import.meta.url));
export const MONGO_SERVER_BIN = path.join(MONGO_SERVER_DIR, 'mongo-server');

const BUILD_TIMEOUT_MS = 15 * 60_000;
const STDERR_TAIL = 16_384;

/** Files the binary is built from (and every patch): a newer one means it must be rebuilt. */
const SOURCES = ['main.go', 'logger.go', 'go.mod', 'go.sum', 'build.sh'];

function sources(): string[] {
  const patches = path.join(MONGO_SERVER_DIR, 'patches');
  const patched = existsSync(patches) ? readdirSync(patches).map((f) => path.join('patches', f)) : [];
  return [...SOURCES, ...patched];
}

function binaryIsCurrent(): boolean {
  if (!existsSync(MONGO_SERVER_BIN)) return false;
  const built = statSync(MONGO_SERVER_BIN).mtimeMs;
  return sources().every((f) => {
    const file = path.join(MONGO_SERVER_DIR, f);
    return !existsSync(file) || statSync(file).mtimeMs <= built;
  });
}

/** Builds the server binary with build.sh (go build, FerretDB patched) if it is missing or stale. */
export async function ensureMongoServerBinary(): Promise<string> {
  if (binaryIsCurrent()) return MONGO_SERVER_BIN;
  await new Promise<void>((resolve, reject) => {
    execFile(
      'bash',
      [path.join(MONGO_SERVER_DIR, 'build.sh')],
      { cwd: MONGO_SERVER_DIR, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const why = /go: command not found|go: not found/.test(stderr)
          ? 'the `go` command was not found'
          : err.message;
        reject(
          new Error(
            `could not build the test MongoDB server (bash ${path.join(MONGO_SERVER_DIR, 'build.sh')}): ${why}\n${stderr}`,
          ),
        );
      },
    );
  });
  return MONGO_SERVER_BIN;
}

export async function startMongoServer(options: StartMongoServerOptions = {}): Promise<MongoServer> {
  const bin = await ensureMongoServerBinary();
  const verbose = options.verbose ?? Boolean(process.env.ONETHING_MONGO_SERVER_VERBOSE);
  const args = ['-exit-on-stdin-close', '-port', String(options.port ?? 0)];
  if (options.dir) args.push('-dir', options.dir);
  if (options.serialize === false) args.push('-serialize=false');
  args.push(...(options.args ?? []));

  // stdin stays an open pipe for the server's whole life: when this process dies, the pipe
  // closes and the server exits (-exit-on-stdin-close), so it never outlives the test run.
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });

  let stderrTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
    if (verbose) process.stderr.write(chunk);
  });

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  let uri: string;
  try {
    uri = await waitForReady(child, timeoutMs, () => stderrTail);
  } catch (err) {
    await kill(child, exited);
    throw err;
  }

  // Once running, don't keep the event loop alive just for the server (teardown stops it).
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as Socket | null)?.unref?.();

  let stopping: Promise<void> | undefined;
  return {
    uri,
    pid: child.pid!,
    stop: () => (stopping ??= kill(child, exited)),
  };
}

function waitForReady(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let buf = '';
    const fail = (why: string) => {
      cleanup();
      const tail = stderr().trim();
      reject(
        new Error(
          `test MongoDB server (${MONGO_SERVER_BIN}) did not start: ${why}` +
            (tail ? `\n--- server stderr ---\n${tail}` : '\n(server stderr was empty)'),
        ),
      );
    };
    const onData = (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        const m = /^READY (mongodb:\/\/\S+)$/.exec(line);
        if (m) {
          cleanup();
          // Keep draining stdout so the server can never block on a full pipe.
          child.stdout!.resume();
          return resolve(m[1]!);
        }
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(`it exited before it was ready (code ${code}, signal ${signal})`);
    const onError = (err: Error) => fail(`could not spawn it: ${err.message}`);
    const timer = setTimeout(() => fail(`no READY line within ${timeoutMs} ms`), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
    child.stdin?.destroy();
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
}
