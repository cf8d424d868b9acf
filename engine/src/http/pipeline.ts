/**
 * One request through one route of the table: authenticate → role → parse and validate →
 * idempotency → handler → audit → respond. Every failure on the way becomes a problem+json
 * response; every POST/PATCH that reached an actor is audited with its outcome.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response } from 'express';
import { requireRole } from '../applications/scope.js';
import { auditActor, type AuditActor, type AuditLog, type AuditOutcome } from '../audit/index.js';
import type { CommandJournal, CommandRun } from '../audit/journal.js';
import type { Actor } from '../domain/actor.js';
import type { RevocationList } from './auth/revocations.js';
import { TokenError, type TokenClaims, type TokenService } from './auth/tokens.js';
import { faultPoint } from './faults.js';
import {
  appliedResponseLost,
  completion,
  fingerprintPath,
  type IdempotencyStore,
  type Lease,
  type StoredResponse,
} from './idempotency.js';
import type { Logger } from './logging.js';
import { requestIdOf } from './logging.js';
import type { Metrics } from './metrics.js';
import {
  HttpProblem,
  PROBLEM_TYPE,
  preferredLanguage,
  problemType,
  toProblem,
  type Lang,
} from './problem.js';
import { clientKey, type RateLimiter } from './rate-limit.js';
import { isMutation, type Reply, type Resource, type RouteContext, type RouteDef } from './route.js';
import { compileBody, compileCoercing, type Validator } from './validation.js';

export interface PipelineDeps {
  tokens: TokenService;
  audit: AuditLog;
  /** Without these (a bare pipeline in a test): no revocation check, no budgets, no journal. */
  revocations?: RevocationList;
  limiter?: RateLimiter;
  journal?: CommandJournal;
  idempotency: IdempotencyStore;
  metrics: Metrics;
  logger: Logger;
}

interface Outcome {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  problem: boolean;
  auditTarget?: string;
  problemType?: string;
  stream?: AsyncIterable<Uint8Array>;
  /** The command's change committed though the answer is a problem (applied-response-lost). */
  committed?: boolean;
}

const JSON_TYPES = ['application/json', 'application/*+json'];
const DEFAULT_BODY_LIMIT = '1mb';

const RATE_LIMITED = problemType('rate-limited');

/** The bearer token's claims, verified and not revoked; otherwise a 401 problem. */
export async function authenticate(
  req: Request,
  tokens: TokenService,
  revocations?: RevocationList,
): Promise<TokenClaims> {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
  if (!match) {
    throw new HttpProblem(
      'unauthorized',
      {
        zh: '请先登录：请求须带 Authorization: Bearer <令牌>',
        en: 'log in first: send Authorization: Bearer <token>',
      },
      [],
      {
        'WWW-Authenticate': 'Bearer realm="onething"',
      },
    );
  }
  try {
    const claims = await tokens.verifyClaims(match[1]!);
    if (revocations && (await revocations.isRevoked({ ...claims, userId: claims.actor.userId })))
      throw new TokenError('revoked', 'the token was revoked');
    return claims;
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    const detail =
      err.reason === 'expired'
        ? { zh: '令牌已过期，请重新登录', en: 'the token has expired; log in again' }
        : err.reason === 'revoked'
          ? { zh: '令牌已注销或被吊销，请重新登录', en: 'the token was revoked; log in again' }
          : { zh: '令牌无效', en: 'the token is not valid' };
    throw new HttpProblem('unauthorized', detail, [], {
      'WWW-Authenticate': `Bearer realm="onething", error="invalid_token", error_description="${err.reason}"`,
    });
  }
}

function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/** One body parser per size limit, made once (it was made again for every request). */
const jsonParsers = new Map<string, ReturnType<typeof express.json>>();

function parseJson(req: Request, res: Response, limit: string): Promise<unknown> {
  if (!hasBody(req)) return Promise.resolve(undefined);
  if (!req.is(JSON_TYPES)) {
    return Promise.reject(
      new HttpProblem('unsupported-media-type', {
        zh: '请求体须为 application/json',
        en: 'the request body must be application/json',
      }),
    );
  }
  let parser = jsonParsers.get(limit);
  if (!parser) jsonParsers.set(limit, (parser = express.json({ limit, strict: true, type: JSON_TYPES })));
  return new Promise((resolve, reject) =>
    parser(req, res, (err?: unknown) => {
      if (err) return reject(err);
      if (!nestsDeeper(req.body, MAX_BODY_DEPTH)) return resolve(req.body);
      const deep = deepField(req.body, MAX_BODY_DEPTH);
      reject(
        new HttpProblem(
          'bad-request',
          { zh: '请求体嵌套过深', en: 'the request body is nested too deeply' },
          [
            {
              field: deep || '(body)',
              message: {
                zh: `嵌套超过 ${MAX_BODY_DEPTH} 层`,
                en: `is nested more than ${MAX_BODY_DEPTH} levels deep`,
              },
            },
          ],
        ),
      );
    }),
  );
}

/**
 * How deep a request body may nest (objects and arrays). Forms, bundles and models nest a dozen
 * levels; a body nested thousands deep overflowed the stack of the recursive code it reached (a
 * 500) and, stored as a draft, was more than SQLite's JSON reader takes (1,000 levels).
 */
export const MAX_BODY_DEPTH = 64;

/**
 * Whether `value` nests objects or arrays more than `max` deep: a walk without recursion that
 * visits containers only (a 1 MB body of small objects in ≈ 1/3 of its JSON.parse time; keys
 * and entries made for every value cost several times the parse).
 */
export function nestsDeeper(value: unknown, max: number): boolean {
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  while (nodes.length) {
    const node = nodes.pop();
    const depth = depths.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child: unknown = (node as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** The field (one or two names from the top, `data.blob`) under which `value` nests more than `max` deep. */
export function deepField(value: unknown, max: number): string {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length) {
    const [node, depth, field] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return field;
    for (const [key, child] of Object.entries(node))
      stack.push([child, depth + 1, depth < 2 ? (field ? `${field}.${key}` : key) : field]);
  }
  return '';
}

const singular = (name: string) => name.replace(/ies$/, 'y').replace(/s$/, '');

export function routeHandler(resource: Resource, route: RouteDef, deps: PipelineDeps) {
  const validateBody: Validator | undefined = route.body ? compileBody(route.body) : undefined;
  const validateQuery = compileCoercing(
    { type: 'object', additionalProperties: false, properties: route.query ?? {} },
    'query',
  );
  const validateParams = route.params
    ? compileCoercing(
        { type: 'object', properties: route.params, required: Object.keys(route.params) },
        'params',
      )
    : undefined;
  const template = `${resource.base}${route.path}`;
  const mutation = isMutation(route);
  const audited = route.audit ?? mutation;
  const idempotent = route.method === 'post' && route.idempotent !== false;

  return async (req: Request, res: Response): Promise<void> => {
    res.locals.route = template;
    const lang: Lang = preferredLanguage(req);
    const requestId = String((req as Request & { id?: unknown }).id ?? requestIdOf(req));
    let actor: Actor | undefined;
    let claims: TokenClaims | undefined;
    let ctx: RouteContext | undefined;
    let run: CommandRun<unknown> | undefined;
    let lease: Lease | undefined;
    /** The key's response was committed with the audit entry. */
    let keySettled = false;
    let replayed = false;
    let outcome: Outcome;
    try {
      if (route.roles !== 'public') {
        claims = await authenticate(req, deps.tokens, deps.revocations);
        actor = claims.actor;
        await deps.limiter?.take('user', actor.userId, res);
        if (mutation) await deps.limiter?.take('userWrites', actor.userId, res);
        requireRole(actor, ...route.roles);
      }
      if (route.clientBudget) await deps.limiter?.take(route.clientBudget, clientKey(req.ip), res);
      const params = { ...req.params };
      const query: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
      const raw = validateBody ? await parseJson(req, res, route.bodyLimit ?? DEFAULT_BODY_LIMIT) : undefined;
      const body = validateBody ? (raw ?? {}) : undefined;
      const problems = [...(validateParams?.(params) ?? []), ...validateQuery(query)];
      if (problems.length) {
        throw new HttpProblem(
          'bad-request',
          { zh: '路径或查询参数有误', en: 'invalid path or query parameters' },
          problems,
        );
      }
      const bodyProblems = validateBody?.(body) ?? [];
      if (bodyProblems.length) {
        throw new HttpProblem(
          'validation',
          { zh: '请求体有误，请按字段修改', en: 'the request body is invalid; see the field errors' },
          bodyProblems,
        );
      }
      ctx = {
        actor: actor!,
        params,
        query,
        body,
        lang,
        req,
        res,
        requestId,
        ...(claims ? { token: { jti: claims.jti, exp: claims.exp } } : {}),
      };
      const key = req.headers['idempotency-key'];
      if (idempotent && actor && typeof key === 'string') {
        const begun = await deps.idempotency.begin(actor.userId, key, {
          method: req.method,
          path: fingerprintPath(req),
          body: raw ?? null,
        });
        if ('replay' in begun) {
          replayed = true;
          deps.metrics.idempotentReplays.inc();
          const r = begun.replay;
          outcome = {
            status: r.status,
            body: r.body,
            headers: { ...r.headers, 'Idempotent-Replayed': 'true' },
            problem: r.status >= 400,
          };
        } else lease = begun.lease;
      }
      if (!replayed) {
        let value: unknown;
        let landedOutcome: Outcome | undefined;
        if (audited && actor && deps.journal) {
          // Journaled: its writes and its audit entry survive a crash between them (audit/journal.ts).
          const routeCtx = ctx;
          run = await deps.journal.run(
            {
              requestId,
              actor: auditActor(actor),
              action: route.operationId,
              ...presetTarget(resource, route, routeCtx),
              ...(lease ? { leaseId: lease.record.id } : {}),
            },
            () => route.handler(routeCtx),
          );
          if ('error' in run) {
            // Failed after its change committed (a later step threw): it happened. Answered, kept
            // for the key's retries and audited as the change it made — a 500 left the key failed,
            // and the client's retry made the change a second time (a second application).
            const landed = await deps.journal.landed(run.command).catch(() => undefined);
            if (!landed) throw run.error;
            deps.logger.error(
              { err: run.error, requestId, route: template },
              'a command failed after it committed',
            );
            const lost = appliedResponseLost(landed.target);
            landedOutcome = {
              status: lost.status,
              body: { ...(lost.body as object), instance: req.originalUrl.split('?')[0], requestId },
              headers: lost.headers,
              problem: true,
              problemType: (lost.body as { type: string }).type,
              auditTarget: landed.target,
              committed: true,
            };
          } else value = run.value;
          faultPoint(`after-commit:${route.operationId}`);
        } else value = await route.handler(ctx);
        const r =
          value && typeof value === 'object' && (value as Reply).reply === true
            ? (value as Reply)
            : undefined;
        outcome = landedOutcome ?? {
          status: r?.status ?? route.response.status ?? (value === undefined ? 204 : 200),
          body: r ? r.body : value,
          headers: r?.headers ?? {},
          problem: false,
          ...(r?.auditTarget ? { auditTarget: r.auditTarget } : {}),
          ...(r?.stream ? { stream: r.stream } : {}),
        };
      }
    } catch (err) {
      const p = toProblem(err, lang);
      if (p.unexpected) deps.logger.error({ err, requestId, route: template }, 'unexpected error');
      outcome = {
        status: p.status,
        body: { ...p.body, instance: req.originalUrl.split('?')[0], requestId },
        headers: p.headers,
        problem: true,
        problemType: p.body.type,
      };
    }
    const result = outcome!;

    // A refusal for being over budget is not audited: a flood must not turn into audit writes.
    if (audited && !replayed && result.problemType !== RATE_LIMITED) {
      const who: AuditActor | undefined = actor ? auditActor(actor) : undefined;
      const loginName =
        route.roles === 'public' && typeof (ctx?.body ?? req.body)?.username === 'string'
          ? String((ctx?.body ?? req.body).username).slice(0, 64)
          : undefined;
      const auditedActor =
        who ?? (loginName !== undefined ? { userId: loginName, role: 'anonymous' } : undefined);
      if (auditedActor) {
        const status = result.status;
        const outcomeName: AuditOutcome =
          status < 400 || result.committed
            ? 'ok'
            : status === 403
              ? 'denied'
              : status >= 500
                ? 'error'
                : 'rejected';
        const target = targetOf(resource, route, ctx, req, result);
        if (mutation) deps.metrics.commands.inc({ action: route.operationId, outcome: outcomeName });
        const detail = { status, requestId, ...(result.problemType ? { problem: result.problemType } : {}) };
        try {
          if (run && deps.journal) {
            // The key's response commits with the entry (see idempotency.ts completion).
            const settle = lease ? [completion(lease, storedOf(result))] : [];
            await deps.journal.complete(run.command, { target, outcome: outcomeName, detail }, settle);
            keySettled = lease !== undefined;
            faultPoint(`after-audit:${route.operationId}`);
          } else
            await deps.audit.append({
              actor: auditedActor,
              action: route.operationId,
              target,
              outcome: outcomeName,
              detail,
            });
          deps.metrics.auditAppends.inc({ outcome: 'ok' });
        } catch (err) {
          deps.metrics.auditAppends.inc({ outcome: 'failed' });
          deps.logger.error({ err, requestId, action: route.operationId }, 'audit append failed');
        }
      }
    }

    // Stored for replay only with or after the audit entry: a retry is never answered from a
    // response whose command went unaudited.
    if (lease && !keySettled) {
      await deps.idempotency
        .complete(lease, storedOf(result))
        .catch((err) => deps.logger.error({ err, requestId }, 'could not store the idempotent response'));
    }
    res.status(result.status);
    for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
    if (result.problem) res.setHeader('Content-Language', lang === 'en' ? 'en' : 'zh-CN');
    if (result.stream && !result.problem) {
      // A download: the bytes flow through; a store that fails mid-way cuts the response short.
      await pipeline(Readable.from(result.stream), res).catch((err) =>
        deps.logger.error({ err, requestId, route: template }, 'streaming the response failed'),
      );
      return;
    }
    if (result.body === undefined || result.status === 204) {
      res.end();
      return;
    }
    if (typeof result.body === 'string' && route.response.contentType && !result.problem) {
      res.type(route.response.contentType).send(result.body);
      return;
    }
    const json = JSON.stringify(result.body);
    const type = result.problem ? PROBLEM_TYPE : 'application/json';
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.type(type).send(json);
      return;
    }
    // A command's answer: no ETag (a SHA-1 over the body, ~3% of a decision's CPU) — only a GET
    // can be answered 304 from one, and no route reads If-Match.
    const bytes = Buffer.from(json, 'utf8');
    res.setHeader('Content-Type', `${type}; charset=utf-8`);
    res.setHeader('Content-Length', bytes.length);
    res.end(bytes);
  };
}

/** The audit target when the request names it (the route's rule or the first path parameter). */
function presetTarget(resource: Resource, route: RouteDef, ctx: RouteContext): { target?: string } {
  if (route.target) {
    try {
      return { target: route.target(ctx) };
    } catch {
      /* fall through to the default */
    }
  }
  const first = Object.values(ctx.req.params ?? {})[0];
  return typeof first === 'string' ? { target: `${singular(resource.name)}:${first}` } : {};
}

function targetOf(
  resource: Resource,
  route: RouteDef,
  ctx: RouteContext | undefined,
  req: Request,
  result: Outcome,
): string {
  if (result.auditTarget) return result.auditTarget;
  if (route.target && ctx) {
    try {
      return route.target(ctx);
    } catch {
      /* fall through to the default */
    }
  }
  const kind = singular(resource.name);
  const first = Object.values(req.params ?? {})[0];
  if (typeof first === 'string') return `${kind}:${first}`;
  const id =
    !result.problem && result.body && typeof result.body === 'object'
      ? (result.body as { id?: unknown }).id
      : undefined;
  return typeof id === 'string' ? `${kind}:${id}` : resource.name;
}

/** What a key's record keeps of an answer for its replays. */
function storedOf(result: {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}): StoredResponse {
  return { status: result.status, body: result.body, headers: result.headers };
}
