/**
 * A case's clocks (承诺时限): the whole case's from acceptance, each department's from when its
 * task opened, each special step's (特殊环节) from when it opened; where they stand now, the colour
 * changes to record, and the pauses that stop them.
 */
import type { TimeLimitStatus, TimeLimits } from './clock.js';
import { deciderRegionOf } from './scope.js';
import { record, SYSTEM } from './timeline.js';
import type { Application, ItemCase, Pause, SpecialStep } from './types.js';

/**
 * Brings the case's, its open items' and their open special steps' colours up to `now`, recording
 * each crossing into yellow or red once. Run on every write as well as by the sweep, so a case
 * whose limit is already short when accepted shows its true colour at once, not only after the
 * next tick.
 */
export function recolour(limits: TimeLimits, app: Application, now: number): number {
  if (app.acceptedAt === undefined) return 0;
  const next = limitState(limits, app, now).status;
  let changes = recordCrossing(app, now, next !== app.timeStatus ? next : null, app, undefined);
  for (const item of app.items) {
    const on = { item: item.item, department: item.department };
    changes += recordCrossing(app, now, itemColourChange(limits, app, item, now), item, on);
    const step = openSpecialStep(item);
    if (step) {
      const change = specialStepColourChange(limits, app, item, now);
      changes += recordCrossing(app, now, change, step, { ...on, specialStep: step.name });
    }
  }
  return changes;
}

/**
 * Records a clock's new colour on the case's timeline and keeps it on the clock's holder (the
 * case, an item, a special step). A crossing into red is the supervision record of a late case,
 * item or special step. Returns the number of changes (0 or 1).
 */
function recordCrossing(
  app: Application,
  now: number,
  next: TimeLimitStatus | null,
  holder: { timeStatus?: TimeLimitStatus },
  data: Record<string, unknown> | undefined,
): number {
  if (!next) return 0;
  record(app, SYSTEM, now, `timeLimit.${next}`, data);
  holder.timeStatus = next;
  return 1;
}

/** The new colour of an open item's clock, or null when it has not changed. */
export function itemColourChange(
  limits: TimeLimits,
  app: Application,
  item: ItemCase,
  now: number,
): TimeLimitStatus | null {
  if (!isOpen(item)) return null;
  if (item.startedAt === undefined) return null;
  const next = itemLimit(limits, app, item, now).status;
  return next === (item.timeStatus ?? 'normal') ? null : next;
}

/** The new colour of the item's open special step's own limit, or null when none is open or it has not changed. */
export function specialStepColourChange(
  limits: TimeLimits,
  app: Application,
  item: ItemCase,
  now: number,
): TimeLimitStatus | null {
  const step = openSpecialStep(item);
  if (!step) return null;
  const next = specialStepLimit(limits, app, item, step, now).status;
  return next === (step.timeStatus ?? 'normal') ? null : next;
}

const isOpen = (item: ItemCase) => item.status === 'reviewing' || item.status === 'needs-supplement';

/** The special step the item is in now, if any: one not ended, of an item not yet decided. */
export function openSpecialStep(item: ItemCase): SpecialStep | undefined {
  if (!isOpen(item)) return undefined;
  return item.specialSteps?.find((s) => s.endedAt === undefined);
}

/**
 * A special step's own limit: its working days from when it opened, on the calendar of the office
 * deciding the item (as the item's clock). Waiting for the applicant's supplement (补正) to the
 * item does not count against it either.
 */
export function specialStepLimit(
  limits: TimeLimits,
  app: Application,
  item: ItemCase,
  step: SpecialStep,
  now: number,
) {
  const region = deciderRegionOf(app, item);
  return limits.state(
    {
      start: step.openedAt,
      limitDays: step.limitDays,
      pauses: app.pauses.filter((p) => p.reason === 'supplement' && stopsItem(p, item.item)),
      ...(region ? { region } : {}),
    },
    now,
  );
}

/**
 * The clock a department works against on an item now: its open special step's own limit (the
 * item's clock waits meanwhile), else the item's; with the colour last recorded for it.
 */
export function workingClock(limits: TimeLimits, app: Application, item: ItemCase, now: number) {
  const step = openSpecialStep(item);
  return step
    ? { state: specialStepLimit(limits, app, item, step, now), recorded: step.timeStatus ?? 'normal', step }
    : { state: itemLimit(limits, app, item, now), recorded: item.timeStatus ?? 'normal' };
}

/** The promised limit (承诺时限) of the whole case, counted from acceptance. */
export function limitState(limits: TimeLimits, app: Application, now: number) {
  return limits.state(
    {
      start: app.acceptedAt ?? now,
      limitDays: app.promisedDays,
      pauses: app.pauses,
      ...(app.region ? { region: app.region } : {}),
    },
    now,
  );
}

/** A department's own limit for its item: from when its task opened (the case's acceptance before that). */
export function itemLimit(limits: TimeLimits, app: Application, item: ItemCase, now: number) {
  // Counted on the calendar of the office that decides it (跨域通办: maybe another district or
  // city, with its own days off), else of the region that received the case.
  const region = deciderRegionOf(app, item);
  return limits.state(
    {
      start: item.startedAt ?? app.acceptedAt ?? now,
      limitDays: item.limitDays,
      // A special step stops only its own item's clock (and the case's); a supplement notice only
      // the clocks of the items it asks for (GOV-SERVICES 3: only that sub-case's clock pauses).
      pauses: pausesUntil(
        app.pauses.filter((p) => (p.reason === 'supplement' ? stopsItem(p, item.item) : item.specialStep)),
        item.decidedAt,
      ),
      ...(region ? { region } : {}),
    },
    now,
  );
}

/** Whether a supplement pause stops an item's clock: the notice asks for it (or, recorded before that was kept, any). */
export function stopsItem(pause: { items?: readonly string[] }, item: string): boolean {
  return pause.items === undefined || pause.items.includes(item);
}

/**
 * The pauses that stopped a clock before `decidedAt`: a decided item's clock stopped then, so a
 * pause that began later does not move its deadline, and one still running (or ended later) at
 * the decision counts only up to it. An undecided item (no `decidedAt`) keeps every pause.
 */
function pausesUntil(pauses: readonly Pause[], decidedAt: number | undefined): readonly Pause[] {
  if (decidedAt === undefined) return pauses;
  const before: Pause[] = [];
  for (const p of pauses) {
    if (p.from >= decidedAt) continue;
    before.push(p.to !== undefined && p.to <= decidedAt ? p : { ...p, to: decidedAt });
  }
  return before;
}

/** Ends the open pauses of one kind: the clocks they stopped run again from `now`. */
export function closePauses(pauses: Pause[], reason: Pause['reason'], now: number): void {
  for (const p of pauses) if (p.reason === reason && p.to === undefined) p.to = now;
}
