/**
 * The brake on guessing one user's password: after MAX_FAILURES failed log-ins within
 * WINDOW_SECONDS of the first, that username is refused until the window ends, even with the
 * right password. Counted where every node of the deployment sees it (shared-counts.ts): a
 * guesser spread over the nodes behind a balancer gets no more tries than on one.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { memoryCounts, type Counts } from './shared-counts.js';

export const MAX_FAILURES = 10;
export const WINDOW_SECONDS = 15 * 60;

export class LoginLockout {
  private readonly failures: RateLimiterAbstract;

  constructor(counts: Counts = memoryCounts) {
    this.failures = counts.count({
      keyPrefix: 'login-failures',
      points: MAX_FAILURES,
      duration: WINDOW_SECONDS,
    });
  }

  /** How long the username stays locked, ms; 0 when it may log in. */
  async lockedFor(username: string): Promise<number> {
    const seen = await this.failures.get(username);
    return seen && seen.consumedPoints >= MAX_FAILURES ? Math.max(1, seen.msBeforeNext) : 0;
  }

  /** A failed log-in: counted, the window starting at the first. */
  async failed(username: string): Promise<void> {
    await this.failures.penalty(username, 1);
  }

  /** A log-in that succeeded clears the count. */
  async succeeded(username: string): Promise<void> {
    await this.failures.delete(username);
  }
}
