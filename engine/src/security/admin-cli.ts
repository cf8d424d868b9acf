/**
 * onething-admin: operations on a deployment's data (bin/onething-admin.js).
 *
 *   onething-admin backup <dest.db> [--db <file>] [--force]
 *     Online backup of the SQLite store, then of the uploaded files it references (into
 *     <dest.db>.files/); safe while the server runs.
 *   onething-admin restore <backup.db> [--db <file>] [--force]
 *     Puts a backup in place of the store and its files back under <data>/uploads. Stop the
 *     server first (refused while any process has the database open); an existing store is
 *     replaced only with --force and kept as <db>.before-restore-<time>. Warns when the data
 *     key the backup's sealed values need is not here (ONETHING_DATA_KEY or <data>/data.key).
 *   onething-admin purge --older-than-days <n> [--db <file>] [--dry-run]
 *     Retention: tombstones ended applications older than n days, one audit entry each, and
 *     deletes their uploaded files that no other application references.
 *   onething-admin sweep-uploads [--db <file>] [--dry-run]
 *     Deletes uploaded files that no application references (stored over a day ago).
 *   onething-admin reencrypt [--db <file>]
 *     Rewrites sensitive fields under the current data key (after a rotation, or after switching
 *     encryption on); ONETHING_DATA_KEY / ONETHING_DATA_KEYS_RETIRED or data/data.key.
 *   onething-admin new-key
 *     Prints a fresh random data key (base64) for ONETHING_DATA_KEY.
 *
 * The store is ONETHING_DB, else <ONETHING_DATA_DIR or data>/onething.db, as for `npm start`
 * (an empty variable counts as unset);
 * purge and reencrypt also work on MongoDB (MONGODB_URI). One JSON line per result on stdout.
 * Exit 0 on success, 1 on a refused or failed operation, 64 on a usage error.
 */
import { resolve } from 'node:path';
import { AuditLog } from '../audit/index.js';
import { dataDirOf, dbFileOf } from '../config.js';
import type { Io } from '../cli.js';
import { DOC_INDEXES, openDocStore } from '../domain/open-docs.js';
import { openStore } from '../store/index.js';
import { backupCentre, restoreCentre } from './backup-files.js';
import { generateDataKey, keysInUse, missingKeysMessage, openDataKeys } from './data-key.js';
import { EncryptingDocStore, defaultEncryptionPolicy } from './encryption.js';
import { purgeArchived, purgeExpiredResponses, RETENTION_ACTOR } from './purge.js';
import { sweepOrphanUploads } from './upload-retention.js';
import { uploadStoreBeside, type UploadStore } from '../../../forms/src/uploads/index.js';

const stdio: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

export const USAGE = `usage:
  onething-admin backup <dest.db> [--db <file>] [--force]
  onething-admin restore <backup.db> [--db <file>] [--force]
  onething-admin purge --older-than-days <n> [--db <file>] [--dry-run]
  onething-admin sweep-uploads [--db <file>] [--dry-run]
  onething-admin reencrypt [--db <file>]
  onething-admin new-key`;

class UsageError extends Error {}

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUED = new Set(['--db', '--older-than-days']);
const SWITCHES = new Set(['--force', '--dry-run']);

function parse(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUED.has(a)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      flags.set(a, v);
    } else if (SWITCHES.has(a)) flags.set(a, true);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  return { positional, flags };
}

function dbFile(args: Args, env: NodeJS.ProcessEnv): string {
  const given = args.flags.get('--db');
  return resolve(typeof given === 'string' ? given : dbFileOf(env));
}

/** The data directory, as for `npm start` (material files are under <data>/uploads). */
const dataDir = dataDirOf;

function one(args: Args, what: string): string {
  if (args.positional.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return args.positional[0]!;
}

async function withDocs<T>(
  args: Args,
  env: NodeJS.ProcessEnv,
  run: (docs: import('../domain/docs.js').DocStore, uploads: UploadStore) => Promise<T>,
): Promise<T> {
  const store = await openStore({ ...env, ONETHING_DB: dbFile(args, env) });
  const docs = await openDocStore(store);
  const uploads = await uploadStoreBeside(store, dataDir(env));
  try {
    return await run(docs, uploads);
  } finally {
    await uploads.close();
    await store.close();
    (docs as { close?: () => unknown }).close?.();
  }
}

export async function main(
  argv: string[],
  io: Io = stdio,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const args = parse(rest);
    switch (command) {
      case 'backup': {
        const report = await backupCentre(dbFile(args, env), one(args, 'destination file'), dataDir(env), {
          force: args.flags.has('--force'),
        });
        io.out(JSON.stringify({ ok: true, ...report }));
        return 0;
      }
      case 'restore': {
        const report = await restoreCentre(one(args, 'backup file'), dbFile(args, env), dataDir(env), {
          force: args.flags.has('--force'),
        });
        if (report.files.missing.length)
          io.err(
            `warning: ${report.files.missing.length} uploaded file(s) the database references are in neither the backup nor ${dataDir(env)}`,
          );
        const keys = await withDocs(args, env, (docs) => keysInUse(docs, dataDir(env), env));
        if (keys.missing.length)
          io.err(`warning: the server will not start: ${missingKeysMessage(keys.missing, dataDir(env))}`);
        io.out(JSON.stringify({ ok: true, ...report, dataKeys: keys }));
        return 0;
      }
      case 'purge': {
        const days = Number(args.flags.get('--older-than-days'));
        if (!args.flags.has('--older-than-days') || !Number.isFinite(days) || days < 0) {
          throw new UsageError('purge needs --older-than-days <n> (n ≥ 0)');
        }
        const dryRun = args.flags.has('--dry-run');
        const report = await withDocs(args, env, async (docs, uploads) => ({
          ...(await purgeArchived(docs, { olderThanDays: days, audit: new AuditLog(docs), dryRun, uploads })),
          expiredResponsesDropped: dryRun ? 0 : await purgeExpiredResponses(docs),
        }));
        io.out(JSON.stringify({ ok: true, dryRun, ...report }));
        return 0;
      }
      case 'sweep-uploads': {
        const dryRun = args.flags.has('--dry-run');
        const report = await withDocs(args, env, (docs, uploads) =>
          sweepOrphanUploads(docs, uploads, { audit: new AuditLog(docs), actor: RETENTION_ACTOR, dryRun }),
        );
        io.out(JSON.stringify({ ok: true, dryRun, ...report }));
        return 0;
      }
      case 'reencrypt': {
        const report = await withDocs(args, env, async (docs) => {
          const keys = await openDataKeys(dataDir(env), env, (m) => io.err(`warning: ${m}`), docs);
          const encrypting = new EncryptingDocStore(docs, keys, defaultEncryptionPolicy(), DOC_INDEXES);
          return { keyId: keys.current.id, ...(await encrypting.reencryptAll()) };
        });
        io.out(JSON.stringify({ ok: true, ...report }));
        return 0;
      }
      case 'new-key': {
        const k = generateDataKey();
        io.out(JSON.stringify({ keyId: k.id, ONETHING_DATA_KEY: k.key.toString('base64') }));
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.err(USAGE);
        return command === undefined ? 64 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`onething-admin: ${err.message}\n${USAGE}`);
      return 64;
    }
    io.err(`onething-admin: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
