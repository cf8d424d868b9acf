/**
 * The Idempotency-Key fingerprint takes the full path: two resources mounted at different bases
 * with the same relative route (POST /items) are two requests, not one. Two test resources served
 * by the real route pipeline (routeHandler), mounted the way createApp mounts its own.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AuditLog } from '../../engine/src/audit/index.js';
import type { Actor } from '../../engine/src/domain/actor.js';
import { MemoryDocStore } from '../../engine/src/domain/docs.js';
import { TokenService } from '../../engine/src/http/auth/tokens.js';
import { fingerprintPath, IdempotencyStore } from '../../engine/src/http/idempotency.js';
import { createLogger } from '../../engine/src/http/logging.js';
import { Metrics } from '../../engine/src/http/metrics.js';
import { routeHandler } from '../../engine/src/http/pipeline.js';
import { reply, type Resource } from '../../engine/src/http/route.js';
import { objectOf, text } from '../../engine/src/http/schemas.js';

const clerk: Actor = { userId: 'clerk1', name: '窗口', role: 'clerk' };
const tokens = new TokenService('idempotency-mounts-secret-0123456789-abcdef');
const docs = new MemoryDocStore();
let base = '';
let close: () => Promise<void>;
let done = 0;

/** A resource at `mount` whose POST /items creates an item (counted) and answers where. */
const itemsAt = (name: string, mount: string): Resource => ({
  name,
  description: { zh: name, en: name },
  base: mount,
  routes: [
    {
      method: 'post',
      path: '/items',
      operationId: `${name}.create`,
      summary: { zh: '新建', en: 'Create' },
      roles: ['clerk'],
      body: objectOf({ note: text(50) }, ['note']),
      response: { status: 201 },
      target: () => `${name}:items`,
      handler: async () => reply({ status: 201, body: { created: `${mount}/items/${++done}` } }),
    },
  ],
});

beforeAll(async () => {
  const deps = {
    tokens,
    audit: new AuditLog(docs),
    idempotency: new IdempotencyStore(docs),
    metrics: new Metrics({}, { defaultMetrics: false }),
    logger: createLogger({ level: 'silent' }),
  };
  const app = express();
  for (const resource of [itemsAt('licences', '/api/licences'), itemsAt('payments', '/api/payments')]) {
    const router = express.Router({ mergeParams: true });
    for (const route of resource.routes)
      router[route.method](route.path, routeHandler(resource, route, deps));
    app.use(resource.base, router);
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(() => close());

const post = async (path: string, key: string) => {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${(await tokens.issue(clerk)).access_token}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify({ note: 'same body' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('the same key and body sent to the same route under another mount is refused, not answered with the first response', async () => {
  const first = await post('/api/licences/items', 'k-1');
  expect(first).toEqual({ status: 201, body: { created: '/api/licences/items/1' } });
  expect(await post('/api/licences/items', 'k-1')).toEqual(first); // replayed, not run again
  const other = await post('/api/payments/items', 'k-1');
  expect(other.status).toBe(422);
  expect(other.body.type).toMatch(/idempotency-key-reused/);
  expect(done).toBe(1);
});

test('fingerprintPath is the path the client sent, without the query', () => {
  expect(fingerprintPath({ originalUrl: '/api/payments/items?x=1' })).toBe('/api/payments/items');
  expect(fingerprintPath({ originalUrl: '/api/payments/items' })).toBe('/api/payments/items');
});
