/**
 * OpenAPI 3.1 document generated from the route table: the same schemas the routes validate
 * with, named shared schemas as components, every error as a Problem.
 */
import type { Text } from '../domain/errors.js';
import type { Resource, RouteDef } from './route.js';
import { components, EmptyBody, Problem } from './schemas.js';
import type { JsonSchema } from './validation.js';

const ERROR_TEXT: Record<number, Text> = {
  400: { zh: '请求或参数有误', en: 'Bad request or parameters' },
  401: { zh: '未登录或令牌无效', en: 'Not authenticated' },
  403: { zh: '角色或范围不允许', en: 'Role or scope does not allow this' },
  404: { zh: '不存在（或不在你的范围内）', en: 'Not found (or outside your scope)' },
  409: { zh: '状态冲突或并发修改', en: 'State conflict or concurrent change' },
  413: { zh: '请求体过大', en: 'Payload too large' },
  415: {
    zh: '请求体类型不受支持（JSON 接口须为 application/json）',
    en: 'Unsupported media type (JSON routes need application/json)',
  },
  422: { zh: '内容校验未通过（含字段错误）', en: 'Validation failed (with field errors)' },
  429: {
    zh: '请求过于频繁或登录失败过多（见 Retry-After）',
    en: 'Too many requests or failed log-ins (see Retry-After)',
  },
  500: { zh: '服务器内部错误', en: 'Internal server error' },
};

const both = (t: Text) => `${t.zh} / ${t.en}`;

const integerHeader = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } });
const RATE_LIMIT_HEADERS = {
  'Retry-After': integerHeader('Seconds to wait before trying again'),
  'RateLimit-Limit': integerHeader('Requests allowed in the window of the tightest budget'),
  'RateLimit-Remaining': integerHeader('Requests left in that window'),
  'RateLimit-Reset': integerHeader('Seconds until that window resets'),
};

/** Replaces every shared schema object (by identity) with a $ref to its component. */
function withRefs(schema: unknown, root = true): unknown {
  if (schema === null || typeof schema !== 'object') return schema;
  if (!root) {
    const name = components.get(schema as JsonSchema);
    if (name) return { $ref: `#/components/schemas/${name}` };
  }
  if (Array.isArray(schema)) return schema.map((s) => withRefs(s, false));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = withRefs(v, false);
  return out;
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function operation(resource: Resource, route: RouteDef): Record<string, unknown> {
  const parameters: unknown[] = [];
  for (const [name, schema] of Object.entries(route.params ?? {})) {
    parameters.push({ name, in: 'path', required: true, schema: withRefs(schema, false) });
  }
  for (const [name, schema] of Object.entries(route.query ?? {})) {
    const { description, ...rest } = schema as { description?: string };
    parameters.push({
      name,
      in: 'query',
      required: false,
      ...(description ? { description } : {}),
      schema: withRefs(rest, false),
    });
  }
  const mutation = route.method !== 'get';
  if (route.method === 'post' && route.idempotent !== false && route.roles !== 'public') {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Same user + key + body → the stored response is replayed (Idempotent-Replayed: true); a different body → 422',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  const status = route.response.status ?? (route.response.schema ? 200 : 204);
  const success: Record<string, unknown> = {
    description: both(route.response.description ?? { zh: '成功', en: 'OK' }),
  };
  if (route.response.schema) {
    success.content = {
      [route.response.contentType ?? 'application/json']: { schema: withRefs(route.response.schema, false) },
    };
  }
  const errorStatuses = new Set<number>([500, ...(route.errors ?? [])]);
  if (route.roles !== 'public') errorStatuses.add(401).add(403);
  if (resource.base.startsWith('/api')) errorStatuses.add(429); // request budgets (rate-limit.ts)
  if (route.params || route.query) errorStatuses.add(400);
  if (route.body || route.rawBody) [400, 413, 415, 422].forEach((s) => errorStatuses.add(s));
  if (route.method === 'post' && route.idempotent !== false && route.roles !== 'public')
    errorStatuses.add(409).add(422);
  const responses: Record<string, unknown> = { [String(status)]: success };
  for (const s of [...errorStatuses].sort())
    responses[String(s)] = { $ref: `#/components/responses/Problem${s}` };
  const op: Record<string, unknown> = {
    operationId: route.operationId,
    tags: [resource.name],
    summary: route.summary.en,
    description: `${route.summary.zh}${route.roles === 'public' ? '' : `\n\nRoles: ${route.roles.join(', ')}`}${(route.audit ?? mutation) ? '\n\nAudited.' : ''}`,
    ...(parameters.length ? { parameters } : {}),
    responses,
    security: route.roles === 'public' ? [] : [{ bearerAuth: [] }],
    ...(route.deprecated ? { deprecated: true } : {}),
  };
  if (route.rawBody) {
    const binary = { schema: { type: 'string', format: 'binary' } };
    op.requestBody = {
      required: true,
      content: Object.fromEntries(route.rawBody.contentTypes.map((type) => [type, binary])),
    };
  }
  if (route.body) {
    const empty = route.body === EmptyBody;
    op.requestBody = {
      required: !empty,
      content: { 'application/json': { schema: withRefs(route.body, false) } },
    };
  }
  return op;
}

export function buildOpenApi(resources: Resource[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const resource of resources) {
    for (const route of resource.routes) {
      const path = toOpenApiPath(`${resource.base}${route.path}`) || '/';
      (paths[path] ??= {})[route.method] = operation(resource, route);
    }
  }
  const schemas: Record<string, unknown> = {};
  for (const [schema, name] of components) schemas[name] = withRefs(schema, true);
  const problemResponses: Record<string, unknown> = {};
  for (const [status, text] of Object.entries(ERROR_TEXT)) {
    problemResponses[`Problem${status}`] = {
      description: both(text),
      ...(status === '429' ? { headers: RATE_LIMIT_HEADERS } : {}),
      content: {
        'application/problem+json': { schema: { $ref: `#/components/schemas/${components.get(Problem)}` } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OneThing service-centre API (一件事一次办)',
      version: info.version,
      description:
        'Bundled government services: bundles, applications, department tasks, incidents, evaluations, metrics and audit. ' +
        'Errors are application/problem+json with zh/en texts (Accept-Language picks title/detail; Chinese by default). ' +
        'Lists use cursor pagination: ?limit=&after= → {items, next}.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: resources.map((r) => ({ name: r.name, description: both(r.description) })),
    paths,
    components: {
      schemas,
      responses: problemResponses,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
