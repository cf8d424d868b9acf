/**
 * What the application life needs from time-limit arithmetic. The working-day implementation
 * lives in jobs/ (calendar, pauses, yellow/red thresholds); this port keeps the domain free of it.
 */
import type { Pause } from './types.js';

export type TimeLimitStatus = 'normal' | 'yellow' | 'red';

export interface TimeLimits {
  /** Deadline of a limit of `workingDays` counted from `start`, moved by every pause. */
  deadline(start: number, workingDays: number, pauses: readonly Pause[], region?: string): number;
  /** Working days left until the deadline (negative when overdue), not counting paused time. */
  remainingWorkingDays(deadline: number, now: number, pauses: readonly Pause[], region?: string): number;
  status(deadline: number, now: number, pauses: readonly Pause[], region?: string): TimeLimitStatus;
  /** `n` working days after `from` (for 容缺 due dates, rectification deadlines). */
  addWorkingDays(from: number, n: number, region?: string): number;
}
