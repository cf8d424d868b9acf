/**
 * The supervisor figures' projection of one case (`caseFigures`, id = the case's, rev = the case's
 * rev it was made from): what computeAggregates needs of a case and its department task rows,
 * already reduced (working days counted, deadlines compared). The Centre writes it with the case
 * in every save (one commit on memory and SQLite; after the case and its rows where the store
 * has no batches), so a report reads a few hundred bytes per case instead of its ~6.5 kB body
 * and its task rows. It holds no personal data: codes, times, counts.
 */
import { readPages, type Doc, type DocStore } from '../domain/docs.js';
import { DAY_MS, startOfDay } from '../jobs/calendar/cst.js';
import { finishedAt, netWorkingDays, type AppLike, type IsWorkingDay, type TaskLike } from './aggregates.js';
import { stopsItem } from './case-clock.js';
import { APPLICATIONS, DEPARTMENT_TASKS } from './centre.js';
import type { TimeLimits } from './clock.js';

export const CASE_FIGURES = 'caseFigures';

/**
 * The rows' version: a row of another (none: 1) is made again at start (projectCaseFigures).
 * 2: net working days take overlapping pauses off once. 3: a decision at the deadline itself is late.
 */
export const FIGURES_VERSION = 3;

export interface CaseFigures extends Doc {
  v: number;
  bundleCode: string;
  status: string;
  /** District and city, as the case holds them: the supervisor's scope filters on them. */
  region?: string;
  city?: string;
  createdAt: number;
  acceptedAt?: number;
  timeStatus?: string;
  /** Every item decided (results ready) after acceptance: by the case deadline, and its net working days. */
  finished?: { onTime: boolean; days: number };
  /** The departments of its items and task rows. */
  departments: string[];
  /** Its decided items in item order: department, decided by the task's deadline, net working days (none without a start). */
  decided: { department: string; onTime: boolean; days?: number }[];
  /** Its task rows a department can work on (neither done nor waiting): department and colour. */
  backlog: { department: string; timeStatus?: string }[];
  /** The level of each evaluation. */
  evaluations: number[];
}

/** What the projection reads of a case: the figures' fields and its city (a scope). */
export type FiguresSource = AppLike & Doc & { city?: string };

const DECIDED_ITEM = new Set(['approved', 'rejected']);

/** The figures row of a case with its task rows (as stored with the case), on the calendar `isWorking`. */
export function caseFiguresOf(
  app: FiguresSource,
  tasks: readonly TaskLike[],
  isWorking: IsWorkingDay,
): CaseFigures {
  const done = finishedAt(app);
  const finished =
    done !== undefined && app.acceptedAt !== undefined
      ? {
          // A deadline is the first instant past the limit (the clock is red from it on).
          onTime: app.deadline === undefined || done < app.deadline,
          days: netWorkingDays(app.acceptedAt, done, app.pauses, isWorking, app.region),
        }
      : undefined;
  // In id order, whatever order they come in (a save's rows, a read's): the same case, the same row.
  const rows = [...tasks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const deadlineOf = new Map(rows.map((t) => [t.id, t.deadline]));
  const supplements = app.pauses.filter((p) => p.reason === 'supplement');
  const decided: CaseFigures['decided'] = [];
  for (const i of app.items) {
    if (!DECIDED_ITEM.has(i.status) || i.decidedAt === undefined) continue;
    const deadline = deadlineOf.get(`${app.id}:${i.item}`);
    const start = i.startedAt ?? app.acceptedAt;
    // On the calendar of the office that decides it (跨域通办: maybe another city's days off).
    const region = i.decidingDepartmentRegion ?? app.region;
    const stopped = supplements.filter((p) => stopsItem(p, i.item));
    decided.push({
      department: i.department,
      onTime: deadline === undefined || i.decidedAt < deadline,
      ...(start !== undefined
        ? { days: netWorkingDays(start, i.decidedAt, stopped, isWorking, region) }
        : {}),
    });
  }
  return {
    id: app.id,
    rev: app.rev,
    v: FIGURES_VERSION,
    bundleCode: app.bundleCode,
    status: app.status,
    ...optional(app, ['region', 'city', 'acceptedAt', 'timeStatus'] as const),
    createdAt: app.createdAt,
    ...(finished ? { finished } : {}),
    departments: [
      ...new Set([...app.items.map((i) => i.department), ...rows.map((t) => t.department)]),
    ].sort(),
    decided,
    // A department's backlog: what it can work on (not the items the process has yet to reach).
    backlog: rows
      .filter((t) => t.state !== 'done' && t.state !== 'waiting')
      .map((t) => ({
        department: t.department,
        ...(t.timeStatus !== undefined ? { timeStatus: t.timeStatus } : {}),
      })),
    evaluations: app.evaluations.map((e) => e.level),
  };
}

function optional<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (source[k] !== undefined) out[k] = source[k];
  return out;
}

/**
 * "Working day" as the Centre's time limits count it (its calendar, a region's nearest calendar
 * region): the first working day after the day before is the day itself exactly when it works.
 * One rule for deadlines and the figures; remembered per region and day (the calendar is fixed).
 */
export function workingDaysOf(limits: Pick<TimeLimits, 'addWorkingDays'>): IsWorkingDay {
  const known = new Map<string, Map<number, boolean>>();
  return (day, region) => {
    let days = known.get(region ?? '');
    if (!days) known.set(region ?? '', (days = new Map()));
    let working = days.get(day);
    if (working === undefined) {
      working = limits.addWorkingDays(startOfDay(day - 1), 1, region) === startOfDay(day) + DAY_MS;
      days.set(day, working);
    }
    return working;
  };
}

/** Times a case's row is made again when the case was written while it was made. */
const ATTEMPTS = 5;

/**
 * A case's figures from its record and its task rows, read so they agree: rows newer than the
 * case as read (a save in between) make both be read again. Undefined when there is no such case.
 */
export async function currentCaseFigures(
  docs: DocStore,
  id: string,
  isWorking: IsWorkingDay,
): Promise<CaseFigures | undefined> {
  for (let attempt = 0; ; attempt++) {
    const app = await docs.get<FiguresSource>(APPLICATIONS, id);
    if (!app) return undefined;
    const tasks = await docs.find<TaskLike & Doc>(DEPARTMENT_TASKS, { where: { applicationId: id } });
    if (attempt < ATTEMPTS && tasks.some((t) => t.rev > app.rev)) continue;
    return caseFiguresOf(app, tasks, isWorking);
  }
}

/**
 * Writes the figures row of every case that has none, one older than the case (cases stored
 * before the projection, or written by something other than the Centre) or one of another
 * version (FIGURES_VERSION). Idempotent, paged.
 * Each row is written, then the case's rev checked: a case saved meanwhile (whose own save may
 * have come before this write) has its row made again. Returns how many rows were written.
 */
export async function projectCaseFigures(docs: DocStore, isWorking: IsWorkingDay): Promise<number> {
  // Ids, revs and versions only: the store parses no body beyond them.
  const rows = await readPages<Doc & { v?: number }>(docs, CASE_FIGURES, { fields: ['v'] });
  const projected = new Map(rows.filter((row) => row.v === FIGURES_VERSION).map((row) => [row.id, row.rev]));
  let written = 0;
  for (const app of await readPages<Doc>(docs, APPLICATIONS, { fields: [] })) {
    if ((projected.get(app.id) ?? 0) >= app.rev) continue;
    if (await writeCaseFigures(docs, app.id, isWorking)) written++;
  }
  return written;
}

async function writeCaseFigures(docs: DocStore, id: string, isWorking: IsWorkingDay): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const row = await currentCaseFigures(docs, id, isWorking);
    if (!row) return false;
    await docs.replace(CASE_FIGURES, row);
    const rev = docs.revOf ? await docs.revOf(APPLICATIONS, id) : (await docs.get(APPLICATIONS, id))?.rev;
    if (rev === row.rev) return true;
  }
  // Saved over and over meanwhile: those saves wrote the row; the next start checks it again.
  return true;
}
