/**
 * The route table: one declaration per route gives the router, the request validation, the
 * role check, idempotency, the audit entry and the OpenAPI operation.
 */
import type { Request, Response } from 'express';
import type { Actor, Role } from '../domain/actor.js';
import type { Text } from '../domain/errors.js';
import type { Lang } from './problem.js';
import type { BudgetName } from './rate-limit.js';
import type { JsonSchema } from './validation.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Body, query and params as validated against the route's JSON Schemas before the handler runs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shapes are checked at run time by ajv
type Validated = any;

export interface RouteContext<B = Validated, Q = Validated, P = Validated> {
  /** The authenticated actor; absent only on public routes. */
  actor: Actor;
  params: P;
  query: Q;
  body: B;
  lang: Lang;
  req: Request;
  res: Response;
  requestId: string;
  /** The bearer token's id and expiry (seconds), on routes that need a token. */
  token?: { jti: string; exp: number };
}

/** What a handler returns when it needs more than a 200 with a JSON body. */
export interface Reply {
  reply: true;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The audit target when it is known only after the command (e.g. a created id). */
  auditTarget?: string;
  /** Bytes streamed as the response body (a download), with their Content-Type in `headers`. */
  stream?: AsyncIterable<Uint8Array>;
}

export const reply = (r: Omit<Reply, 'reply'>): Reply => ({ reply: true, ...r });

export interface RouteDef {
  method: Method;
  /** Path below the resource's base, express syntax (`/:id/accept`). */
  path: string;
  /** Stable name, e.g. `applications.accept`; the audit action and the OpenAPI operationId. */
  operationId: string;
  summary: Text;
  /** Who may call it; 'public' routes need no token. The Centre checks again (defence in depth). */
  roles: readonly Role[] | 'public';
  params?: Record<string, JsonSchema>;
  query?: Record<string, JsonSchema>;
  body?: JsonSchema;
  /** Body limit for express.json, e.g. '5mb'; default 1 MB. */
  bodyLimit?: string;
  /** The handler streams the raw body itself from ctx.req (an upload); documented as binary of these types. */
  rawBody?: { contentTypes: string[] };
  /** Success status and response schema for the docs. */
  response: { status?: number; schema?: JsonSchema; description?: Text; contentType?: string };
  /** Error statuses this route can answer besides 400/401/403/500 (documented). */
  errors?: number[];
  /** Audit target from the request (default: derived from the first path parameter). */
  target?: (ctx: RouteContext) => string;
  /**
   * Audited: POST/PATCH unless switched off; a GET when it reads personal data (GOV-SERVICES
   * 2.20: every read of personal data is logged).
   */
  audit?: boolean;
  /**
   * A budget per client address (rate-limit.ts) taken before the body is read and validated, so a
   * request with a malformed body counts as well: the log-in budget, which a flood of invalid
   * log-ins would otherwise pass by (each then also an audit entry).
   */
  clientBudget?: Extract<BudgetName, 'login'>;
  idempotent?: boolean;
  deprecated?: boolean;
  handler: (ctx: RouteContext) => Promise<unknown>;
}

export interface Resource {
  /** Router name and OpenAPI tag. */
  name: string;
  description: Text;
  /** Mount point, e.g. `/api/bundles`. */
  base: string;
  routes: RouteDef[];
}

export const isMutation = (route: RouteDef) => route.method !== 'get';

/** `POST <base>/:id/<name>`: a command on one record, answering with the record. */
export function actionRoute(
  resource: string,
  name: string,
  spec: Pick<RouteDef, 'summary' | 'roles' | 'body' | 'handler'> & {
    params: Record<string, JsonSchema>;
    schema: JsonSchema;
  },
  extra: Partial<RouteDef> = {},
): RouteDef {
  const { schema, ...rest } = spec;
  return {
    method: 'post',
    path: `/:id/${name}`,
    operationId: `${resource}.${name}`,
    response: { schema },
    errors: [404, 409],
    ...rest,
    ...extra,
  };
}
