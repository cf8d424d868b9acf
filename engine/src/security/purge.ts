/**
 * Retention (GOV-SERVICES 2.20: archive retention per item type): applications that ended —
 * delivered, evaluated, refused or terminated — longer ago than the retention period lose their
 * personal data, each with an audit entry.
 *
 * The DocStore port has no delete, and a hard delete would leave the audit chain, department
 * inbox rows, licences and statistics pointing at nothing. So a purge writes a tombstone in place
 * (compare-and-set, so it never overwrites a concurrent change): the same record shape, with the
 * case number, bundle, statuses, dates, region, item outcomes and handovers (分批出件: batch,
 * items, channel, time, venue) kept for statistics and supervision, and the applicant, form data,
 * answers, materials, commitments, notices, reasons, comments, timeline details and who handed
 * the results over emptied. `purge.audited` makes the audit entry exactly-once across crashes: a
 * tombstone whose entry was not yet written gets it on the next run.
 *
 * Uploaded material files: with an upload store, the files the purged applications held are
 * deleted unless another application still references the same content (./upload-retention.ts);
 * each application's audit entry counts its files, one `uploads.purge` entry counts the deletions.
 *
 * Also: stored idempotent responses (they repeat whole applications) lose their body once expired.
 */
import type { Application, ApplicationStatus } from '../applications/types.js';
import type { AuditActor, AuditLog } from '../audit/index.js';
import { DocConflictError, encodeCursor, type Doc, type DocStore } from '../domain/docs.js';
import type { UploadStore } from '../../../forms/src/uploads/index.js';
import { filesOf, removeUnreferenced, UPLOADS_PURGE_ACTION, type UploadCleanup } from './upload-retention.js';

export const APPLICATIONS = 'applications';
export const IDEMPOTENCY = 'idempotency';
export const PURGEABLE: readonly ApplicationStatus[] = ['delivered', 'evaluated', 'refused', 'terminated'];
export const PURGE_ACTION = 'applications.purge';
const DAY = 86_400_000;
const PAGE = 200;

export const RETENTION_ACTOR: AuditActor = { userId: 'system:retention', role: 'system' };

export interface PurgeOptions {
  /** Retention period after the application's end, in days. */
  olderThanDays: number;
  /** A different period per bundle code (archive retention per item type). */
  perBundle?: Readonly<Record<string, number>>;
  now?: number;
  audit: AuditLog;
  actor?: AuditActor;
  /** Report what would be purged without writing anything. */
  dryRun?: boolean;
  /** Where the material files are: the purged applications' files are deleted there too. */
  uploads?: UploadStore;
  /** Files stored more recently than this are kept (an upload in flight); default one day. */
  uploadGraceMs?: number;
}

export interface PurgeReport {
  /** Ended applications looked at. */
  examined: number;
  /** Ids purged by this run (or, dry, that would be). */
  purged: string[];
  /** Changed by someone else meanwhile: left for the next run. */
  conflicts: string[];
  /** Tombstones of an earlier, interrupted run whose audit entry this run wrote. */
  completed: string[];
  /** With an upload store: the purged applications' files deleted, kept as shared, kept as recent. */
  files?: UploadCleanup;
}

export type Tombstone = Application & {
  purge: { at: number; audited: boolean; retentionDays: number; files?: number };
};

/** When the case ended: its end, delivery or last evaluation, else its last timeline entry. */
export function endOf(app: Application): number {
  const ends = [app.endedAt, app.deliveredAt, ...(app.evaluations ?? []).map((e) => e.at)].filter(
    (t): t is number => typeof t === 'number',
  );
  if (ends.length) return Math.max(...ends);
  return app.timeline?.at(-1)?.at ?? app.createdAt;
}

/** The record without personal data: what statistics and supervision still need. */
export function tombstone(app: Application, at: number, retentionDays: number): Tombstone {
  const t: Tombstone = {
    id: app.id,
    rev: app.rev,
    number: app.number,
    bundleCode: app.bundleCode,
    bundleVersion: app.bundleVersion,
    processId: app.processId,
    status: app.status,
    applicant: { kind: app.applicant?.kind ?? 'person', name: '', idNumber: '' },
    answers: {},
    data: {},
    items: (app.items ?? []).map((i) => ({
      item: i.item,
      name: i.name,
      department: i.department,
      // An office code, not personal data: the supervisor's scope and the item's calendar read it.
      ...(i.decidingDepartmentRegion ? { decidingDepartmentRegion: i.decidingDepartmentRegion } : {}),
      status: i.status,
      limitDays: i.limitDays,
      ...(i.startedAt !== undefined ? { startedAt: i.startedAt } : {}),
      ...(i.decidedAt !== undefined ? { decidedAt: i.decidedAt } : {}),
      ...(i.resultNumber ? { resultNumber: i.resultNumber } : {}),
      ...(i.licenceId ? { licenceId: i.licenceId } : {}),
      ...(i.timeStatus ? { timeStatus: i.timeStatus } : {}),
    })),
    materials: [],
    commitments: [],
    requests: [],
    notices: [],
    pauses: app.pauses ?? [],
    evaluations: (app.evaluations ?? []).map((e) => ({
      channel: e.channel,
      level: e.level,
      at: e.at,
      by: '',
    })),
    ...(app.deliveries
      ? { deliveries: app.deliveries.map((d) => ({ batch: d.batch, items: d.items, ...handover(d) })) }
      : {}),
    ...(app.delivery ? { delivery: handover(app.delivery) } : {}),
    departments: app.departments ?? [],
    createdAt: app.createdAt,
    promisedDays: app.promisedDays,
    timeline: (app.timeline ?? []).map((e) => ({
      at: e.at,
      type: e.type,
      by: e.by.role === 'applicant' ? { userId: '', role: 'applicant' } : e.by,
    })),
    // A refusal's reason is free text (it may name people); the engine's own codes are kept.
    ...(app.endReason && /^[A-Za-z-]+$/.test(app.endReason) ? { endReason: app.endReason } : {}),
    purge: { at, audited: false, retentionDays, files: filesOf(app).length },
  };
  for (const k of [
    'instanceId',
    'region',
    'city',
    'venue',
    'submittedAt',
    'acceptedAt',
    'deadline',
    'timeStatus',
    'deliveredAt',
    'endedAt',
  ] as const) {
    if (app[k] !== undefined) (t as unknown as Record<string, unknown>)[k] = app[k];
  }
  return t;
}

/**
 * A handover's facts kept for statistics (分批出件, delivery channel): how, when and where; not who
 * handed it over. Named one by one, so a personal detail added to the record later is not kept.
 */
function handover(d: NonNullable<Application['delivery']>): NonNullable<Application['delivery']> {
  return { channel: d.channel, at: d.at, by: '', ...(d.venue ? { venue: d.venue } : {}) };
}

/** Pages through a collection by id, so a long run never holds everything in memory. */
async function* pages<T extends Doc>(docs: DocStore, collection: string, where?: Record<string, string[]>) {
  let after: string | undefined;
  for (;;) {
    const page = await docs.find<T>(collection, {
      ...(where ? { where } : {}),
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    if (!page.length) return;
    yield page;
    after = encodeCursor(null, page[page.length - 1]!.id);
  }
}

export async function purgeArchived(docs: DocStore, options: PurgeOptions): Promise<PurgeReport> {
  if (!Number.isFinite(options.olderThanDays) || options.olderThanDays < 0) {
    throw new RangeError(`olderThanDays must be a number of days ≥ 0, not ${options.olderThanDays}`);
  }
  const now = options.now ?? Date.now();
  const actor = options.actor ?? RETENTION_ACTOR;
  const report: PurgeReport = { examined: 0, purged: [], conflicts: [], completed: [] };
  const released = new Set<string>();

  const audited = async (t: Tombstone): Promise<void> => {
    await options.audit.append({
      actor,
      action: PURGE_ACTION,
      target: `application:${t.id}`,
      outcome: 'ok',
      at: t.purge.at,
      detail: {
        number: t.number,
        bundle: t.bundleCode,
        status: t.status,
        endedAt: endOf(t),
        retentionDays: t.purge.retentionDays,
        files: t.purge.files ?? 0,
      },
    });
    await docs.put(APPLICATIONS, { ...t, purge: { ...t.purge, audited: true } }, t.rev);
  };

  for await (const page of pages<Application | Tombstone>(docs, APPLICATIONS, { status: [...PURGEABLE] })) {
    for (const app of page) {
      report.examined++;
      if ('purge' in app && app.purge) {
        if (!app.purge.audited && !options.dryRun) {
          await audited(app).then(
            () => report.completed.push(app.id),
            (err) => {
              if (!(err instanceof DocConflictError)) throw err;
            },
          );
        }
        continue;
      }
      const days = options.perBundle?.[app.bundleCode] ?? options.olderThanDays;
      if (endOf(app) > now - days * DAY) continue;
      if (options.dryRun) {
        report.purged.push(app.id);
        for (const p of filesOf(app)) released.add(p);
        continue;
      }
      let saved: Tombstone;
      try {
        saved = await docs.put(APPLICATIONS, tombstone(app, now, days), app.rev);
      } catch (err) {
        if (!(err instanceof DocConflictError)) throw err;
        report.conflicts.push(app.id);
        continue;
      }
      await audited(saved);
      report.purged.push(app.id);
      for (const p of filesOf(app)) released.add(p);
    }
  }
  if (options.uploads) report.files = await deleteReleased(docs, options, released, report, now, actor);
  return report;
}

/** The released files no one else references; one audit entry counting what was deleted. */
async function deleteReleased(
  docs: DocStore,
  options: PurgeOptions,
  released: ReadonlySet<string>,
  report: PurgeReport,
  now: number,
  actor: AuditActor,
): Promise<UploadCleanup> {
  const files = await removeUnreferenced(docs, options.uploads!, released, {
    now,
    ...(options.uploadGraceMs !== undefined ? { graceMs: options.uploadGraceMs } : {}),
    ...(options.dryRun ? { dryRun: true, ignoring: new Set(report.purged) } : {}),
  });
  if (!options.dryRun && released.size) {
    await options.audit.append({
      actor,
      action: UPLOADS_PURGE_ACTION,
      target: 'uploads',
      outcome: 'ok',
      at: now,
      detail: { applications: report.purged.length, released: released.size, ...files },
    });
  }
  return files;
}

interface IdempotencyRecord extends Doc {
  expiresAt: number;
  response?: unknown;
}

/** Drops the stored response of every expired idempotency record; returns how many. */
export async function purgeExpiredResponses(docs: DocStore, now: number = Date.now()): Promise<number> {
  let n = 0;
  for await (const page of pages<IdempotencyRecord>(docs, IDEMPOTENCY)) {
    for (const r of page) {
      if (r.expiresAt > now || r.response === undefined) continue;
      const { response: _dropped, ...rest } = r;
      try {
        await docs.put(IDEMPOTENCY, rest, r.rev);
        n++;
      } catch (err) {
        if (!(err instanceof DocConflictError)) throw err;
      }
    }
  }
  return n;
}
