/**
 * Request budgets on the real app: per client IP, per user, writes per user and log-ins per IP,
 * each its own count; over budget a 429 problem+json in both languages with Retry-After and
 * RateLimit-* headers; budgets belong to one app instance; the server reads them from the
 * environment.
 */
import { AUDIT } from '../../engine/src/audit/index.js';
import {
  clientKey,
  DEFAULT_RATE_LIMITS,
  rateLimitsFromEnv,
  type RateLimits,
} from '../../engine/src/http/rate-limit.js';
import { expectProblem, startServer, type TestServer } from './support.js';

const OFF: RateLimits = { ip: false, user: false, userWrites: false, login: false };
const servers: TestServer[] = [];
const serve = async (limits: Partial<RateLimits>, extra: Record<string, unknown> = {}) => {
  const s = await startServer({ rateLimits: { ...OFF, ...limits }, ...extra });
  servers.push(s);
  return s;
};
afterAll(() => Promise.all(servers.map((s) => s.close())));

const login = (s: TestServer, username: string, password: string, headers: Record<string, string> = {}) =>
  s.call('POST', '/api/auth/token', { body: { username, password }, headers });

describe('per client IP', () => {
  it('counts every API request, answers 429 problem+json with Retry-After and RateLimit headers', async () => {
    const s = await serve({ ip: { points: 4, seconds: 60 } });
    const remaining: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await s.call(
        'GET',
        i % 2 ? '/api/auth/me' : '/api/no-such-route',
        i % 2 ? { as: 'clerk1' } : {},
      );
      expect(res.status).toBe(i % 2 ? 200 : 404);
      remaining.push(res.headers.get('ratelimit-remaining')!);
      expect(res.headers.get('ratelimit-limit')).toBe('4');
      expect(res.headers.get('ratelimit-policy')).toBe('4;w=60');
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    const over = await s.call('GET', '/api/auth/me', { as: 'clerk1' });
    const problem = expectProblem(over, 429);
    expect(problem.type).toBe('urn:onething:problem:rate-limited');
    expect(problem.zh.detail).toMatch(/请求过于频繁/);
    expect(problem.en.detail).toMatch(/too many requests \(at most 4 per 60 s\)/);
    const retry = Number(over.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(over.headers.get('ratelimit-remaining')).toBe('0');
    expect(over.headers.get('ratelimit-reset')).toBe(String(retry));
    const english = await s.call('GET', '/api/auth/me', {
      as: 'clerk1',
      headers: { 'accept-language': 'en' },
    });
    expect(english.status).toBe(429);
    expect(english.body.detail).toMatch(/^too many requests/);
    expect(english.headers.get('content-language')).toBe('en');
    // The public probes count against the same budget (anyone can call them): test/http/metrics.test.ts.
    expectProblem(await s.call('GET', '/healthz'), 429);
  });

  it('ignores X-Forwarded-For unless a proxy is trusted, then counts each forwarded client apart', async () => {
    const direct = await serve({ ip: { points: 2, seconds: 60 } });
    for (const forwarded of ['203.0.113.1', '203.0.113.2']) {
      expect(
        (
          await direct.call('GET', '/api/auth/me', {
            as: 'clerk1',
            headers: { 'x-forwarded-for': forwarded },
          })
        ).status,
      ).toBe(200);
    }
    const spoofed = await direct.call('GET', '/api/auth/me', {
      as: 'clerk1',
      headers: { 'x-forwarded-for': '203.0.113.3' },
    });
    expect(spoofed.status).toBe(429);

    const proxied = await serve({ ip: { points: 2, seconds: 60 } }, { trustProxy: 'loopback' });
    const as = (ip: string) =>
      proxied.call('GET', '/api/auth/me', { as: 'clerk1', headers: { 'x-forwarded-for': ip } });
    expect((await as('203.0.113.1')).status).toBe(200);
    expect((await as('203.0.113.1')).status).toBe(200);
    expect((await as('203.0.113.1')).status).toBe(429);
    expect((await as('203.0.113.2')).status).toBe(200);
  });

  it('groups IPv6 clients by /64 and IPv4-mapped addresses as IPv4', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
  });
});

describe('per user', () => {
  it('each user has their own budget, apart from the IP budget; writes have a second one', async () => {
    const s = await serve({
      ip: { points: 1000, seconds: 60 },
      user: { points: 6, seconds: 60 },
      userWrites: { points: 2, seconds: 60 },
    });
    for (let i = 0; i < 3; i++)
      expect((await s.call('GET', '/api/auth/me', { as: 'clerk1' })).status).toBe(200);
    // Writes: the stub centre answers 404, but each still counts.
    for (let i = 0; i < 2; i++) {
      const res = await s.call('POST', '/api/applications/x/submit', { as: 'clerk1', body: {} });
      expect(res.status).toBe(404);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(1 - i)); // the tighter budget shows
    }
    const thirdWrite = await s.call('POST', '/api/applications/x/submit', { as: 'clerk1', body: {} });
    expectProblem(thirdWrite, 429);
    expect(thirdWrite.body.en.detail).toMatch(/at most 2 per 60 s/);
    // The failed write spent a request too: clerk1 is now out of both.
    expectProblem(await s.call('GET', '/api/auth/me', { as: 'clerk1' }), 429);
    // Another user on the same address is untouched.
    expect((await s.call('GET', '/api/auth/me', { as: 'supervisor1' })).status).toBe(200);
    expect((await s.call('POST', '/api/applications/x/submit', { as: 'supervisor1', body: {} })).status).toBe(
      403,
    );
  });

  it('refusals for being over budget are not audited (a flood must not become audit writes)', async () => {
    const s = await serve({ userWrites: { points: 1, seconds: 60 } });
    const before = await s.docs.count(AUDIT, { kind: 'entry' });
    expect((await s.call('POST', '/api/applications/x/submit', { as: 'clerk1', body: {} })).status).toBe(404);
    for (let i = 0; i < 5; i++)
      expect((await s.call('POST', '/api/applications/x/submit', { as: 'clerk1', body: {} })).status).toBe(
        429,
      );
    expect(await s.docs.count(AUDIT, { kind: 'entry' })).toBe(before + 1);
  });

  it('two apps never share counts (tests in parallel each get their own)', async () => {
    const a = await serve({ user: { points: 1, seconds: 60 } });
    const b = await serve({ user: { points: 1, seconds: 60 } });
    expect((await a.call('GET', '/api/auth/me', { as: 'clerk1' })).status).toBe(200);
    expect((await a.call('GET', '/api/auth/me', { as: 'clerk1' })).status).toBe(429);
    expect((await b.call('GET', '/api/auth/me', { as: 'clerk1' })).status).toBe(200);
  });
});

describe('log-in attempts', () => {
  it('per IP: stricter, across usernames, and before the password is checked', async () => {
    const s = await serve({ ip: { points: 100, seconds: 60 }, login: { points: 3, seconds: 900 } });
    for (const user of ['clerk1', 'tax1', 'hrss1']) expect((await login(s, user, 'wrong')).status).toBe(401);
    const right = await login(s, 'supervisor1', 'supervisor1pass');
    const problem = expectProblem(right, 429);
    expect(problem.zh.detail).toMatch(/登录尝试过于频繁/);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(60);
    // Other routes keep the general budget.
    expect((await s.call('GET', '/api/auth/me', { as: 'clerk1' })).status).toBe(200);
  });

  it('a log-in whose body is invalid counts too, before validation; over budget it writes no audit entry', async () => {
    const s = await serve({ login: { points: 3, seconds: 900 } });
    const before = await s.docs.count(AUDIT, { kind: 'entry' });
    for (let i = 0; i < 3; i++) expectProblem(await login(s, `flood${i}`, ''), 422); // password too short
    for (let i = 3; i < 20; i++) expectProblem(await login(s, `flood${i}`, ''), 429);
    expect(expectProblem(await login(s, 'supervisor1', 'supervisor1pass'), 429).zh.detail).toMatch(
      /登录尝试过于频繁/,
    );
    // The three attempts within the budget stay on record; the refusals over it add nothing.
    expect(await s.docs.count(AUDIT, { kind: 'entry' })).toBe(before + 3);
    // Other routes keep the general budget.
    expect((await s.call('GET', '/api/auth/me', { as: 'clerk1' })).status).toBe(200);
  });

  it('per username: the lock-out after 10 failures still holds with the IP budget off', async () => {
    const s = await serve({});
    for (let i = 0; i < 10; i++) expect((await login(s, 'clerk1', 'wrong')).status).toBe(401);
    const locked = await login(s, 'clerk1', 'clerk1pass');
    expect(expectProblem(locked, 429).type).toBe('urn:onething:problem:too-many-requests');
    expect((await login(s, 'tax1', 'tax1pass')).status).toBe(200);
  });
});

describe('configuration', () => {
  it('reads the budgets from the environment, and names a malformed variable', () => {
    expect(rateLimitsFromEnv({})).toEqual(DEFAULT_RATE_LIMITS);
    expect(rateLimitsFromEnv({ ONETHING_RATE_LIMITS: 'off' })).toBe(false);
    expect(
      rateLimitsFromEnv({ ONETHING_RATE_LIMIT_USER: '50/10', ONETHING_RATE_LIMIT_LOGIN: 'off' }),
    ).toEqual({ ...DEFAULT_RATE_LIMITS, user: { points: 50, seconds: 10 }, login: false });
    expect(() => rateLimitsFromEnv({ ONETHING_RATE_LIMIT_IP: '100 per minute' })).toThrow(
      /ONETHING_RATE_LIMIT_IP must be <requests>\/<seconds>/,
    );
    expect(() => rateLimitsFromEnv({ ONETHING_RATE_LIMIT_USER_WRITES: '0/60' })).toThrow(
      /ONETHING_RATE_LIMIT_USER_WRITES/,
    );
  });

  it('documents 429 with its headers in the OpenAPI of every rate-limited route', async () => {
    const s = await serve({});
    const doc = (await s.call('GET', '/api/openapi.json')).body;
    const me = doc.paths['/api/auth/me'].get.responses;
    expect(me['429']).toBeDefined();
  });
});
