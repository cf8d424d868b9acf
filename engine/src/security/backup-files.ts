/**
 * Backup and restore of a centre on the embedded store: the SQLite file (./backup.ts) and the
 * uploaded material files under <data>/uploads, kept beside the backup in `<backup>.files/`
 * (same layout: `uploads/<2 hex>/<sha256>.<ext>`).
 *
 * Consistent without stopping anything: the database is copied online first, then exactly the
 * files that copy references. Uploaded files are content-addressed and never rewritten, so a file
 * the snapshot references has the same bytes whenever it is copied; it can only have gone if a
 * purge deleted it meanwhile, and the report lists it as missing. Files uploaded after the
 * snapshot are not referenced by it and are not copied.
 */
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { isContentPath } from '../../../forms/src/uploads/index.js';
import {
  backupSqlite,
  BackupError,
  restoreSqlite,
  type BackupOptions,
  type BackupReport,
  type RestoreReport,
} from './backup.js';

/** Where a backup's files are: beside the backup file. */
export const filesBeside = (backup: string) => `${resolve(backup)}.files`;

export interface FilesReport {
  /** Files copied. */
  copied: number;
  bytes: number;
  /** Referenced by the snapshot but not found (deleted meanwhile or lost before). */
  missing: string[];
}

/** The upload paths the applications in a SQLite database reference (read-only). */
export function referencedIn(database: string): string[] {
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT DISTINCT json_extract(m.value, '$.file.path') AS path
           FROM docs, json_each(docs.body, '$.materials') AS m
          WHERE docs.collection = 'applications' AND json_extract(m.value, '$.file.path') IS NOT NULL`,
      )
      .all() as { path: string }[];
    return rows.map((r) => r.path).filter(isContentPath);
  } finally {
    db.close();
  }
}

/** Copies `paths` from one data directory to another, never overwriting what is there. */
async function copyFiles(paths: string[], from: string, to: string): Promise<FilesReport> {
  const report: FilesReport = { copied: 0, bytes: 0, missing: [] };
  for (const path of paths) {
    const source = join(from, path);
    const found = await stat(source).catch(() => undefined);
    if (!found?.isFile()) {
      report.missing.push(path);
      continue;
    }
    const target = join(to, path);
    if (await stat(target).catch(() => undefined)) continue; // same address, same content
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.partial-${process.pid}`;
    await copyFile(source, partial, constants.COPYFILE_FICLONE);
    await rename(partial, target);
    report.copied++;
    report.bytes += found.size;
  }
  return report;
}

/** Every content path under `<dir>/uploads`. */
async function filesUnder(dir: string): Promise<string[]> {
  const root = join(dir, 'uploads');
  const out: string[] = [];
  for (const folder of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!folder.isDirectory()) continue;
    for (const name of await readdir(join(root, folder.name))) {
      const path = `uploads/${folder.name}/${name}`;
      if (isContentPath(path)) out.push(path);
    }
  }
  return out;
}

/** Online backup of the database, then of the files it references, into `<destination>.files`. */
export async function backupCentre(
  database: string,
  destination: string,
  dataDir: string,
  options: BackupOptions = {},
): Promise<BackupReport & { files: FilesReport & { directory: string } }> {
  const directory = filesBeside(destination);
  if ((await stat(directory).catch(() => undefined)) && !options.force)
    throw new BackupError(`${directory} exists; pass --force to overwrite it`);
  const report = await backupSqlite(database, destination, options);
  const partial = `${directory}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const files = await copyFiles(referencedIn(report.destination), resolve(dataDir), partial);
  await rm(directory, { recursive: true, force: true });
  await rename(partial, directory);
  return { ...report, files: { ...files, directory } };
}

/**
 * Restores the database (server stopped, see restoreSqlite) and puts the backup's files back
 * under `<dataDir>/uploads`; files already there stay (the same address holds the same bytes).
 */
export async function restoreCentre(
  backup: string,
  database: string,
  dataDir: string,
  options: { force?: boolean; now?: number } = {},
): Promise<RestoreReport & { files: FilesReport }> {
  const report = await restoreSqlite(backup, database, options);
  const directory = filesBeside(backup);
  const paths = await filesUnder(directory);
  const files = await copyFiles(paths, directory, resolve(dataDir));
  // What the restored database references and is in neither place cannot be downloaded.
  const present = new Set(await filesUnder(resolve(dataDir)));
  files.missing = referencedIn(report.database).filter((p) => !present.has(p));
  return { ...report, files };
}
