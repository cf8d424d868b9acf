/**
 * Every error leaves the API as application/problem+json (RFC 9457): `title` and `detail` in the
 * language the client prefers (Chinese unless Accept-Language prefers English), both languages
 * under `zh` and `en`, and `errors` naming each field with a zh/en message.
 */
import type { Request } from 'express';
import { DocConflictError } from '../domain/docs.js';
import { DomainError, type FieldProblem, type Text } from '../domain/errors.js';
import { CommandError, ConflictError, ValidationError } from '../index.js';

export type Lang = 'zh' | 'en';

export const PROBLEM_TYPE = 'application/problem+json';

/** The kinds of problem this API reports; `type` is `urn:onething:problem:<kind>`. */
export type ProblemKind =
  | 'bad-request'
  | 'invalid-json'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'state-invalid'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'validation'
  | 'idempotency-key-reused'
  | 'idempotency-in-progress'
  | 'applied-response-lost'
  | 'too-many-requests'
  | 'rate-limited'
  | 'internal';

const TITLES: Record<ProblemKind, Text & { status: number }> = {
  'bad-request': { status: 400, zh: '请求有误', en: 'Bad request' },
  'invalid-json': { status: 400, zh: '请求体不是合法的 JSON', en: 'The request body is not valid JSON' },
  unauthorized: { status: 401, zh: '未登录或登录已失效', en: 'Not authenticated' },
  forbidden: { status: 403, zh: '无权执行此操作', en: 'Forbidden' },
  'not-found': { status: 404, zh: '资源不存在', en: 'Not found' },
  'method-not-allowed': { status: 405, zh: '不支持该请求方法', en: 'Method not allowed' },
  conflict: {
    status: 409,
    zh: '数据已被他人修改，请刷新后重试',
    en: 'Changed concurrently; reload and retry',
  },
  'state-invalid': { status: 409, zh: '当前状态下不能执行此操作', en: 'Not possible in the current state' },
  'payload-too-large': { status: 413, zh: '请求体过大', en: 'Payload too large' },
  'unsupported-media-type': { status: 415, zh: '请求体类型不受支持', en: 'Unsupported media type' },
  validation: { status: 422, zh: '提交的内容有误', en: 'The request has invalid content' },
  'idempotency-key-reused': {
    status: 422,
    zh: '幂等键已用于另一个请求',
    en: 'Idempotency key reused for a different request',
  },
  'idempotency-in-progress': {
    status: 409,
    zh: '相同幂等键的请求正在处理',
    en: 'A request with this idempotency key is in progress',
  },
  'applied-response-lost': {
    status: 409,
    zh: '请求已执行，但响应已丢失',
    en: 'The request was carried out but its response was lost',
  },
  'too-many-requests': {
    status: 429,
    zh: '尝试次数过多，请稍后再试',
    en: 'Too many attempts; try again later',
  },
  'rate-limited': { status: 429, zh: '请求过于频繁', en: 'Too many requests' },
  internal: { status: 500, zh: '服务器内部错误', en: 'Internal server error' },
};

export interface FieldError {
  field: string;
  label?: Text;
  message: Text;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code?: string;
  zh: { title: string; detail: string };
  en: { title: string; detail: string };
  errors: FieldError[];
  requestId?: string;
}

/** An error the HTTP layer raises itself; the error handler turns it into a problem. */
export class HttpProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly detailText?: Text,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
    readonly statusOverride?: number,
  ) {
    super(detailText?.en ?? TITLES[kind].en);
  }
  get status(): number {
    return this.statusOverride ?? TITLES[this.kind].status;
  }
}

export const problemType = (kind: string) => `urn:onething:problem:${kind}`;

export function preferredLanguage(
  req: (Pick<Request, 'acceptsLanguages'> & { headers?: Request['headers'] }) | undefined,
): Lang {
  // No Accept-Language: negotiation would pick the first offered, zh (skipped: ~0.5% of a request).
  if (req?.headers && req.headers['accept-language'] === undefined) return 'zh';
  const picked = req?.acceptsLanguages('zh', 'zh-CN', 'en', 'en-US', 'en-GB');
  return typeof picked === 'string' && picked.startsWith('en') ? 'en' : 'zh';
}

export interface ProblemResponse {
  status: number;
  body: ProblemBody;
  headers: Record<string, string>;
}

function build(
  kind: string,
  status: number,
  title: Text,
  detail: Text,
  errors: FieldError[],
  lang: Lang,
  code?: string,
): ProblemBody {
  return {
    type: problemType(kind),
    title: title[lang],
    status,
    detail: detail[lang],
    ...(code ? { code } : {}),
    zh: { title: title.zh, detail: detail.zh },
    en: { title: title.en, detail: detail.en },
    errors,
  };
}

const fieldErrors = (problems: FieldProblem[]): FieldError[] =>
  problems.map((p) => ({ field: p.field, ...(p.label ? { label: p.label } : {}), message: p.message }));

const DOMAIN_KIND: Record<DomainError['code'], ProblemKind> = {
  badRequest: 'bad-request',
  invalid: 'validation',
  notFound: 'not-found',
  forbidden: 'forbidden',
  conflict: 'conflict',
  stateInvalid: 'state-invalid',
  tooLarge: 'payload-too-large',
};

/** Body-parser (express.json) errors carry `type` and `status`. */
interface ParserError extends Error {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Maps anything thrown below the routes to a problem. `unexpected` is true for a 500. */
export function toProblem(err: unknown, lang: Lang): ProblemResponse & { unexpected: boolean } {
  const out = (body: ProblemBody, headers: Record<string, string> = {}, unexpected = false) => ({
    status: body.status,
    body,
    headers,
    unexpected,
  });
  if (err instanceof HttpProblem) {
    const title = TITLES[err.kind];
    return out(build(err.kind, err.status, title, err.detailText ?? title, err.errors, lang), err.headers);
  }
  if (err instanceof DomainError) {
    const kind = DOMAIN_KIND[err.code] ?? 'bad-request';
    // The generic conflict title means "changed concurrently"; a domain conflict says what it is.
    const title = kind === 'conflict' ? err.text : TITLES[kind];
    return out(build(kind, err.status, title, err.text, fieldErrors(err.fieldErrors), lang, err.code));
  }
  if (err instanceof ValidationError) {
    const errors = err.problems.map((p) => ({
      field: p.elementId ? `bpmn:${p.elementId}` : 'bpmn',
      message: {
        zh: `${p.elementType} ${p.elementId || ''}：${p.message}`.trim(),
        en: `${p.elementType} ${p.elementId || ''}: ${p.message}`.trim(),
      },
    }));
    const detail = {
      zh: `流程模型有 ${errors.length} 处问题`,
      en: `the process model has ${errors.length} problem(s)`,
    };
    return out(build('validation', 422, TITLES.validation, detail, errors, lang, 'invalid'));
  }
  if (err instanceof CommandError) {
    const kind: ProblemKind = err.code === 'notFound' ? 'not-found' : 'state-invalid';
    const detail = { zh: `${TITLES[kind].zh}：${err.message}`, en: err.message };
    return out(build(kind, TITLES[kind].status, TITLES[kind], detail, [], lang, err.code));
  }
  if (err instanceof ConflictError || err instanceof DocConflictError) {
    return out(build('conflict', 409, TITLES.conflict, TITLES.conflict, [], lang, 'conflict'));
  }
  const parser = err as ParserError;
  if (
    parser &&
    typeof parser === 'object' &&
    typeof parser.type === 'string' &&
    typeof parser.status === 'number'
  ) {
    switch (parser.type) {
      case 'entity.parse.failed': {
        const detail = {
          zh: `请求体不是合法的 JSON：${parser.message}`,
          en: `the request body is not valid JSON: ${parser.message}`,
        };
        return out(
          build(
            'invalid-json',
            400,
            TITLES['invalid-json'],
            detail,
            [{ field: 'body', message: detail }],
            lang,
          ),
        );
      }
      case 'entity.too.large': {
        const limit = (parser as ParserError & { limit?: number }).limit;
        const detail = limit
          ? { zh: `请求体超过上限 ${limit} 字节`, en: `the request body exceeds the limit of ${limit} bytes` }
          : TITLES['payload-too-large'];
        return out(build('payload-too-large', 413, TITLES['payload-too-large'], detail, [], lang));
      }
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return out(
          build(
            'unsupported-media-type',
            415,
            TITLES['unsupported-media-type'],
            TITLES['unsupported-media-type'],
            [],
            lang,
          ),
        );
      default:
        if (parser.status >= 400 && parser.status < 500 && parser.expose) {
          return out(
            build(
              'bad-request',
              parser.status,
              TITLES['bad-request'],
              { zh: parser.message, en: parser.message },
              [],
              lang,
            ),
          );
        }
    }
  }
  // Framework errors that already know they are the client's fault (a malformed %-escape in the
  // path, an undecodable Content-Encoding) carry a 4xx status without a body-parser type.
  const status =
    (err as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const detail = {
      zh: '请求无法解析：路径或内容编码有误',
      en: 'the request could not be decoded: its path or content encoding is malformed',
    };
    return out(build('bad-request', status, TITLES['bad-request'], detail, [], lang));
  }
  return out(
    build(
      'internal',
      500,
      TITLES.internal,
      {
        zh: '请求未能完成，请稍后再试或联系管理员',
        en: 'the request could not be completed; try again later or contact the administrator',
      },
      [],
      lang,
    ),
    {},
    true,
  );
}

export function problemFor(
  kind: ProblemKind,
  lang: Lang,
  detail?: Text,
  errors: FieldError[] = [],
): ProblemBody {
  return build(kind, TITLES[kind].status, TITLES[kind], detail ?? TITLES[kind], errors, lang);
}

export const problemTitle = (kind: ProblemKind) => TITLES[kind];
