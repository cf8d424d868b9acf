/**
 * 限时办结 colours: normal (green), yellow warning, red overdue (GOV-SERVICES 2.12). The server
 * computes the status; the pages only map it to a colour, a label and an order.
 */

export type TimeStatus = 'normal' | 'yellow' | 'red';

export interface TimeStatusStyle {
  /** i18n key of the label. */
  label: string;
  /** CSS class on the badge and the row. */
  className: string;
  /** Badge colour (also used by the dashboard plots). */
  colour: string;
  /** Red first, then yellow, then normal. */
  rank: number;
}

const STYLES: Record<TimeStatus, TimeStatusStyle> = {
  red: { label: 'time.red', className: 'ts-red', colour: '#c62828', rank: 0 },
  yellow: { label: 'time.yellow', className: 'ts-yellow', colour: '#f9a825', rank: 1 },
  normal: { label: 'time.normal', className: 'ts-normal', colour: '#2e7d32', rank: 2 },
};

/** Style of a status; an unknown or missing status (not yet accepted, finished) is neutral. */
export function timeStatusStyle(status: string | undefined): TimeStatusStyle {
  if (status === 'red' || status === 'yellow' || status === 'normal') return STYLES[status];
  return { label: 'time.none', className: 'ts-none', colour: '#9e9e9e', rank: 3 };
}

/**
 * Remaining time as the clerk and reviewer read it: whole working days left, "due today", or
 * overdue. `remainingWorkingDays` comes from the server (negative once overdue).
 */
export function remainingText(remainingWorkingDays: number | undefined): { key: string; n?: number } {
  if (remainingWorkingDays === undefined) return { key: 'time.noDeadline' };
  if (remainingWorkingDays < 0) return { key: 'time.overdueBy', n: -remainingWorkingDays };
  if (remainingWorkingDays === 0) return { key: 'time.dueToday' };
  return { key: 'time.daysLeft', n: remainingWorkingDays };
}

/** Sort rows by deadline (earliest first); rows without one go last, red before yellow on ties. */
export function byDeadline<T extends { deadline?: number; timeStatus?: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => {
    const da = a.deadline ?? Number.POSITIVE_INFINITY;
    const db = b.deadline ?? Number.POSITIVE_INFINITY;
    if (da !== db) return da < db ? -1 : 1;
    return timeStatusStyle(a.timeStatus).rank - timeStatusStyle(b.timeStatus).rank;
  });
}
