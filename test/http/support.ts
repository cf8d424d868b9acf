/**
 * Test harness for the HTTP API: the real express app on an ephemeral port, called with fetch.
 * Tokens are issued directly by the app's TokenService (the log-in route has its own tests).
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { CentreApi } from '../../engine/src/applications/api.js';
import { AuditLog } from '../../engine/src/audit/index.js';
import { DomainError } from '../../engine/src/domain/errors.js';
import { MemoryDocStore, type DocStore } from '../../engine/src/domain/docs.js';
import { TokenService } from '../../engine/src/http/auth/tokens.js';
import { UserDirectory } from '../../engine/src/http/auth/users.js';
import { createApp, type AppDeps, type OneThingApp } from '../../engine/src/http/app.js';
import { createLogger } from '../../engine/src/http/logging.js';
import { createEngine, type Engine } from '../../engine/src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** A CentreApi whose methods answer 404 unless a test gives them a body. */
export function stubCentre(overrides: Partial<CentreApi> = {}): CentreApi {
  return new Proxy(overrides as CentreApi, {
    get(target, name) {
      if (name in target) return target[name as keyof CentreApi];
      return async () => {
        throw new DomainError('notFound', {
          zh: `桩未实现 ${String(name)}`,
          en: `stub has no ${String(name)}`,
        });
      };
    },
  });
}

export interface Response<T = Json> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestServer {
  base: string;
  app: OneThingApp;
  docs: DocStore;
  audit: AuditLog;
  engine: Engine;
  users: UserDirectory;
  tokens: TokenService;
  logs: string[];
  token(username: string): Promise<string>;
  call<T = Json>(
    method: string,
    path: string,
    options?: { as?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Response<T>>;
  close(): Promise<void>;
}

export async function startServer(
  options: Partial<AppDeps> & { centre?: CentreApi } = {},
): Promise<TestServer> {
  const docs = options.docs ?? new MemoryDocStore();
  const engine = options.engine ?? createEngine();
  const users = options.users ?? UserDirectory.fromFile();
  const tokens = options.tokens ?? new TokenService(TEST_SECRET);
  const audit = options.audit ?? new AuditLog(docs, options.clock);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = createApp({
    defaultMetrics: false,
    ...options,
    centre: options.centre ?? stubCentre(),
    docs,
    engine,
    users,
    tokens,
    audit,
    logger: options.logger ?? createLogger({ level: 'info', destination }),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cache = new Map<string, string>();
  const token = async (username: string) => {
    let t = cache.get(username);
    if (!t) {
      const actor = users.get(username);
      if (!actor) throw new Error(`no demo user ${username}`);
      t = (await tokens.issue(actor)).access_token;
      cache.set(username, t);
    }
    return t;
  };
  const call: TestServer['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.as) headers.authorization = `Bearer ${await token(o.as)}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    if (o.as && path === '/api/auth/logout' && res.status === 204) cache.delete(o.as); // revoked now
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed as Json, text };
  };
  return {
    base,
    app,
    docs,
    audit,
    engine,
    users,
    tokens,
    logs,
    token,
    call,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** Checks the response is a problem+json of `status` in both languages. */
export function expectProblem(res: Response, status: number): Json {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(res.body.zh.title).toEqual(expect.any(String));
  expect(res.body.en.title).toEqual(expect.any(String));
  expect(Array.isArray(res.body.errors)).toBe(true);
  return res.body;
}
