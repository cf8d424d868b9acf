/**
 * WAL checkpoints off the request path. SQLite copies the write-ahead log back into the database
 * file every ~1,000 pages, inside whichever commit crosses the mark: under load that commit (and
 * the event loop with it) stood still for the copy and its fsync, the seconds-long p99 of the HTTP
 * cases. A worker thread with its own connection checkpoints every few hundred milliseconds
 * instead (PASSIVE: it never blocks a reader or a writer), so the log stays short and no request
 * pays for it. Durability does not change: a commit is in the log before it returns either way.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or closing: the next round tries again
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  /** `onStop`: told when the worker ends for any reason (the caller then checkpoints itself again). */
  constructor(file: string, onStop: () => void, everyMs = 200) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { file, driver, everyMs } });
    this.worker.unref();
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        onStop();
        resolve();
      });
      this.worker.once('error', () => undefined);
    });
  }

  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    await this.exited;
  }
}
