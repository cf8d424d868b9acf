/**
 * Supervisor figures (效能监察, GOV-SERVICES 2.19), computed on the server from the cases the
 * supervisor may see: on-time completion, average working days per bundle and per department,
 * backlog with yellow/red per department, the evaluation distribution, bad-review rectification,
 * incidents. Filtered by acceptance date (CST, inclusive) and region (administrative-division
 * code prefix). Each case is read as its figures row (case-figures.ts: reduced when the Centre
 * saves it), not its record and task rows. The arithmetic is pure (`computeAggregates`) so it is
 * tested without a store.
 */
import type { Actor } from '../domain/actor.js';
import { encodeCursor, readPages, type Doc, type DocQuery, type DocStore } from '../domain/docs.js';
import { t, DomainError, forbidden, type FieldProblem } from '../domain/errors.js';
import { dayOf, DAY_MS, parseDay, startOfDay } from '../jobs/calendar/cst.js';
import { mergePauses } from '../jobs/time-limits.js';
import { CASE_FIGURES, currentCaseFigures, type CaseFigures } from './case-figures.js';
import { APPLICATIONS } from './centre.js';
import { RECTIFICATION_STATUSES, RECTIFICATIONS, type RectificationCase } from './rectification.js';
import { listScope, requireRole } from './scope.js';
import type { Application } from './types.js';

/** What a case's figures row is made of (case-figures.ts), of its record. */
export type AppLike = Pick<
  Application,
  | 'id'
  | 'number'
  | 'bundleCode'
  | 'status'
  | 'region'
  | 'createdAt'
  | 'acceptedAt'
  | 'deadline'
  | 'timeStatus'
> & {
  pauses: { from: number; to?: number; reason: string; items?: string[] }[];
  items: Pick<
    Application['items'][number],
    'item' | 'department' | 'decidingDepartmentRegion' | 'status' | 'startedAt' | 'decidedAt'
  >[];
  evaluations: { level: number; channel: string }[];
  timeline: { at: number; type: string }[];
};

/** What a case's figures row is made of, of its department inbox rows (as the Centre projects them). */
export interface TaskLike {
  id: string;
  applicationId: string;
  department: string;
  state: 'waiting' | 'open' | 'claimed' | 'needs-supplement' | 'done';
  deadline?: number;
  timeStatus?: string;
}

export type RectificationLike = Pick<RectificationCase, 'applicationId' | 'status' | 'timeStatus' | 'onTime'>;

export interface IncidentLike {
  instanceId: string;
  processId: string;
  businessKey?: string;
  elementId?: string;
  message?: string;
  at?: number;
}

export interface AggregateFilter {
  /** CST dates 'YYYY-MM-DD', inclusive; absent = open. Applied to acceptance (or creation) time. */
  from?: string;
  to?: string;
  /** Administrative-division code: 440305 a district, 440300 (or 4403) a whole city, 44 a province. */
  region?: string;
}

/**
 * Whether a CST day (days since 1970-01-01 CST) is a working day where `region` (a division
 * code: the case's, or the deciding office's) works; without one, nationally.
 */
export type IsWorkingDay = (day: number, region?: string) => boolean;

/** Weekends only, for tests and when no calendar is loaded. */
export const weekdaysOnly: IsWorkingDay = (day) => {
  const iso = ((((day + 3) % 7) + 7) % 7) + 1;
  return iso < 6;
};

/** 'YYYY-MM-DD' (CST) → epoch ms at 00:00 CST. */
export function cstDateStart(date: string): number {
  const day = parseDay(date);
  if (day === null) throw new Error(`not a date: ${date}`);
  return startOfDay(day);
}

/** Working time between two instants in working days (fractional): only hours on working days count. */
export function workingDaysSpent(from: number, to: number, isWorking: IsWorkingDay, region?: string): number {
  if (!(to > from)) return 0;
  let total = 0;
  for (let day = dayOf(from); day <= dayOf(to); day++) {
    if (!isWorking(day, region)) continue;
    const start = Math.max(from, startOfDay(day));
    const end = Math.min(to, startOfDay(day + 1));
    if (end > start) total += end - start;
  }
  return total / DAY_MS;
}

/**
 * Working days spent, minus the supplement and special-step pauses inside the span, merged where
 * they overlap as the case's clock merges them (a supplement asked during a special step is not
 * given back twice).
 */
export function netWorkingDays(
  from: number,
  to: number,
  pauses: AppLike['pauses'],
  isWorking: IsWorkingDay,
  region?: string,
): number {
  let spent = workingDaysSpent(from, to, isWorking, region);
  const { closed, openSince } = mergePauses(pauses, from, to);
  const spans = openSince === undefined ? closed : [...closed, [openSince, to] as [number, number]];
  for (const [a, b] of spans) if (b > a) spent -= workingDaysSpent(a, b, isWorking, region);
  return Math.max(0, spent);
}

/** When every item was decided (results ready), from the timeline. */
export function finishedAt(app: AppLike): number | undefined {
  return app.timeline.find((e) => e.type === 'results.ready')?.at;
}

/** The prefix a division code stands for: 440300 → 4403 (the city), 440000 → 44, 440305 stays. */
export function regionPrefix(code: string): string {
  let prefix = code;
  while (prefix.length > 2 && prefix.endsWith('00')) prefix = prefix.slice(0, -2);
  return prefix;
}

export function inRegion(appRegion: string | undefined, filter: string | undefined): boolean {
  if (!filter) return true;
  return !!appRegion && appRegion.startsWith(regionPrefix(filter));
}

export function filterApplications<T extends Pick<AppLike, 'acceptedAt' | 'createdAt' | 'region'>>(
  apps: readonly T[],
  filter: AggregateFilter,
): T[] {
  const from = filter.from ? cstDateStart(filter.from) : Number.NEGATIVE_INFINITY;
  const to = filter.to ? cstDateStart(filter.to) + DAY_MS : Number.POSITIVE_INFINITY;
  return apps.filter((a) => {
    const at = a.acceptedAt ?? a.createdAt;
    return at >= from && at < to && inRegion(a.region, filter.region);
  });
}

export interface GroupFigures {
  key: string;
  applications: number;
  finished: number;
  onTime: number;
  /** onTime / finished; null when nothing finished. */
  onTimeRate: number | null;
  averageDays: number | null;
}

export interface DepartmentFigures extends Omit<GroupFigures, 'applications'> {
  backlog: number;
  normal: number;
  yellow: number;
  red: number;
}

export interface Aggregates {
  applications: number;
  accepted: number;
  open: number;
  finished: number;
  onTime: number;
  onTimeRate: number | null;
  averageDays: number | null;
  byBundle: GroupFigures[];
  byDepartment: DepartmentFigures[];
  byStatus: Record<string, number>;
  timeStatus: { normal: number; yellow: number; red: number };
  /** Count per level 1–5 (index 0 = level 1). */
  evaluations: number[];
  /** Share of evaluations rated 基本满意 (3) or better. */
  satisfaction: number | null;
  badReviews: number;
  rectifications: {
    total: number;
    byStatus: Record<string, number>;
    /** Not yet fed back (or decided on appeal). */
    open: number;
    /** Open and past their deadline. */
    overdue: number;
    /** Fed back or closed. */
    done: number;
    /** Fed back (or the appeal decided) by the deadline. */
    onTime: number;
    /** done / total; null without cases. */
    rate: number | null;
  };
  incidents: { count: number; items: IncidentLike[] };
}

const OPEN = new Set(['in-progress', 'awaiting-supplement']);
const OPEN_RECTIFICATION = new Set(['assigned', 'verifying', 'rectifying', 'explained', 'appealed']);
/** At most this many incidents are listed (all are counted). */
const INCIDENT_ITEMS = 50;

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const rate = (n: number, d: number) => (d ? n / d : null);

function group<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

export function computeAggregates(
  input: {
    cases: readonly CaseFigures[];
    rectifications?: readonly RectificationLike[];
    incidents?: readonly IncidentLike[];
  },
  filter: AggregateFilter,
): Aggregates {
  const cases = filterApplications(input.cases, filter);
  const ids = new Set(cases.map((c) => c.id));

  // Case level: finished = every item decided; on time = decided by the case deadline.
  const caseFigures = (rows: readonly CaseFigures[]) => {
    const finished = rows.flatMap((c) => (c.finished ? [c.finished] : []));
    const onTime = finished.filter((f) => f.onTime).length;
    return {
      finished: finished.length,
      onTime,
      onTimeRate: rate(onTime, finished.length),
      averageDays: mean(finished.map((f) => f.days)),
    };
  };

  const byBundle = [...group(cases, (c) => c.bundleCode)]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, rows]) => ({ key, applications: rows.length, ...caseFigures(rows) }));

  // Department level: each item from its task opening to its decision, against the task's deadline.
  const departments = new Set(cases.flatMap((c) => c.departments));
  const openTasks = group(
    cases.flatMap((c) => c.backlog),
    (t) => t.department,
  );
  const decided = group(
    cases.flatMap((c) => c.decided),
    (i) => i.department,
  );
  const byDepartment: DepartmentFigures[] = [...departments].sort().map((key) => {
    const open = openTasks.get(key) ?? [];
    const items = decided.get(key) ?? [];
    const onTime = items.filter((i) => i.onTime).length;
    return {
      key,
      finished: items.length,
      onTime,
      onTimeRate: rate(onTime, items.length),
      averageDays: mean(items.flatMap((i) => (i.days !== undefined ? [i.days] : []))),
      backlog: open.length,
      normal: open.filter((t) => (t.timeStatus ?? 'normal') === 'normal').length,
      yellow: open.filter((t) => t.timeStatus === 'yellow').length,
      red: open.filter((t) => t.timeStatus === 'red').length,
    };
  });

  const byStatus: Record<string, number> = {};
  for (const c of cases) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  const openCases = cases.filter((c) => OPEN.has(c.status));
  const evaluations = [0, 0, 0, 0, 0];
  for (const c of cases)
    for (const level of c.evaluations) if (level >= 1 && level <= 5) evaluations[level - 1]!++;
  const rated = evaluations.reduce((x, y) => x + y, 0);

  const rectifications = (input.rectifications ?? []).filter((c) => ids.has(c.applicationId));
  // Every state in workflow order, zeros included, so a chart can show them as they are.
  const rectByStatus: Record<string, number> = Object.fromEntries(RECTIFICATION_STATUSES.map((k) => [k, 0]));
  for (const c of rectifications) rectByStatus[c.status]!++;
  const openRectifications = rectifications.filter((c) => OPEN_RECTIFICATION.has(c.status));
  const doneRectifications = rectifications.length - openRectifications.length;

  const incidents = (input.incidents ?? []).filter((i) => i.businessKey && ids.has(i.businessKey));
  const total = caseFigures(cases);
  return {
    applications: cases.length,
    accepted: cases.filter((c) => c.acceptedAt !== undefined).length,
    open: openCases.length,
    finished: total.finished,
    onTime: total.onTime,
    onTimeRate: total.onTimeRate,
    averageDays: total.averageDays,
    byBundle,
    byDepartment,
    byStatus,
    timeStatus: {
      normal: openCases.filter((c) => (c.timeStatus ?? 'normal') === 'normal').length,
      yellow: openCases.filter((c) => c.timeStatus === 'yellow').length,
      red: openCases.filter((c) => c.timeStatus === 'red').length,
    },
    evaluations,
    satisfaction: rate(evaluations[2]! + evaluations[3]! + evaluations[4]!, rated),
    badReviews: evaluations[0]! + evaluations[1]!,
    rectifications: {
      total: rectifications.length,
      byStatus: rectByStatus,
      open: openRectifications.length,
      overdue: openRectifications.filter((c) => c.timeStatus === 'red').length,
      done: doneRectifications,
      onTime: rectifications.filter((c) => c.onTime).length,
      rate: rate(doneRectifications, rectifications.length),
    },
    incidents: { count: incidents.length, items: incidents.slice(0, INCIDENT_ITEMS) },
  };
}

// ── the service: load what the supervisor may see, then compute ───────────────────────────

export interface AggregateReport extends Aggregates {
  filter: AggregateFilter;
  /** The supervisor's own region (the scope every figure is limited to), if any. */
  scope?: string;
  /** District codes with applications in scope (and in the period, when one is given), sorted: for the region filter. */
  regions: string[];
  generatedAt: number;
}

export interface AggregateSources {
  docs: DocStore;
  /** Engine instances in incident, with the application id as business key. */
  incidents: () => Promise<IncidentLike[]>;
  /** The calendar a case without a figures row yet is counted on: the Centre's (workingDaysOf). */
  isWorking: IsWorkingDay;
  clock?: () => number;
}

export class AggregateService {
  /** The report running or waiting, by what it is for (scope and filter): askers of the same one share it. */
  private readonly pending = new Map<string, Promise<AggregateReport>>();
  /** The last report queued: reports run one at a time (see `report`). */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly sources: AggregateSources) {}

  /**
   * The figures for the supervisor's scope and filter. Reports run one at a time, and a report
   * asked for while the same one (scope and filter) is running or waiting is that one: each holds
   * every case in scope in memory while it reads, and since it lets other requests run between
   * pages, a dashboard refreshing and a CSV clicked twice would otherwise hold several copies.
   */
  async report(actor: Actor, filter: AggregateFilter): Promise<AggregateReport> {
    requireRole(actor, 'supervisor');
    const clean = checkFilter(actor, filter);
    const scope = listScope(actor);
    const key = JSON.stringify([scope, clean, actor.region ?? null]);
    const known = this.pending.get(key);
    if (known) return known;
    const run = this.tail.then(() => this.compute(actor, clean, scope));
    this.tail = run.catch(() => undefined);
    this.pending.set(key, run);
    const done = () => void this.pending.delete(key);
    run.then(done, done);
    return run;
  }

  private async compute(
    actor: Actor,
    clean: AggregateFilter,
    scope: Record<string, string>,
  ): Promise<AggregateReport> {
    const period = clean.from !== undefined || clean.to !== undefined;
    // Counted before the rows are read: a case created meanwhile comes with its row (see withUnprojected).
    const stored = await this.sources.docs.count(APPLICATIONS, scope);
    const read = period
      ? await this.casesInPeriod(scope, clean)
      : await this.pages<CaseFigures>(CASE_FIGURES, { where: scope });
    const cases = await this.withUnprojected(read, stored, scope, clean);
    // Few (bad reviews only) and small: read whole.
    const rectifications = await this.pages<RectificationLike & Doc>(RECTIFICATIONS, { where: scope });
    const figures = computeAggregates(
      { cases, rectifications, incidents: await this.sources.incidents() },
      clean,
    );
    return {
      ...figures,
      filter: clean,
      ...(actor.region ? { scope: actor.region } : {}),
      regions: [...new Set(cases.map((c) => c.region).filter((r): r is string => !!r))].sort(),
      generatedAt: (this.sources.clock ?? Date.now)(),
    };
  }

  /**
   * The figures rows of the cases in scope a period counts (accepted in it, or created in it and
   * not accepted), read through the acceptance-date indexes instead of every case ever: those
   * accepted from the period's first day on, in acceptance order until past its last, and those
   * not accepted (drafts, cases at the window), whose creation time the figures filter.
   */
  private async casesInPeriod(scope: Record<string, string>, filter: AggregateFilter) {
    const from = filter.from ? cstDateStart(filter.from) : Number.MIN_SAFE_INTEGER;
    const to = filter.to ? cstDateStart(filter.to) + DAY_MS : Number.POSITIVE_INFINITY;
    // Not accepted first: a case accepted while the report reads (acceptance only ever comes,
    // at the time it happens) is then found by the acceptance scan after, where the other order
    // missed it in both. One read in both keeps its accepted state.
    const notAccepted = await this.pages<CaseFigures>(CASE_FIGURES, {
      where: { ...scope, acceptedAt: null },
    });
    const accepted = await this.pages<CaseFigures>(
      CASE_FIGURES,
      // An empty id: every case accepted at `from` or later comes after the cursor.
      { where: scope, orderBy: 'acceptedAt', after: encodeCursor(from, '') },
      (last) => (last.acceptedAt ?? to) >= to,
    );
    const cases = new Map(notAccepted.concat(accepted).map((c) => [c.id, c]));
    return inPeriod([...cases.values()], filter);
  }

  /**
   * The rows read, with those of cases in scope that have no row yet (stored before the
   * projection, until the server's start-up writes them: Centre.reprojectCaseFigures) made from
   * their records, in the order the rows would have been read. Only when there are fewer rows
   * than cases in scope, so a report on a projected store reads no case.
   */
  private async withUnprojected(
    read: CaseFigures[],
    stored: number,
    scope: Record<string, string>,
    filter: AggregateFilter,
  ): Promise<CaseFigures[]> {
    if ((await this.sources.docs.count(CASE_FIGURES, scope)) >= stored) return read;
    const projected = new Set(
      (await this.pages<Doc>(CASE_FIGURES, { where: scope, fields: [] })).map((c) => c.id),
    );
    const made: CaseFigures[] = [];
    for (const { id } of await this.pages<Doc>(APPLICATIONS, { where: scope, fields: [] })) {
      if (projected.has(id)) continue;
      const row = await currentCaseFigures(this.sources.docs, id, this.sources.isWorking);
      if (row) made.push(row);
    }
    const all = read.concat(inPeriod(made, filter));
    // The order the queries give (ids; in a period the not accepted first, then by acceptance):
    // averages add their days in it, so they come out as they will once the rows are written.
    const key = (c: CaseFigures) =>
      filter.from || filter.to ? (c.acceptedAt ?? Number.NEGATIVE_INFINITY) : 0;
    return all.sort((a, b) => key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private pages<T extends Doc>(
    collection: string,
    query: Omit<DocQuery, 'limit'>,
    done?: (last: T) => boolean,
  ): Promise<T[]> {
    return readPages(this.sources.docs, collection, query, done);
  }
}

/** The period's part of a filter: the last page read may run past it, and creation times are not filtered yet. */
function inPeriod(cases: CaseFigures[], { from, to }: AggregateFilter): CaseFigures[] {
  return filterApplications(cases, { ...(from ? { from } : {}), ...(to ? { to } : {}) });
}

/** Dates must be real dates in order; a region must be a division code inside the supervisor's own. */
export function checkFilter(actor: Actor, filter: AggregateFilter): AggregateFilter {
  const problems: FieldProblem[] = [];
  for (const key of ['from', 'to'] as const) {
    const value = filter[key];
    if (value !== undefined && value !== '' && parseDay(value) === null)
      problems.push({ field: key, message: t('应为日期 YYYY-MM-DD', 'must be a date YYYY-MM-DD') });
  }
  if (!problems.length && filter.from && filter.to && filter.from > filter.to)
    problems.push({ field: 'from', message: t('开始日期晚于结束日期', 'is after `to`') });
  const region = filter.region?.trim();
  if (region && !/^(\d{2}|\d{4}|\d{6})$/.test(region))
    problems.push({
      field: 'region',
      message: t(
        '应为 2、4 或 6 位行政区划代码（统计到区县一级）',
        'must be a 2-, 4- or 6-digit division code (figures go down to districts)',
      ),
    });
  if (problems.length) throw new DomainError('invalid', t('筛选条件有误', 'the filter is invalid'), problems);
  if (region && actor.region) {
    const own = regionPrefix(actor.region.slice(0, 6));
    const wanted = regionPrefix(region);
    if (!wanted.startsWith(own))
      throw forbidden(
        t(
          `只能查看本辖区（${actor.region}）的数据`,
          `you may only see figures of your own region (${actor.region})`,
        ),
      );
  }
  return {
    ...(filter.from ? { from: filter.from } : {}),
    ...(filter.to ? { to: filter.to } : {}),
    ...(region ? { region } : {}),
  };
}
