/**
 * What the application life needs from time-limit arithmetic. The working-day implementation
 * lives in jobs/ (calendar, pauses, yellow/red thresholds); this port keeps the domain free of it.
 */
import type { Pause } from './types.js';

export type TimeLimitStatus = 'normal' | 'yellow' | 'red';

export interface LimitClock {
  /** Acceptance (application) or creation (task). */
  start: number;
  limitDays: number;
  pauses: readonly Pause[];
  region?: string;
}

export interface LimitState {
  deadline: number;
  remainingWorkingDays: number;
  status: TimeLimitStatus;
  /**
   * When the status turns worse if nothing else happens; null when it never will (red, or the
   * clock stopped). Absent where the arithmetic cannot tell: then any moment may change it.
   */
  nextChangeAt?: number | null;
}

export interface TimeLimits {
  /** Where a limit stands at `now`: every pause moves the deadline, an open pause stops the clock. */
  state(clock: LimitClock, now: number): LimitState;
  /** `n` working days after `from` (容缺 due dates, post-checks, rectification deadlines). */
  addWorkingDays(from: number, n: number, region?: string): number;
}
