/**
 * Supervisor figures computed from what the API lists (applications and department tasks in
 * the supervisor's region): on-time completion, average working days per bundle and per
 * department, backlog with yellow/red counts per department, the evaluation distribution
 * (GOV-SERVICES 2.19). The server's /api/metrics only counts by status, so the rest is done
 * here; the functions are pure so they are tested in Node.
 */

export interface AppLike {
  id: string;
  number: string;
  bundleCode: string;
  status: string;
  region?: string;
  createdAt: number;
  acceptedAt?: number;
  deadline?: number;
  timeStatus?: string;
  pauses: { from: number; to?: number; reason: string }[];
  items: {
    item: string;
    department: string;
    status: string;
    startedAt?: number;
    decidedAt?: number;
    timeStatus?: string;
  }[];
  evaluations: { level: number; channel: string; rectification?: { status: string } }[];
  timeline: { at: number; type: string }[];
}

export interface TaskLike {
  id: string;
  applicationId: string;
  department: string;
  status: string;
  deadline?: number;
  timeStatus?: string;
}

export interface DashboardFilter {
  /** CST dates 'YYYY-MM-DD', inclusive; empty = open. Applied to acceptance (or creation) time. */
  from?: string;
  to?: string;
  /** District code (6 digits), a city (4 digits + '00' matches every district of the city), or empty. */
  region?: string;
}

/** Whether a CST date (days since 1970-01-01 CST) is a working day. */
export type IsWorkingDay = (day: number) => boolean;

const DAY_MS = 86_400_000;
const CST = 8 * 3_600_000;
const dayOf = (t: number) => Math.floor((t + CST) / DAY_MS);
const startOfDay = (d: number) => d * DAY_MS - CST;

/** Weekends only, for tests and when no calendar is loaded. */
export const weekdaysOnly: IsWorkingDay = (day) => {
  const iso = ((((day + 3) % 7) + 7) % 7) + 1;
  return iso < 6;
};

/** 'YYYY-MM-DD' (CST) → epoch ms at 00:00 CST. */
export function cstDateStart(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y!, (m ?? 1) - 1, d ?? 1) - CST;
}

/** Working time between two instants in working days (fractional): only hours on working days count. */
export function workingDaysSpent(from: number, to: number, isWorking: IsWorkingDay): number {
  if (!(to > from)) return 0;
  let total = 0;
  for (let day = dayOf(from); day <= dayOf(to); day++) {
    if (!isWorking(day)) continue;
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
): number {
  let spent = workingDaysSpent(from, to, isWorking);
  for (const p of pauses) {
    const a = Math.max(from, p.from);
    const b = Math.min(to, p.to ?? to);
    if (b > a) spent -= workingDaysSpent(a, b, isWorking);
  }
  return Math.max(0, spent);
}

/** When every item was decided (results ready), from the timeline. */
export function finishedAt(app: AppLike): number | undefined {
  return app.timeline.find((e) => e.type === 'results.ready')?.at;
}

export function inRegion(appRegion: string | undefined, filter: string | undefined): boolean {
  if (!filter) return true;
  if (!appRegion) return false;
  if (filter.endsWith('00') && filter.length === 6) return appRegion.startsWith(filter.slice(0, 4));
  return appRegion === filter;
}

export function filterApplications<T extends AppLike>(apps: readonly T[], filter: DashboardFilter): T[] {
  const from = filter.from ? cstDateStart(filter.from) : Number.NEGATIVE_INFINITY;
  const to = filter.to ? cstDateStart(filter.to) + DAY_MS : Number.POSITIVE_INFINITY;
  return apps.filter((a) => {
    const at = a.acceptedAt ?? a.createdAt;
    return at >= from && at < to && inRegion(a.region, filter.region);
  });
}

export interface GroupFigures {
  key: string;
  finished: number;
  onTime: number;
  /** onTime / finished; null when nothing finished. */
  onTimeRate: number | null;
  averageDays: number | null;
}

export interface DepartmentFigures extends GroupFigures {
  backlog: number;
  normal: number;
  yellow: number;
  red: number;
}

export interface Dashboard {
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
  badReviewsOpen: number;
}

const OPEN = new Set(['in-progress', 'awaiting-supplement']);
const OPEN_ITEM = new Set(['reviewing', 'needs-supplement']);
const DECIDED_ITEM = new Set(['approved', 'rejected']);

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const rate = (n: number, d: number) => (d ? n / d : null);

function group<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return out;
}

export function computeDashboard(
  allApps: readonly AppLike[],
  allTasks: readonly TaskLike[],
  filter: DashboardFilter,
  isWorking: IsWorkingDay = weekdaysOnly,
): Dashboard {
  const apps = filterApplications(allApps, filter);
  const ids = new Set(apps.map((a) => a.id));
  const tasks = allTasks.filter((t) => ids.has(t.applicationId));

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
      days.push(netWorkingDays(a.acceptedAt, done, a.pauses, isWorking));
    }
    return { finished, onTime, onTimeRate: rate(onTime, finished), averageDays: mean(days) };
  };

  const byBundle = [...group(apps, (a) => a.bundleCode)].map(([key, rows]) => ({
    key,
    ...caseFigures(rows),
  }));

  // Department level: each item from its task opening to its decision; the task's deadline.
  const deadlineOf = new Map(tasks.map((t) => [t.id, t.deadline]));
  const departments = new Set<string>([
    ...tasks.map((t) => t.department),
    ...apps.flatMap((a) => a.items.map((i) => i.department)),
  ]);
  const byDepartment: DepartmentFigures[] = [...departments].sort().map((key) => {
    const open = tasks.filter((t) => t.department === key && OPEN_ITEM.has(t.status));
    let finished = 0;
    let onTime = 0;
    const days: number[] = [];
    for (const a of apps) {
      for (const i of a.items) {
        if (i.department !== key || !DECIDED_ITEM.has(i.status) || i.decidedAt === undefined) continue;
        finished++;
        const deadline = deadlineOf.get(`${a.id}:${i.item}`);
        if (deadline === undefined || i.decidedAt <= deadline) onTime++;
        const start = i.startedAt ?? a.acceptedAt;
        if (start !== undefined)
          days.push(
            netWorkingDays(
              start,
              i.decidedAt,
              a.pauses.filter((p) => p.reason === 'supplement'),
              isWorking,
            ),
          );
      }
    }
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
  let badReviews = 0;
  let badReviewsOpen = 0;
  for (const a of apps) {
    for (const e of a.evaluations) {
      if (e.level >= 1 && e.level <= 5) evaluations[e.level - 1]!++;
      if (e.level <= 2) {
        badReviews++;
        if (e.rectification && e.rectification.status !== 'closed') badReviewsOpen++;
      }
    }
  }
  const rated = evaluations.reduce((x, y) => x + y, 0);
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
    badReviews,
    badReviewsOpen,
  };
}
