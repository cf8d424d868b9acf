/**
 * A case's clocks (承诺时限): the whole case's from acceptance, each department's from when its
 * task opened; where they stand now, the colour changes to record, and the pauses that stop them.
 */
import type { TimeLimitStatus, TimeLimits } from './clock.js';
import { deciderRegionOf } from './scope.js';
import { record, SYSTEM } from './timeline.js';
import type { Application, ItemCase, Pause } from './types.js';

/**
 * Brings the case's and its open items' colours up to `now`, recording each crossing into
 * yellow or red once. Run on every write as well as by the sweep, so a case whose limit is
 * already short when accepted shows its true colour at once, not only after the next tick.
 */
export function recolour(limits: TimeLimits, app: Application, now: number): number {
  if (app.acceptedAt === undefined) return 0;
  let changes = 0;
  const next = limitState(limits, app, now).status;
  if (next !== app.timeStatus) {
    record(app, SYSTEM, now, `timeLimit.${next}`);
    app.timeStatus = next;
    changes++;
  }
  for (const item of app.items) {
    const change = itemColourChange(limits, app, item, now);
    if (!change) continue;
    record(app, SYSTEM, now, `timeLimit.${change}`, { item: item.item, department: item.department });
    item.timeStatus = change;
    changes++;
  }
  return changes;
}

/** The new colour of an open item's clock, or null when it has not changed. */
export function itemColourChange(
  limits: TimeLimits,
  app: Application,
  item: ItemCase,
  now: number,
): TimeLimitStatus | null {
  if (item.status !== 'reviewing' && item.status !== 'needs-supplement') return null;
  if (item.startedAt === undefined) return null;
  const next = itemLimit(limits, app, item, now).status;
  return next === (item.timeStatus ?? 'normal') ? null : next;
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
