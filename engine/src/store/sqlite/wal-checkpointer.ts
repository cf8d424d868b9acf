/**
 * WAL checkpoints off the request path. SQLite copies the write-ahead log back into the database
 * file every ~1,000 pages, inside whichever commit crosses the mark: under load that commit (and
 * the event loop with it) stood still for the copy and its fsync, the seconds-long p99 of the HTTP
 * cases. A worker thread with its own connection per file checkpoints instead (PASSIVE: it never
 * blocks a reader or a writer), so no command pays for the bulk of it. Durability does not
 * change: a commit is in the log before it returns either way, and a checkpoint fsyncs the log
 * before it copies and the database file after.
 *
 * The log itself starts again from its beginning only after a checkpoint its writer sees
 * complete, which a worker racing a writer that never pauses never finishes; such a writer
 * therefore keeps an autocheckpoint mark of its own (WRITER_CHECKPOINT_PAGES), and the commit that
 * crosses it still checkpoints, on the command path: it fsyncs the log written since the worker's
 * last checkpoint began, copies the pages the worker has not, and fsyncs the database file. So the
 * worker paces itself to the log's growth — a checkpoint every TAIL_FRAMES frames or so, every
 * IDLE_MS while nothing is written — and that commit finds only a short tail to sync and copy
 * (with one checkpoint every 200 ms, as before, it synced up to 200 ms of log: 20–25 ms of fsyncs
 * every ~1,400 commands of the fan-out benchmark).
 *
 * One worker serves every file of the process (the engine's store and the document store, and the
 * fresh store of each benchmark round): starting a thread and loading the driver per store cost
 * more than the checkpoints. It ends a second after its last file is let go.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { TAIL_FRAMES, MIN_MS, IDLE_MS } = workerData;
const files = new Map();

// One PASSIVE checkpoint of a file, then the next paced to the log's growth: about TAIL_FRAMES
// frames later (MIN_MS at the soonest), IDLE_MS while nothing is written.
function round(f) {
  const started = performance.now();
  let r;
  try {
    r = f.db.pragma('wal_checkpoint(PASSIVE)')[0];
  } catch {
    // busy or closing: the next round tries again
  }
  if (!r || r.log < 0) {
    // Busy, or a checkpoint by another connection (the writer's own, at its mark) is under way:
    // soon again, backing off to IDLE_MS when it lasts (a file that is not in WAL mode always
    // answers -1, an I/O error always throws).
    f.failures++;
    f.timer = setTimeout(round, Math.min(IDLE_MS, MIN_MS * 2 ** f.failures), f);
    return;
  }
  f.failures = 0;
  // The pace: frames appended since the last round, per ms. A log restarted in between (the
  // writer's mark) hides how many frames came before the restart: the pace found last stands.
  if (r.log >= f.log) {
    const appended = r.log - f.log;
    f.wait = appended === 0 ? IDLE_MS : ((started - f.at) * TAIL_FRAMES) / appended;
  }
  f.log = r.log;
  f.at = started;
  const wait = f.wait - (performance.now() - started);
  f.timer = setTimeout(round, Math.min(IDLE_MS, Math.max(MIN_MS, wait)), f);
}

parentPort.on('message', (m) => {
  if (m.op === 'add') {
    let db;
    try {
      db = new Database(m.file);
      db.pragma('busy_timeout = 1000');
    } catch {
      parentPort.postMessage({ op: 'failed', id: m.id });
      return;
    }
    const f = { db, log: 0, at: performance.now(), wait: MIN_MS, failures: 0 };
    f.timer = setTimeout(round, MIN_MS, f);
    files.set(m.id, f);
  } else if (m.op === 'remove') {
    const f = files.get(m.id);
    if (f) {
      clearTimeout(f.timer);
      f.db.close();
      files.delete(m.id);
    }
    parentPort.postMessage({ op: 'removed', id: m.id });
  } else if (m.op === 'exit') {
    for (const f of files.values()) {
      clearTimeout(f.timer);
      f.db.close();
    }
    parentPort.close();
  }
});
`;

type Reply = { op: 'removed' | 'failed'; id: number };

/**
 * The autocheckpoint mark (pages) a writer served by the worker keeps. The log starts again from
 * its beginning only after a checkpoint its writer sees complete, which a worker racing a writer
 * that never pauses never finishes: without a mark of its own the WAL grows for as long as
 * commands come. The commit that crosses the mark finds almost every page copied and synced
 * already (the worker's pace), copies and syncs the tail, and the next commit restarts the log
 * (≈80 MB of WAL at most with 4 KiB pages). That tail costs the same whatever the mark, so a
 * higher mark pays it less often: 20,000 instead of 10,000 halved the fan-out's fsync time on
 * the command path.
 */
export const WRITER_CHECKPOINT_PAGES = 20_000;

/** How long the worker waits, idle, for a next file before it ends. */
const WORKER_IDLE_MS = 1000;

/**
 * The worker's pace: a checkpoint about every TAIL_FRAMES frames the log grows (≈1 MB; ≈36
 * commands of the fan-out), at most one per MIN_MS, and one per IDLE_MS while nothing is written.
 * A slower pace leaves the writer's mark a longer tail to fsync on the command path; a faster one
 * costs the worker's CPU and a flush of the disk's cache per round.
 */
const TAIL_FRAMES = 256;
const MIN_MS = 2;
const IDLE_MS = 200;

/** The process's checkpoint worker and the files it serves. */
class SharedWorker {
  private readonly worker: Worker;
  private readonly handles = new Map<number, { onStop: () => void; removed?: () => void }>();
  private idle: NodeJS.Timeout | undefined;
  private ended = false;
  /** Removals awaiting the worker's answer: the worker holds the process open meanwhile. */
  private removing = 0;

  constructor(private readonly detach: (w: SharedWorker) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { driver, TAIL_FRAMES, MIN_MS, IDLE_MS },
    });
    this.worker.unref();
    this.worker.on('message', (m: Reply) => {
      const handle = this.handles.get(m.id);
      if (!handle) return;
      this.handles.delete(m.id);
      if (m.op === 'failed') handle.onStop();
      handle.removed?.();
      this.idleCheck();
    });
    this.worker.once('exit', () => {
      this.ended = true;
      this.detach(this);
      for (const handle of this.handles.values()) {
        handle.onStop();
        handle.removed?.();
      }
      this.handles.clear();
    });
    this.worker.once('error', () => undefined);
  }

  add(id: number, file: string, onStop: () => void): void {
    clearTimeout(this.idle);
    this.handles.set(id, { onStop });
    this.worker.postMessage({ op: 'add', id, file });
  }

  /** Resolves once the worker's connection to the file is closed (or the worker is gone). */
  remove(id: number): Promise<void> {
    const handle = this.handles.get(id);
    if (!handle || this.ended) return Promise.resolve();
    if (this.removing++ === 0) this.worker.ref();
    return new Promise((resolve) => {
      handle.removed = () => {
        if (--this.removing === 0) this.worker.unref();
        resolve();
      };
      this.worker.postMessage({ op: 'remove', id });
    });
  }

  private idleCheck(): void {
    if (this.handles.size > 0 || this.ended) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.handles.size > 0) return;
      // A file added from now on starts a new worker.
      this.detach(this);
      this.worker.postMessage({ op: 'exit' });
    }, WORKER_IDLE_MS);
    this.idle.unref();
  }
}

let shared: SharedWorker | undefined;
let nextId = 0;

function worker(): SharedWorker {
  shared ??= new SharedWorker((w) => {
    if (shared === w) shared = undefined;
  });
  return shared;
}

export class WalCheckpointer {
  private readonly id = nextId++;
  private readonly worker: SharedWorker;

  /** `onStop`: told when checkpoints of the file end without `stop` (the caller then checkpoints itself again). */
  constructor(file: string, onStop: () => void) {
    this.worker = worker();
    this.worker.add(this.id, file, onStop);
  }

  /** Ends the checkpoints of this file; resolves once the worker's connection to it is closed. */
  async stop(): Promise<void> {
    await this.worker.remove(this.id);
  }
}
