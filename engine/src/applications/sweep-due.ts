/**
 * When the sweep next has work on a case (stored as `sweepAt`, indexed): the first instant a 容缺
 * material falls overdue or a clock (the case's, an item's, an open special step's) changes
 * colour, as known at the case's save. The sweep then
 * reads only the cases due by now from the index, instead of every open case's clocks on every
 * tick (a centre with 50,000 open cases read 50,000 sets of clock fields every five seconds).
 *
 * What a save cannot know — a calendar loaded or changed later, a clock whose deadline lies in a
 * year the calendar does not cover yet, a case written by an older version without the field — the
 * sweep's periodic full pass still finds (Centre.sweep).
 */
import type { LimitState, TimeLimits } from './clock.js';
import { itemLimit, limitState, openSpecialStep, specialStepLimit } from './case-clock.js';
import type { Application } from './types.js';

/** Cases the sweep looks at: those still running (their clocks, their 容缺 materials). */
export const SWEPT_STATES: readonly Application['status'][] = [
  'in-progress',
  'awaiting-supplement',
  'results-ready',
];

/**
 * The earliest instant the sweep has something to do on `app` (`now` when it already has), or
 * undefined when nothing will come due without another save (closed, paused, every clock red).
 */
export function sweepDueAt(limits: TimeLimits, app: Application, now: number): number | undefined {
  if (!SWEPT_STATES.includes(app.status)) return undefined;
  let due = Infinity;
  for (const m of app.materials)
    // Overdue once `dueAt < now` (overdueDeferrals): the instant after it.
    if (m.deferral?.status === 'pending') due = Math.min(due, m.deferral.dueAt + 1);
  if (app.acceptedAt !== undefined)
    due = Math.min(due, clockDue(limitState(limits, app, now), app.timeStatus, now));
  for (const item of app.items) {
    if (item.status !== 'reviewing' && item.status !== 'needs-supplement') continue;
    if (item.startedAt !== undefined)
      due = Math.min(due, clockDue(itemLimit(limits, app, item, now), item.timeStatus ?? 'normal', now));
    const step = openSpecialStep(item);
    if (step)
      due = Math.min(
        due,
        clockDue(specialStepLimit(limits, app, item, step, now), step.timeStatus ?? 'normal', now),
      );
  }
  return Number.isFinite(due) ? due : undefined;
}

/**
 * When a clock's colour next differs from the one recorded for it: now when it already does,
 * never (Infinity) when red or stopped, now when its arithmetic cannot tell (no nextChangeAt).
 */
function clockDue(state: LimitState, recorded: LimitState['status'] | undefined, now: number): number {
  if (state.status !== recorded || state.nextChangeAt === undefined) return now;
  return state.nextChangeAt ?? Infinity;
}

/**
 * Stores `sweepAt` on the case record (a stored-only field, like `agentUserId`): null when nothing
 * will come due (left out of the index's due reads), absent only on records of older versions.
 */
export function stampSweepAt(limits: TimeLimits, app: Application, now: number): void {
  (app as Application & { sweepAt?: number | null }).sweepAt = sweepDueAt(limits, app, now) ?? null;
}
