/**
 * Retention of uploaded material files (ID cards, licences, scans). Files are content-addressed:
 * two applications that uploaded the same bytes share one file, so a file is deleted only when no
 * application left (tombstones hold no materials) references it.
 *
 * An upload is stored before the application records it, so a file that is referenced by nothing
 * may belong to a request still in flight: only files stored longer ago than the grace period
 * are deleted (a second put of the same bytes renews that time). Purge deletes the files its
 * tombstones released; the orphan sweep deletes any unreferenced file, which also catches the
 * files of a purge that stopped between writing a tombstone and deleting them.
 */
import type { Application } from '../applications/types.js';
import type { AuditActor, AuditLog } from '../audit/index.js';
import type { Doc, DocStore } from '../domain/docs.js';
import { encodeCursor } from '../domain/docs.js';
import type { UploadStore } from '../../../forms/src/uploads/index.js';

export const UPLOADS_PURGE_ACTION = 'uploads.purge';
export const UPLOADS_SWEEP_ACTION = 'uploads.sweep';
/** Files younger than this are never deleted as unreferenced (an upload between store and record). */
export const DEFAULT_UPLOAD_GRACE_MS = 86_400_000;
const PAGE = 200;

/** The upload paths an application's materials record. */
export function filesOf(app: Pick<Application, 'materials'>): string[] {
  return (app.materials ?? []).flatMap((m) => (m.file?.path ? [m.file.path] : []));
}

/**
 * Every upload path referenced by any application (all statuses) but those in `ignoring` (a dry
 * run's would-be tombstones), paged so memory stays small.
 */
export async function referencedUploads(
  docs: DocStore,
  ignoring?: ReadonlySet<string>,
): Promise<Set<string>> {
  const paths = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await docs.find<Application & Doc>('applications', {
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    if (!page.length) return paths;
    for (const app of page) {
      if (!ignoring?.has(app.id)) for (const p of filesOf(app)) paths.add(p);
    }
    after = encodeCursor(null, page[page.length - 1]!.id);
  }
}

export interface UploadCleanup {
  /** Files deleted. */
  deleted: number;
  /** Still referenced by another application (same content): kept. */
  shared: number;
  /** Stored within the grace period: kept, for the next run. */
  recent: number;
}

export interface CleanupOptions {
  now?: number;
  graceMs?: number;
  dryRun?: boolean;
  /** Applications whose references do not count (a dry run's would-be tombstones). */
  ignoring?: ReadonlySet<string>;
}

/**
 * Deletes those of `candidates` (upload paths; all kept files when undefined) that no
 * application references and that were stored before the grace period.
 */
export async function removeUnreferenced(
  docs: DocStore,
  uploads: UploadStore,
  candidates: ReadonlySet<string> | undefined,
  options: CleanupOptions = {},
): Promise<UploadCleanup> {
  const result: UploadCleanup = { deleted: 0, shared: 0, recent: 0 };
  if (candidates && candidates.size === 0) return result;
  const referenced = await referencedUploads(docs, options.ignoring);
  const before = (options.now ?? Date.now()) - (options.graceMs ?? DEFAULT_UPLOAD_GRACE_MS);
  for await (const kept of uploads.list()) {
    if (candidates && !candidates.has(kept.path)) continue;
    if (referenced.has(kept.path)) result.shared++;
    else if (kept.storedAt > before) result.recent++;
    else if (options.dryRun || (await uploads.remove(kept.path))) result.deleted++;
  }
  return result;
}

/**
 * Deletes every file referenced by no application (see the grace period) and what uploads cut off
 * by a crash left behind (`incomplete`), with one audit entry.
 */
export async function sweepOrphanUploads(
  docs: DocStore,
  uploads: UploadStore,
  options: CleanupOptions & { audit: AuditLog; actor: AuditActor },
): Promise<UploadCleanup & { incomplete: number }> {
  const before = (options.now ?? Date.now()) - (options.graceMs ?? DEFAULT_UPLOAD_GRACE_MS);
  const result = {
    ...(await removeUnreferenced(docs, uploads, undefined, options)),
    incomplete: options.dryRun ? 0 : await uploads.removeIncomplete(before),
  };
  if ((result.deleted || result.incomplete) && !options.dryRun) {
    await options.audit.append({
      actor: options.actor,
      action: UPLOADS_SWEEP_ACTION,
      target: 'uploads',
      outcome: 'ok',
      at: options.now ?? Date.now(),
      detail: { ...result },
    });
  }
  return result;
}
