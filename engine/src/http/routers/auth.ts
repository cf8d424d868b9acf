/** POST /api/auth/token (username + password → signed bearer token), GET /api/auth/me. */
import { ROLES } from '../../domain/actor.js';
import type { AppContext } from '../context.js';
import { HttpProblem } from '../problem.js';
import { reply, type Resource } from '../route.js';
import { objectOf, text } from '../schemas.js';

const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60 * 1000;

const User = {
  type: 'object',
  properties: {
    userId: { type: 'string' },
    name: { type: 'string' },
    role: { enum: [...ROLES] },
    department: { type: 'string' },
    region: { type: 'string' },
    venue: { type: 'string' },
  },
  required: ['userId', 'name', 'role'],
};

export function authResource(deps: AppContext): Resource {
  /** Failed logins per username within the window: a simple brake on password guessing. */
  const failures = new Map<string, { count: number; since: number }>();
  return {
    name: 'auth',
    description: { zh: '登录与令牌', en: 'Log-in and tokens' },
    base: '/api/auth',
    routes: [
      {
        method: 'post',
        path: '/token',
        operationId: 'auth.token',
        summary: {
          zh: '用户名和密码换取访问令牌（演示用户见 README）',
          en: 'Exchange username and password for a bearer token (demo users in the README)',
        },
        roles: 'public',
        idempotent: false,
        body: objectOf({ username: text(64), password: text(200) }, ['username', 'password']),
        response: {
          schema: {
            type: 'object',
            properties: {
              access_token: { type: 'string' },
              token_type: { const: 'Bearer' },
              expires_in: { type: 'integer' },
              user: User,
            },
            required: ['access_token', 'token_type', 'expires_in', 'user'],
          },
        },
        errors: [429],
        target: (ctx) => `user:${String(ctx.body.username).slice(0, 64)}`,
        handler: async ({ body }) => {
          const now = deps.clock();
          const seen = failures.get(body.username);
          if (seen && now - seen.since < WINDOW_MS && seen.count >= MAX_FAILURES) {
            deps.metrics.logins.inc({ outcome: 'locked' });
            throw new HttpProblem(
              'too-many-requests',
              {
                zh: '登录失败次数过多，请 15 分钟后再试',
                en: 'too many failed log-ins; try again in 15 minutes',
              },
              [],
              {
                'Retry-After': String(Math.ceil((seen.since + WINDOW_MS - now) / 1000)),
              },
            );
          }
          const actor = await deps.users.authenticate(body.username, body.password);
          if (!actor) {
            if (failures.size > 10_000)
              for (const [k, v] of failures) if (now - v.since >= WINDOW_MS) failures.delete(k);
            const fresh = !seen || now - seen.since >= WINDOW_MS;
            failures.set(
              body.username,
              fresh ? { count: 1, since: now } : { count: seen.count + 1, since: seen.since },
            );
            deps.metrics.logins.inc({ outcome: 'failed' });
            throw new HttpProblem('unauthorized', {
              zh: '用户名或密码不正确',
              en: 'wrong username or password',
            });
          }
          failures.delete(body.username);
          deps.metrics.logins.inc({ outcome: 'ok' });
          const token = await deps.tokens.issue(actor);
          return reply({ body: { ...token, user: actor }, headers: { 'Cache-Control': 'no-store' } });
        },
      },
      {
        method: 'get',
        path: '/me',
        operationId: 'auth.me',
        summary: { zh: '当前令牌代表的用户', en: 'The user the token stands for' },
        roles: ROLES,
        response: { schema: User },
        handler: async ({ actor }) => actor,
      },
    ],
  };
}
