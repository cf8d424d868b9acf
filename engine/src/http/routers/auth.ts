/**
 * POST /api/auth/token (username + password → signed bearer token), GET /api/auth/me,
 * POST /api/auth/logout (revokes the token it is called with) and
 * POST /api/auth/users/:userId/revoke-tokens (a supervisor revokes every token of a user of
 * their region, e.g. when a clerk leaves). Revoked tokens are refused by the pipeline.
 */
import { cityOf, inRegion } from '../../applications/scope.js';
import { ROLES } from '../../domain/actor.js';
import type { AppContext } from '../context.js';
import { HttpProblem } from '../problem.js';
import { reply, type Resource } from '../route.js';
import { objectOf, text } from '../schemas.js';

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
        // Stricter than the general budget: guessing across many usernames from one address. Taken
        // before the body is validated, so malformed log-ins count (and are audited) within it too.
        clientBudget: 'login',
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
          const lockedMs = await deps.lockout.attempt(body.username);
          if (lockedMs > 0) {
            deps.metrics.logins.inc({ outcome: 'locked' });
            throw new HttpProblem(
              'too-many-requests',
              {
                zh: '登录失败次数过多，请 15 分钟后再试',
                en: 'too many failed log-ins; try again in 15 minutes',
              },
              [],
              { 'Retry-After': String(Math.ceil(lockedMs / 1000)) },
            );
          }
          const actor = await deps.users.authenticate(body.username, body.password);
          if (!actor) {
            deps.metrics.logins.inc({ outcome: 'failed' });
            throw new HttpProblem('unauthorized', {
              zh: '用户名或密码不正确',
              en: 'wrong username or password',
            });
          }
          await deps.lockout.succeeded(body.username);
          deps.metrics.logins.inc({ outcome: 'ok' });
          const token = await deps.tokens.issue(actor, await deps.revocations.epochOf(actor.userId));
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
      {
        method: 'post',
        path: '/logout',
        operationId: 'auth.logout',
        summary: {
          zh: '注销：此令牌自此作废',
          en: 'Log out: this token is refused from now on',
        },
        roles: ROLES,
        idempotent: false,
        response: { status: 204 },
        target: (ctx) => `user:${ctx.actor.userId}`,
        handler: async ({ actor, token }) => {
          await deps.revocations.revokeToken(actor.userId, token!.jti, token!.exp);
          return undefined;
        },
      },
      {
        method: 'post',
        path: '/users/:userId/revoke-tokens',
        operationId: 'auth.revokeTokens',
        summary: {
          zh: '吊销某用户的全部令牌（如人员离岗）；该用户须重新登录',
          en: 'Revoke every token of a user (e.g. a clerk leaves); they must log in again',
        },
        roles: ['supervisor'],
        idempotent: false,
        params: { userId: { type: 'string', minLength: 1, maxLength: 64 } },
        response: {
          schema: {
            type: 'object',
            properties: { userId: { type: 'string' }, epoch: { type: 'integer' } },
            required: ['userId', 'epoch'],
          },
        },
        errors: [404],
        target: (ctx) => `user:${String(ctx.params.userId)}`,
        handler: async ({ actor, params }) => {
          const user = deps.users.get(params.userId);
          if (!user) {
            throw new HttpProblem('not-found', {
              zh: `没有用户 ${params.userId}`,
              en: `no user ${params.userId}`,
            });
          }
          const region = user.region?.slice(0, 6);
          if (region && !inRegion(actor, { region, city: cityOf(region) })) {
            throw new HttpProblem('forbidden', {
              zh: '只能吊销本辖区用户的令牌',
              en: 'you may revoke tokens of users in your region only',
            });
          }
          return { userId: user.userId, epoch: await deps.revocations.revokeAll(user.userId) };
        },
      },
    ],
  };
}
