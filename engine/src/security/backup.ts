/**
 * Online backup and restore of the SQLite store (engine records and documents share one file).
 *
 * Backup uses SQLite's online backup API (better-sqlite3 `db.backup()`), so it runs while the
 * server keeps writing: pages are copied in steps between which writers proceed; a write by
 * another connection restarts the copy, and after a few restarts the rest is copied in one step,
 * which holds one read transaction and so gives a consistent snapshot under any write load. The
 * copy is written beside the destination, checked (`PRAGMA integrity_check`), switched to a
 * rollback journal so it is one self-contained file, and only then renamed into place.
 *
 * Restore needs the server stopped (its open connections would keep the old file and write on
 * into it, losing what they acknowledged): it refuses while any process has the database open,
 * which SQLite's own file locks tell. It checks the backup, keeps the current database as
 * `<db>.before-restore-<time>` (with its -wal and -shm), and moves a checked copy of the backup
 * into place; no stale write-ahead log can survive beside it.
 *
 * A backup holds every case: it is written readable by its owner only (0600, its folder 0700).
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

export interface BackupReport {
  source: string;
  destination: string;
  bytes: number;
  pages: number;
  /** How often a concurrent write restarted the copy. */
  restarts: number;
  /** Rows per table of the copy (docs by collection too), for a quick look. */
  counts: Record<string, number>;
  ms: number;
}

export interface BackupOptions {
  /** Overwrite an existing destination. */
  force?: boolean;
  /** Pages copied per step while no writer interferes (default 256). */
  pagesPerStep?: number;
  /** Restarts after which the rest is copied in one step (default 3). */
  maxRestarts?: number;
}

export class BackupError extends Error {
  readonly code = 'backup';
}

const SIDE_FILES = ['-wal', '-shm', '-journal'];

function checkIntegrity(file: string): Record<string, number> {
  const db = new Database(file, { fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    if (problems.length)
      throw new BackupError(`${file} failed the integrity check: ${problems.slice(0, 5).join('; ')}`);
    const tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    const counts: Record<string, number> = {};
    for (const t of tables)
      counts[t] = (
        db.prepare(`SELECT count(*) AS n FROM "${t.replace(/"/g, '""')}"`).get() as { n: number }
      ).n;
    if (tables.includes('docs')) {
      for (const r of db.prepare('SELECT collection, count(*) AS n FROM docs GROUP BY collection').all() as {
        collection: string;
        n: number;
      }[])
        counts[`docs.${r.collection}`] = r.n;
    }
    return counts;
  } finally {
    db.close();
  }
}

/**
 * Whether another connection has the database open: every connection to a WAL database holds a
 * shared lock on it while open, so an exclusive lock is refused at once (SQLITE_BUSY). Any other
 * failure (a damaged file, often the reason for a restore) is no sign of use.
 */
export function databaseInUse(file: string): boolean {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'SQLITE_BUSY';
  } finally {
    db.close();
  }
}

function removeWithSideFiles(file: string): void {
  for (const suffix of ['', ...SIDE_FILES]) rmSync(`${file}${suffix}`, { force: true });
}

/** Copies `source` (live or not) to `destination` with the online backup API. */
export async function backupSqlite(
  source: string,
  destination: string,
  options: BackupOptions = {},
): Promise<BackupReport> {
  const started = Date.now();
  const src = resolve(source);
  const dest = resolve(destination);
  if (!existsSync(src)) throw new BackupError(`no database at ${src}`);
  if (src === dest) throw new BackupError('the backup must go to another file than the database');
  if (existsSync(dest) && !options.force)
    throw new BackupError(`${dest} exists; pass --force to overwrite it`);
  mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
  const partial = `${dest}.partial-${process.pid}`;
  removeWithSideFiles(partial);
  // Created private before the copy starts: the backup API keeps an existing file's mode.
  closeSync(openSync(partial, 'wx', 0o600));

  const db = new Database(src, { fileMustExist: true });
  const step = options.pagesPerStep ?? 256;
  const maxRestarts = options.maxRestarts ?? 3;
  let restarts = 0;
  let lastRemaining = Infinity;
  let pages = 0;
  try {
    db.pragma('busy_timeout = 10000');
    const result = await db.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        pages = totalPages;
        if (remainingPages > lastRemaining) restarts++;
        lastRemaining = remainingPages;
        return restarts >= maxRestarts ? Math.max(totalPages, 1) : step;
      },
    });
    pages = result.totalPages;
  } catch (err) {
    removeWithSideFiles(partial);
    throw new BackupError(`backup of ${src} failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    db.close();
  }
  let counts: Record<string, number>;
  try {
    const copy = new Database(partial);
    copy.pragma('journal_mode = DELETE'); // one self-contained file
    copy.close();
    counts = checkIntegrity(partial);
  } catch (err) {
    removeWithSideFiles(partial);
    throw err;
  }
  if (options.force) removeWithSideFiles(dest);
  renameSync(partial, dest);
  return {
    source: src,
    destination: dest,
    bytes: statSync(dest).size,
    pages,
    restarts,
    counts,
    ms: Date.now() - started,
  };
}

export interface RestoreReport {
  backup: string;
  database: string;
  /** Where the database that was replaced now is, if there was one. */
  previous?: string;
  counts: Record<string, number>;
}

/**
 * Puts `backup` in place of the database at `database`. The server must be stopped (refused
 * while any process has the database open). An existing database is only replaced with `force`,
 * and is kept as `<database>.before-restore-<time>`.
 */
export async function restoreSqlite(
  backup: string,
  database: string,
  options: { force?: boolean; now?: number } = {},
): Promise<RestoreReport> {
  const from = resolve(backup);
  const to = resolve(database);
  if (!existsSync(from)) throw new BackupError(`no backup at ${from}`);
  if (from === to) throw new BackupError('the backup and the database are the same file');
  const counts = checkIntegrity(from);
  if (!('docs' in counts)) throw new BackupError(`${from} is not a OneThing database (it has no docs table)`);
  const exists = existsSync(to);
  if (exists && !options.force) {
    throw new BackupError(
      `${to} exists; stop the server, then run restore with --force (the current database is kept beside it as .before-restore-<time>)`,
    );
  }
  if (exists && databaseInUse(to)) {
    throw new BackupError(
      `${to} is open in another process (a running server, or another onething-admin command): ` +
        'stop it first; --force only allows replacing a database no one is using',
    );
  }
  // A checked copy next to the target first, so the switch below is two renames.
  const staged = `${to}.restoring-${process.pid}`;
  await backupSqlite(from, staged, { force: true });
  let previous: string | undefined;
  if (exists) {
    previous = `${to}.before-restore-${new Date(options.now ?? Date.now()).toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', ...SIDE_FILES]) {
      if (existsSync(`${to}${suffix}`)) renameSync(`${to}${suffix}`, `${previous}${suffix}`);
    }
  }
  renameSync(staged, to);
  return { backup: from, database: to, ...(previous ? { previous } : {}), counts: checkIntegrity(to) };
}
