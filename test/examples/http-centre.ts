/**
 * The example scenarios over the HTTP API: a Centre whose front-desk, department and reading
 * methods go through the real express app (tokens, validation, problem+json, audit); deploying
 * and the periodic sweep, which have no route, stay in process.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Centre } from '../../engine/src/applications/centre.js';
import type { Actor } from '../../engine/src/domain/actor.js';
import { DomainError, type DomainErrorCode } from '../../engine/src/domain/errors.js';
import type { DocStore } from '../../engine/src/domain/docs.js';
import { createApp } from '../../engine/src/http/app.js';
import { TokenService } from '../../engine/src/http/auth/tokens.js';
import { UserDirectory } from '../../engine/src/http/auth/users.js';
import { createLogger } from '../../engine/src/http/logging.js';
import type { Engine } from '../../engine/src/index.js';

type Json = Record<string, unknown>;

export interface HttpCentre {
  centre: Centre;
  close(): Promise<void>;
}

/** Wraps `inner` so its API-reachable methods are called over HTTP. */
export async function httpCentre(inner: Centre, engine: Engine, docs: DocStore): Promise<HttpCentre> {
  const tokens = new TokenService('example-scenarios-secret-0123456789abcdef');
  const app = createApp({
    centre: inner,
    engine,
    docs,
    tokens,
    users: UserDirectory.fromFile(),
    defaultMetrics: false,
    logger: createLogger({ level: 'silent' }),
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cache = new Map<string, string>();

  async function call(actor: Actor, method: string, path: string, body?: unknown): Promise<Json> {
    const key = JSON.stringify(actor);
    let token = cache.get(key);
    if (!token) cache.set(key, (token = (await tokens.issue(actor)).access_token));
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Json;
    if (res.status >= 400) {
      // The problem+json carries the domain code and the field errors: rebuild the domain error.
      const problem = json as {
        code?: DomainErrorCode;
        zh?: { detail: string };
        en?: { detail: string };
        errors?: [];
      };
      throw new DomainError(
        problem.code ?? 'invalid',
        { zh: problem.zh?.detail ?? '', en: problem.en?.detail ?? `HTTP ${res.status}` },
        problem.errors ?? [],
      );
    }
    return json;
  }

  const id = (value: string) => encodeURIComponent(value);
  const query = (filter: Record<string, unknown>) =>
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&');

  const overHttp: Partial<Record<keyof Centre, (...args: never[]) => Promise<unknown>>> = {
    createApplication: (actor: Actor, input: unknown) => call(actor, 'POST', '/api/applications', input),
    updateApplication: (actor: Actor, app: string, input: unknown) =>
      call(actor, 'PATCH', `/api/applications/${id(app)}`, input),
    submit: (actor: Actor, app: string) => call(actor, 'POST', `/api/applications/${id(app)}/submit`),
    accept: (actor: Actor, app: string, input: unknown) =>
      call(actor, 'POST', `/api/applications/${id(app)}/accept`, input),
    supplement: (actor: Actor, app: string, input: unknown) =>
      call(actor, 'POST', `/api/applications/${id(app)}/supplement`, input),
    issueNotice: (actor: Actor, app: string) => call(actor, 'POST', `/api/applications/${id(app)}/notice`),
    deliver: (actor: Actor, app: string, input: unknown) =>
      call(actor, 'POST', `/api/applications/${id(app)}/deliver`, input),
    evaluate: (actor: Actor, app: string, input: unknown) =>
      call(actor, 'POST', `/api/applications/${id(app)}/evaluation`, input),
    getApplication: (actor: Actor, app: string) => call(actor, 'GET', `/api/applications/${id(app)}`),
    listTasks: (actor: Actor, filter: Record<string, unknown>) =>
      call(actor, 'GET', `/api/tasks?${query(filter ?? {})}`),
    getTask: (actor: Actor, task: string) => call(actor, 'GET', `/api/tasks/${id(task)}`),
    claim: (actor: Actor, task: string) => call(actor, 'POST', `/api/tasks/${id(task)}/claim`, {}),
    approve: (actor: Actor, task: string, input: unknown) =>
      call(actor, 'POST', `/api/tasks/${id(task)}/approve`, input ?? {}),
    reject: (actor: Actor, task: string, input: unknown) =>
      call(actor, 'POST', `/api/tasks/${id(task)}/reject`, input),
    requestSupplement: (actor: Actor, task: string, input: unknown) =>
      call(actor, 'POST', `/api/tasks/${id(task)}/request-supplement`, input),
  };

  const centre = new Proxy(inner, {
    get(target, name, receiver) {
      const remote = overHttp[name as keyof Centre];
      return remote ?? Reflect.get(target, name, receiver);
    },
  });
  return { centre, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
