/**
 * Time-limited completion (限时办结), pure. A clock is a start instant, a limit in working days
 * and the intervals during which it stood still (waiting for the applicant's supplement 补正,
 * special steps 特别程序 such as 技术审查/听证/公示). Everything is recomputed from those facts, so a
 * calendar update or a late-recorded pause simply gives the new answer.
 *
 * Conventions (see calendar.ts): the start day does not count; the deadline is 24:00 CST of the
 * last working day. `remainingWorkingDays` counts whole working days after today, so it equals
 * the limit at the start, 0 on the last day and goes negative once working days pass the deadline.
 * A pause excludes the working days after the day it began up to and including the day it ended —
 * each stretch of running clock is counted like a fresh period — so a pause within one day moves
 * nothing and Monday 10:00 → Wednesday 10:00 gives back two days. While paused, remaining days and
 * the status stay as they were when the pause began.
 */
import type { WorkingCalendar } from './calendar/calendar.js';
import { dayOf, formatDay, startOfDay, yearOf } from './calendar/cst.js';

export type TimeStatus = 'normal' | 'yellow' | 'red';

export interface Pause {
  from: number;
  /** When the clock resumed; absent or null while the pause goes on. */
  to?: number | null;
  /** 'supplement', 'specialStep' or anything the caller wants to keep; not used in the arithmetic. */
  reason?: string;
}

export interface TimeLimitClock {
  /** When the clock started: acceptance for an application, creation for a task. */
  start: number;
  /** The limit in working days (gov:timeLimit, or the bundle's promised limit 承诺时限). */
  limitDays: number;
  pauses?: readonly Pause[];
  /** Calendar region; the calendar's default when absent. */
  region?: string;
}

export interface TimeLimitThresholds {
  /** Yellow when at most this many working days remain (default 1). */
  yellowDays: number;
  /** Also yellow when the remaining days are at most this share of the limit (e.g. 0.2), if set. */
  yellowShare?: number;
}

export const DEFAULT_THRESHOLDS: TimeLimitThresholds = { yellowDays: 1 };

export interface TimeLimitState {
  /** 24:00 CST of the last working day (exclusive): overdue from this instant on. */
  deadline: number;
  /** The last working day, 'YYYY-MM-DD' (CST), for display. */
  lastDay: string;
  remainingWorkingDays: number;
  status: TimeStatus;
  paused: boolean;
  /** Working days given back by pauses that have ended. */
  pausedWorkingDays: number;
  /** The deadline lies in (or beyond) a year the calendar has no data for: recompute when it arrives. */
  provisional: boolean;
  /** When the status turns worse if nothing else happens (schedule a check then); null when red or paused. */
  nextChangeAt: number | null;
}

export type TimeLimitEventType = 'timeLimit.yellow' | 'timeLimit.red';

export interface TimeLimitEvent {
  type: TimeLimitEventType;
  at: number;
  deadline: number;
  remainingWorkingDays: number;
}

const SEVERITY: Record<TimeStatus, number> = { normal: 0, yellow: 1, red: 2 };

/** Where the clock stands at `now`. */
export function timeLimitState(
  clock: TimeLimitClock,
  now: number,
  calendar: WorkingCalendar,
  thresholds: TimeLimitThresholds = DEFAULT_THRESHOLDS,
): TimeLimitState {
  const { start, limitDays, region } = clock;
  if (!Number.isInteger(limitDays) || limitDays < 0)
    throw new RangeError(`limitDays must be a whole number ≥ 0, got ${limitDays}`);
  if (!(thresholds.yellowDays >= 0) || !((thresholds.yellowShare ?? 0) >= 0))
    throw new RangeError('yellow thresholds must be ≥ 0');
  const at = Math.max(now, start);
  const { closed, openSince } = mergePauses(clock.pauses ?? [], start, at);
  // The clock reads as of the moment it stopped while a pause goes on.
  const reading = openSince ?? at;
  let given = 0;
  for (const [from, to] of closed) given += calendar.countWorkingDays(dayOf(from), dayOf(to), region);

  const startDay = dayOf(start);
  const last = calendar.nthWorkingDayAfter(startDay, limitDays + given, region);
  const deadline = startOfDay(last + 1);
  const remaining = calendar.countWorkingDays(dayOf(reading), last, region);
  const yellowAt = Math.max(thresholds.yellowDays, (thresholds.yellowShare ?? 0) * limitDays);
  const status: TimeStatus = reading >= deadline ? 'red' : remaining <= yellowAt ? 'yellow' : 'normal';

  let provisional = false;
  for (let y = yearOf(startDay); y <= yearOf(last); y++) provisional ||= !calendar.covers(y, region);

  let nextChangeAt: number | null = null;
  if (openSince === undefined && status === 'yellow') nextChangeAt = deadline;
  if (openSince === undefined && status === 'normal')
    nextChangeAt = yellowStart(calendar, last, yellowAt, region);

  return {
    deadline,
    lastDay: formatDay(last),
    remainingWorkingDays: remaining,
    status,
    paused: openSince !== undefined,
    pausedWorkingDays: given,
    provisional,
    nextChangeAt,
  };
}

/**
 * The event to emit when the status got worse since `previous` (the status stored with the task
 * after the last check; undefined = never checked, i.e. normal). Storing the returned state's
 * status with the event makes re-running emit nothing. Jumping from normal straight to red emits
 * only red; going back (a limit extended) emits nothing, and a later worsening emits again.
 */
export function timeLimitEvent(
  previous: TimeStatus | undefined,
  state: TimeLimitState,
  now: number,
): TimeLimitEvent | null {
  if (SEVERITY[state.status] <= SEVERITY[previous ?? 'normal']) return null;
  return {
    type: state.status === 'red' ? 'timeLimit.red' : 'timeLimit.yellow',
    at: now,
    deadline: state.deadline,
    remainingWorkingDays: state.remainingWorkingDays,
  };
}

/** One check: the state now and the event to emit, if any. Save `state.status` with the event. */
export function checkTimeLimit(
  clock: TimeLimitClock,
  previous: TimeStatus | undefined,
  now: number,
  calendar: WorkingCalendar,
  thresholds: TimeLimitThresholds = DEFAULT_THRESHOLDS,
): { state: TimeLimitState; event: TimeLimitEvent | null } {
  const state = timeLimitState(clock, now, calendar, thresholds);
  return { state, event: timeLimitEvent(previous, state, now) };
}

/**
 * Pauses clipped to [start, at] and merged where they overlap, so a supplement during a special
 * step is not given back twice. `openSince` is the start of a pause still going on at `at`.
 */
export function mergePauses(
  pauses: readonly Pause[],
  start: number,
  at: number,
): { closed: [number, number][]; openSince?: number } {
  const spans = pauses
    .map((p): [number, number] => [Math.max(p.from, start), p.to == null ? Infinity : p.to])
    .filter(([from, to]) => from <= at && to > from)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of spans) {
    const prev = merged[merged.length - 1];
    if (prev && from <= prev[1]) prev[1] = Math.max(prev[1], to);
    else merged.push([from, to]);
  }
  const lastSpan = merged[merged.length - 1];
  if (lastSpan && lastSpan[1] > at) {
    merged.pop();
    return { closed: merged, openSince: lastSpan[0] };
  }
  return { closed: merged };
}

/** 00:00 CST of the first day on which at most `yellowAt` working days remain before `last`. */
function yellowStart(calendar: WorkingCalendar, last: number, yellowAt: number, region?: string): number {
  let day = last;
  let after = 0; // working days after `day` up to `last`
  for (;;) {
    const before = after + (calendar.isWorking(day, region) ? 1 : 0);
    if (before > yellowAt) return startOfDay(day);
    after = before;
    day--;
  }
}
