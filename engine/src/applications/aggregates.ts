/**
 * Supervisor figures (效能监察, GOV-SERVICES 2.19), computed on the server from the stored
 * applications, department-task rows and rectification cases the supervisor may see: on-time
 * completion, average working days per bundle and per department, backlog with yellow/red per
 * department, the evaluation distribution, bad-review rectification, incidents. Filtered by
 * acceptance date (CST, inclusive) and region (administrative-division code prefix). The
 * arithmetic is pure (`computeAggregates`) so it is tested without a store.
 */
import type { Actor } from '../domain/actor.js';
import { encodeCursor, type Doc, type DocQuery, type DocStore } from '../domain/docs.js';
import { t, DomainError, forbidden, type FieldProblem } from '../domain/errors.js';
import { dayOf, DAY_MS, parseDay, startOfDay } from '../jobs/calendar/cst.js';
import { stopsItem } from './case-clock.js';
import { APPLICATIONS, DEPARTMENT_TASKS } from './centre.js';
import { RECTIFICATION_STATUSES, RECTIFICATIONS, type RectificationCase } from './rectification.js';
import { listScope, requireRole } from './scope.js';
import type { Application } from './types.js';

/** What the figures read of an application. */
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

/** A department inbox row as the centre projects it. */
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

/** Working days spent, minus the supplement and special-step pauses inside the span. */
export function netWorkingDays(
  from: number,
  to: number,
  pauses: AppLike['pauses'],
  isWorking: IsWorkingDay,
  region?: string,
): number {
  let spent = workingDaysSpent(from, to, isWorking, region);
  for (const p of pauses) {
    const a = Math.max(from, p.from);
    const b = Math.min(to, p.to ?? to);
    if (b > a) spent -= workingDaysSpent(a, b, isWorking, region);
  }
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

export function filterApplications<T extends AppLike>(apps: readonly T[], filter: AggregateFilter): T[] {
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
const DECIDED_ITEM = new Set(['approved', 'rejected']);
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
    apps: readonly AppLike[];
    tasks: readonly TaskLike[];
    rectifications?: readonly RectificationLike[];
    incidents?: readonly IncidentLike[];
  },
  filter: AggregateFilter,
  isWorking: IsWorkingDay = weekdaysOnly,
): Aggregates {
  const apps = filterApplications(input.apps, filter);
  const ids = new Set(apps.map((a) => a.id));
  const tasks = input.tasks.filter((t) => ids.has(t.applicationId));

  // Case level: finished = every item decided; on time = decided by the case deadline.
  const caseFigures = (rows: readonly AppLike[]) => {
    let finished = 0;
    let onTime = 0;
    const days: number[] = [];
    for (const a of rows) {
      const done = finishedAt(a);
      if (done === undefined || a.acceptedAt === undefined) continue;
      finished++;
      if (a.deadline === undefined || done <= a.deadline) onTime++;
      days.push(netWorkingDays(a.acceptedAt, done, a.pauses, isWorking, a.region));
    }
    return { finished, onTime, onTimeRate: rate(onTime, finished), averageDays: mean(days) };
  };

  const byBundle = [...group(apps, (a) => a.bundleCode)]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, rows]) => ({ key, applications: rows.length, ...caseFigures(rows) }));

  // Department level: each item from its task opening to its decision, against the task's deadline.
  const deadlineOf = new Map(tasks.map((t) => [t.id, t.deadline]));
  // A department's backlog: what it can work on (not the items the process has yet to reach).
  const openTasks = group(
    tasks.filter((t) => t.state !== 'done' && t.state !== 'waiting'),
    (t) => t.department,
  );
  const departments = new Set<string>([
    ...tasks.map((t) => t.department),
    ...apps.flatMap((a) => a.items.map((i) => i.department)),
  ]);
  // One pass over the decided items, then one row per department.
  const decided = new Map<string, { finished: number; onTime: number; days: number[] }>();
  for (const a of apps) {
    const supplements = a.pauses.filter((p) => p.reason === 'supplement');
    for (const i of a.items) {
      if (!DECIDED_ITEM.has(i.status) || i.decidedAt === undefined) continue;
      let d = decided.get(i.department);
      if (!d) decided.set(i.department, (d = { finished: 0, onTime: 0, days: [] }));
      d.finished++;
      const deadline = deadlineOf.get(`${a.id}:${i.item}`);
      if (deadline === undefined || i.decidedAt <= deadline) d.onTime++;
      const start = i.startedAt ?? a.acceptedAt;
      if (start !== undefined) {
        const stopped = supplements.filter((p) => stopsItem(p, i.item));
        // On the calendar of the office that decides it (跨域通办: maybe another city's days off).
        const region = i.decidingDepartmentRegion ?? a.region;
        d.days.push(netWorkingDays(start, i.decidedAt, stopped, isWorking, region));
      }
    }
  }
  const byDepartment: DepartmentFigures[] = [...departments].sort().map((key) => {
    const open = openTasks.get(key) ?? [];
    const { finished, onTime, days } = decided.get(key) ?? { finished: 0, onTime: 0, days: [] };
    return {
      key,
      finished,
      onTime,
      onTimeRate: rate(onTime, finished),
      averageDays: mean(days),
      backlog: open.length,
      normal: open.filter((t) => (t.timeStatus ?? 'normal') === 'normal').length,
      yellow: open.filter((t) => t.timeStatus === 'yellow').length,
      red: open.filter((t) => t.timeStatus === 'red').length,
    };
  });

  const byStatus: Record<string, number> = {};
  for (const a of apps) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  const openApps = apps.filter((a) => OPEN.has(a.status));
  const evaluations = [0, 0, 0, 0, 0];
  for (const a of apps)
    for (const e of a.evaluations) if (e.level >= 1 && e.level <= 5) evaluations[e.level - 1]!++;
  const rated = evaluations.reduce((x, y) => x + y, 0);

  const cases = (input.rectifications ?? []).filter((c) => ids.has(c.applicationId));
  // Every state in workflow order, zeros included, so a chart can show them as they are.
  const rectByStatus: Record<string, number> = Object.fromEntries(RECTIFICATION_STATUSES.map((k) => [k, 0]));
  for (const c of cases) rectByStatus[c.status]!++;
  const openCases = cases.filter((c) => OPEN_RECTIFICATION.has(c.status));
  const doneCases = cases.length - openCases.length;

  const incidents = (input.incidents ?? []).filter((i) => i.businessKey && ids.has(i.businessKey));
  const total = caseFigures(apps);
  return {
    applications: apps.length,
    accepted: apps.filter((a) => a.acceptedAt !== undefined).length,
    open: openApps.length,
    finished: total.finished,
    onTime: total.onTime,
    onTimeRate: total.onTimeRate,
    averageDays: total.averageDays,
    byBundle,
    byDepartment,
    byStatus,
    timeStatus: {
      normal: openApps.filter((a) => (a.timeStatus ?? 'normal') === 'normal').length,
      yellow: openApps.filter((a) => a.timeStatus === 'yellow').length,
      red: openApps.filter((a) => a.timeStatus === 'red').length,
    },
    evaluations,
    satisfaction: rate(evaluations[2]! + evaluations[3]! + evaluations[4]!, rated),
    badReviews: evaluations[0]! + evaluations[1]!,
    rectifications: {
      total: cases.length,
      byStatus: rectByStatus,
      open: openCases.length,
      overdue: openCases.filter((c) => c.timeStatus === 'red').length,
      done: doneCases,
      onTime: cases.filter((c) => c.onTime).length,
      rate: rate(doneCases, cases.length),
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
  isWorking: IsWorkingDay;
  clock?: () => number;
}

/**
 * The fields the figures read of a case (AppLike): only these are parsed (DocQuery.fields), not
 * its forms, materials and notices. Task rows and rectification cases are a few hundred bytes,
 * which the store parses faster whole.
 */
const APP_FIELDS = [
  'number',
  'bundleCode',
  'status',
  'region',
  'createdAt',
  'acceptedAt',
  'deadline',
  'timeStatus',
  'pauses',
  'items',
  'evaluations',
  'timeline',
] as const satisfies readonly (keyof AppLike)[];
/** Documents per read; between pages the report lets other requests run (see `pages`). */
const PAGE = 1000;
/** Reads of a case written again while the report reads it (see reconcile); a case written faster than that keeps its last read. */
const RECONCILE_ATTEMPTS = 5;

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
    const apps = period
      ? await this.casesInPeriod(scope, clean)
      : await this.pages<AppLike & Doc>(APPLICATIONS, { where: scope, fields: APP_FIELDS });
    // Task rows and cases carry no region of their own worth trusting here: they are joined to the apps in scope.
    const read = period
      ? await this.tasksOf(apps.map((a) => a.id))
      : await this.pages<TaskLike & Doc>(DEPARTMENT_TASKS, {});
    const tasks = await this.reconcile(apps, read);
    // Few (bad reviews only) and small: read whole.
    const rectifications = await this.pages<RectificationLike & Doc>(RECTIFICATIONS, { where: scope });
    const figures = computeAggregates(
      { apps, tasks, rectifications, incidents: await this.sources.incidents() },
      clean,
      this.sources.isWorking,
    );
    return {
      ...figures,
      filter: clean,
      ...(actor.region ? { scope: actor.region } : {}),
      regions: [...new Set(apps.map((a) => a.region).filter((r): r is string => !!r))].sort(),
      generatedAt: (this.sources.clock ?? Date.now)(),
    };
  }

  /**
   * The cases in scope a period's figures count (accepted in it, or created in it and not
   * accepted), read through the acceptance-date indexes instead of every case ever: those
   * accepted from the period's first day on, in acceptance order until past its last, and those
   * not accepted (drafts, cases at the window), whose creation time the figures filter.
   */
  private async casesInPeriod(scope: Record<string, string>, filter: AggregateFilter) {
    const from = filter.from ? cstDateStart(filter.from) : Number.MIN_SAFE_INTEGER;
    const to = filter.to ? cstDateStart(filter.to) + DAY_MS : Number.POSITIVE_INFINITY;
    // Not accepted first: a case accepted while the report reads (acceptance only ever comes,
    // at the time it happens) is then found by the acceptance scan after, where the other order
    // missed it in both. One read in both keeps its accepted state.
    const notAccepted = await this.pages<AppLike & Doc>(APPLICATIONS, {
      where: { ...scope, acceptedAt: null },
      fields: APP_FIELDS,
    });
    const accepted = await this.pages<AppLike & Doc>(
      APPLICATIONS,
      // An empty id: every case accepted at `from` or later comes after the cursor.
      { where: scope, orderBy: 'acceptedAt', after: encodeCursor(from, ''), fields: APP_FIELDS },
      (last) => (last.acceptedAt ?? to) >= to,
    );
    const cases = new Map(notAccepted.concat(accepted).map((a) => [a.id, a]));
    // The last page read may run past the period, and creation times are not filtered yet.
    const { from: first, to: last } = filter;
    return filterApplications([...cases.values()], {
      ...(first ? { from: first } : {}),
      ...(last ? { to: last } : {}),
    });
  }

  /**
   * Cases and rows read at different times agree again. The rows are read after the cases, so a
   * case decided or accepted in between has rows newer than the case as read (a row carries the
   * rev its case was saved at, in the same commit): its item would count neither as decided nor
   * as backlog, its tasks as backlog of a case not yet accepted. Such cases are read again, with
   * their rows, until the rows are no newer than the case; `apps` is changed in place.
   */
  private async reconcile(apps: (AppLike & Doc)[], tasks: (TaskLike & Doc)[]): Promise<(TaskLike & Doc)[]> {
    const index = new Map(apps.map((a, i) => [a.id, i]));
    let rows = tasks;
    for (let attempt = 0; attempt < RECONCILE_ATTEMPTS; attempt++) {
      const stale = new Set<string>();
      for (const row of rows) {
        const i = index.get(row.applicationId);
        if (i !== undefined && row.rev > apps[i]!.rev) stale.add(row.applicationId);
      }
      if (stale.size === 0) break;
      const ids = [...stale];
      for (const id of ids) {
        const fresh = await this.sources.docs.get<AppLike & Doc>(APPLICATIONS, id);
        if (fresh) apps[index.get(id)!] = fresh;
      }
      const again = await this.tasksOf(ids);
      rows = rows.filter((row) => !stale.has(row.applicationId)).concat(again);
    }
    return rows;
  }

  /** The task rows of these cases, by case id (in groups, each an index look-up). */
  private async tasksOf(caseIds: readonly string[]) {
    const rows: (TaskLike & Doc)[] = [];
    for (let i = 0; i < caseIds.length; i += PAGE) {
      const ids = caseIds.slice(i, i + PAGE);
      rows.push(...(await this.pages<TaskLike & Doc>(DEPARTMENT_TASKS, { where: { applicationId: ids } })));
    }
    return rows;
  }

  /**
   * Every document a query matches, page by page (never one unbounded read), until a page's last
   * document makes `done` true. Without `orderBy` in primary-key order: a cursor on the key walks
   * the index once, where a cursor on a document field no index orders re-sorts the collection
   * for every page (35,000 task rows: 0.3 s against 10 s on SQLite). After each page the event
   * loop runs what is waiting: on SQLite a read does not yield, so a report over 20,000 cases
   * held every other request of the centre for seconds.
   */
  private async pages<T extends Doc>(
    collection: string,
    query: Omit<DocQuery, 'limit' | 'fields'> & { fields?: readonly (keyof T & string)[] },
    done: (last: T) => boolean = () => false,
  ) {
    const out: T[] = [];
    let after = query.after;
    for (;;) {
      const page = await this.sources.docs.find<T>(collection, {
        ...query,
        limit: PAGE,
        ...(after ? { after } : {}),
      });
      out.push(...page);
      const last = page[page.length - 1];
      if (page.length < PAGE || !last || done(last)) return out;
      const key = query.orderBy ? (last as unknown as Record<string, unknown>)[query.orderBy] : null;
      after = encodeCursor(key, last.id);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
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
