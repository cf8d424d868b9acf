/**
 * The brake on guessing one user's password: after MAX_FAILURES failed log-ins within
 * WINDOW_SECONDS of the first, that username is refused until the window ends, even with the
 * right password. Every attempt is counted; a success clears the count. Counted where every node
 * of the deployment sees it (shared-counts.ts): a guesser spread over the nodes behind a balancer
 * gets no more tries than on one.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { memoryCounts, type Counts } from './shared-counts.js';

export const MAX_FAILURES = 10;
export const WINDOW_SECONDS = 15 * 60;

export class LoginLockout {
  private readonly attempts: RateLimiterAbstract;

  constructor(counts: Counts = memoryCounts) {
    this.attempts = counts.count({
      keyPrefix: 'login-failures',
      points: MAX_FAILURES,
      duration: WINDOW_SECONDS,
    });
  }

  /**
   * Counts a log-in attempt before its password is checked, so guesses sent in parallel cannot
   * all pass the check before any failure is counted (the store adds atomically). Returns how long
   * the username stays locked, ms, when this attempt is one too many; 0 when it may go on.
   */
  async attempt(username: string): Promise<number> {
    try {
      await this.attempts.consume(username);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, err.msBeforeNext);
      throw err;
    }
  }

  /** A log-in that succeeded clears the count (its own attempt included). */
  async succeeded(username: string): Promise<void> {
    await this.attempts.delete(username);
  }
}
