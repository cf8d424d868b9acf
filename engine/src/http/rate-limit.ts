/**
 * Request budgets (rate-limiter-flexible): every API request and every call of the public
 * /metrics and /healthz per client IP, every authenticated request per user and again every write
 * per user, and a stricter budget of log-in attempts per client IP (beside the per-username
 * lock-out, login-lockout.ts). Over budget → 429 problem+json with Retry-After and the RateLimit-*
 * headers of draft-ietf-httpapi-ratelimit-headers (draft 6); within budget the same headers tell
 * what is left.
 *
 * The log-in budget is counted in the database the nodes share (shared-counts.ts), so N nodes
 * behind one balancer still allow one budget of guesses; the others, in each process's memory,
 * allow up to N× theirs (they brake load, and cost no write per request).
 */
import { isIPv6 } from 'node:net';
import type { Response } from 'express';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpProblem } from './problem.js';
import { memoryCounts, type Counts } from './shared-counts.js';

export interface Budget {
  /** Requests allowed per window. */
  points: number;
  /** Window length in seconds. */
  seconds: number;
}

export type BudgetName = 'ip' | 'user' | 'userWrites' | 'login';

/** A budget switched off is `false`. */
export type RateLimits = Record<BudgetName, Budget | false>;

export const DEFAULT_RATE_LIMITS: RateLimits = {
  ip: { points: 3000, seconds: 60 },
  user: { points: 1200, seconds: 60 },
  userWrites: { points: 300, seconds: 60 },
  login: { points: 100, seconds: 15 * 60 },
};

/** Budgets counted where every node of a deployment sees them: guesses at passwords. */
const SHARED_BUDGETS: ReadonlySet<BudgetName> = new Set(['login']);

/** Paths (and all below them) whose requests count against the per-IP budget. */
export const IP_BUDGET_PATHS = ['/api', '/metrics', '/healthz'];

const ENV_NAMES: Record<BudgetName, string> = {
  ip: 'ONETHING_RATE_LIMIT_IP',
  user: 'ONETHING_RATE_LIMIT_USER',
  userWrites: 'ONETHING_RATE_LIMIT_USER_WRITES',
  login: 'ONETHING_RATE_LIMIT_LOGIN',
};

/**
 * The budgets from the environment: ONETHING_RATE_LIMITS=off switches all off; each of
 * ONETHING_RATE_LIMIT_{IP,USER,USER_WRITES,LOGIN} is `<requests>/<seconds>` or `off`.
 */
export function rateLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimits | false {
  if (env.ONETHING_RATE_LIMITS === 'off') return false;
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS };
  for (const name of Object.keys(ENV_NAMES) as BudgetName[]) {
    const raw = env[ENV_NAMES[name]]?.trim();
    if (!raw) continue;
    if (raw === 'off') {
      limits[name] = false;
      continue;
    }
    const m = /^(\d+)\/(\d+)$/.exec(raw);
    const points = Number(m?.[1]);
    const seconds = Number(m?.[2]);
    if (!m || points < 1 || seconds < 1)
      throw new Error(`${ENV_NAMES[name]} must be <requests>/<seconds> (e.g. 600/60) or off; got "${raw}"`);
    limits[name] = { points, seconds };
  }
  return limits;
}

/** The budget key of a client address: IPv6 clients by /64, since one host usually holds a whole /64. */
export function clientKey(ip: string | undefined): string {
  const address = (ip ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

interface Left {
  limit: number;
  remaining: number;
  resetSeconds: number;
  windowSeconds: number;
}

export class RateLimiter {
  private readonly limiters = new Map<BudgetName, { budget: Budget; limiter: RateLimiterAbstract }>();

  /** `counts`: where the budgets every node shares (SHARED_BUDGETS) are counted. */
  constructor(limits: RateLimits | false, counts: Counts = memoryCounts) {
    if (!limits) return;
    for (const name of Object.keys(limits) as BudgetName[]) {
      const budget = limits[name];
      if (!budget) continue;
      const options = { keyPrefix: name, points: budget.points, duration: budget.seconds };
      this.limiters.set(name, {
        budget,
        limiter: SHARED_BUDGETS.has(name) ? counts.count(options) : new RateLimiterMemory(options),
      });
    }
  }

  /**
   * Counts one request against `name` for `key`; over budget it throws a 429 problem. When `res`
   * is given, its RateLimit headers show the tightest budget this request has counted against.
   */
  async take(name: BudgetName, key: string, res?: Response): Promise<void> {
    const entry = this.limiters.get(name);
    if (!entry) return;
    const { budget, limiter } = entry;
    let result: RateLimiterRes;
    try {
      result = await limiter.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retry = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new HttpProblem(
        'rate-limited',
        name === 'login'
          ? {
              zh: `此地址登录尝试过于频繁，请 ${retry} 秒后再试`,
              en: `too many log-in attempts from this address; try again in ${retry} s`,
            }
          : {
              zh: `请求过于频繁（每 ${budget.seconds} 秒最多 ${budget.points} 次），请 ${retry} 秒后再试`,
              en: `too many requests (at most ${budget.points} per ${budget.seconds} s); try again in ${retry} s`,
            },
        [],
        {
          'Retry-After': String(retry),
          ...headersOf({
            limit: budget.points,
            remaining: 0,
            resetSeconds: retry,
            windowSeconds: budget.seconds,
          }),
        },
      );
    }
    if (!res) return;
    const left: Left = {
      limit: budget.points,
      remaining: result.remainingPoints,
      resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
      windowSeconds: budget.seconds,
    };
    const shown = res.locals.rateLimit as Left | undefined;
    if (shown && shown.remaining <= left.remaining) return;
    res.locals.rateLimit = left;
    for (const [k, v] of Object.entries(headersOf(left))) res.setHeader(k, v);
  }
}

function headersOf(left: Left): Record<string, string> {
  return {
    'RateLimit-Policy': `${left.limit};w=${left.windowSeconds}`,
    'RateLimit-Limit': String(left.limit),
    'RateLimit-Remaining': String(left.remaining),
    'RateLimit-Reset': String(left.resetSeconds),
  };
}
