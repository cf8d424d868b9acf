/**
 * The network routes through the real request pipeline (http/pipeline.ts: tokens, roles, ajv,
 * problem+json, audit). app.ts builds its resource list itself, so the routes are mounted here
 * the way app.ts mounts its own; once networkResources is in that list, createApp serves them.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import express from 'express';
import { Centre } from '../applications/centre.js';
import { workingTimeLimits } from '../applications/working-time.js';
import { AuditLog } from '../audit/index.js';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore } from '../domain/docs.js';
import { TokenService } from '../http/auth/tokens.js';
import { IdempotencyStore } from '../http/idempotency.js';
import { createLogger } from '../http/logging.js';
import { Metrics } from '../http/metrics.js';
import { buildOpenApi } from '../http/openapi.js';
import { routeHandler } from '../http/pipeline.js';
import { createEngine } from '../index.js';
import { samples } from '../../../forms/src/testing/samples.js';
import { createNetworkServices, networkResources } from './http.js';
import { jurisdictionRegion, loadNetworkFile, routeApplication, ZHUHAI_NETWORK_FILE } from './index.js';

// Tuesday 2026-11-24 08:50 CST
const T0 = Date.UTC(2026, 10, 24, 0, 50);
const network = loadNetworkFile(ZHUHAI_NETWORK_FILE);
const example = (code: string) => ({
  bundle: JSON.parse(readFileSync(new URL(`../../../examples/${code}/bundle.json`, import.meta.url), 'utf8')),
  xml: readFileSync(new URL(`../../../examples/${code}/process.bpmn`, import.meta.url), 'utf8'),
});
const { situation, ...DATA } = samples['business-startup']!;
const ANSWERS = situation as Record<string, unknown>;

const actors: Record<string, Actor> = {
  analyst: { userId: 'analyst', name: '配置', role: 'analyst', region: '440400' },
  clerk: {
    userId: 'clerk-bj',
    name: '白蕉窗口',
    role: 'clerk',
    region: '440403102',
    venue: 'baijiao-centre',
  },
  applicant: { userId: 'zhang', name: '张三', role: 'applicant' },
  other: { userId: 'li', name: '李四', role: 'applicant' },
  supervisor: { userId: 'sup', name: '市监察', role: 'supervisor', region: '440400' },
  clerkXz: {
    userId: 'clerk-xz',
    name: '香洲窗口',
    role: 'clerk',
    region: '440402',
    venue: 'xiangzhou-centre',
  },
  supervisorDm: { userId: 'sup-dm', name: '斗门监察', role: 'supervisor', region: '440403' },
};

let now = T0;
let base = '';
let close: () => Promise<void>;
let resources: ReturnType<typeof networkResources>;
let centre: Centre;
let audit: AuditLog;
const docs = new MemoryDocStore();
const tokens = new TokenService('network-test-secret-network-test-secret-0123');

beforeAll(async () => {
  const clock = () => now;
  centre = new Centre({ engine: createEngine({ clock }), docs, timeLimits: workingTimeLimits(), clock });
  await centre.deployBundle(actors.analyst!, example('business-startup'));
  audit = new AuditLog(docs, clock);
  const services = createNetworkServices({ docs, network, bundles: centre.bundles, clock });
  const deps = {
    tokens,
    audit,
    idempotency: new IdempotencyStore(docs, clock),
    metrics: new Metrics({}, { defaultMetrics: false }),
    logger: createLogger({ level: 'silent' }),
  };
  const app = express();
  app.set('query parser', 'simple');
  resources = networkResources(services);
  for (const resource of resources) {
    const router = express.Router({ mergeParams: true });
    for (const route of resource.routes)
      router[route.method](route.path || '/', routeHandler(resource, route, deps));
    app.use(resource.base, router);
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(() => close());

async function call(method: string, path: string, options: { as?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.as) headers.authorization = `Bearer ${(await tokens.issue(actors[options.as]!)).access_token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text ? JSON.parse(text) : undefined,
  };
}

describe('network HTTP routes', () => {
  it('documents every route in a valid OpenAPI 3.1 document (DELETE included, public routes without security)', async () => {
    const doc = buildOpenApi(resources, { version: 'test' }) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect((await new Validator().validate(doc)).valid).toBe(true);
    expect(Object.keys(doc.paths['/api/appointments/{id}']!)).toEqual(['delete']);
    expect(doc.paths['/api/guides/{bundleCode}']!.get!.security).toEqual([]);
  });

  it('regions and venues are public; venues filter by bundle and sort by region', async () => {
    const regions = await call('GET', '/api/network/regions?parent=440400');
    expect(regions.status).toBe(200);
    expect(regions.body.items.map((r: { code: string }) => r.code)).toEqual([
      '440402',
      '440403',
      '440404',
      '440491',
      '440492',
    ]);
    const venues = await call('GET', '/api/network/venues?region=440403102001&bundle=business-startup');
    expect(venues.body.items[0]).toMatchObject({
      id: 'baijiao-centre',
      appointments: true,
      windowTypes: ['comprehensive', 'social'],
    });
    const bad = await call('GET', '/api/network/venues?region=abc');
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect((await call('GET', '/api/network/venues?region=110105')).status).toBe(404);
  });

  it('slots, booking, my appointments, cancelling with DELETE; roles and ownership enforced', async () => {
    const slots = await call(
      'GET',
      '/api/appointments/slots?venue=baijiao-centre&windowType=comprehensive&date=2026-11-25',
    );
    expect(slots.status).toBe(200);
    expect(slots.body.items[0]).toMatchObject({ start: '08:30', capacity: 4, available: 4 });
    const body = {
      venue: 'baijiao-centre',
      windowType: 'comprehensive',
      date: '2026-11-25',
      start: '08:30',
      bundleCode: 'business-startup',
    };
    expect((await call('POST', '/api/appointments', { body })).status).toBe(401);
    expect((await call('POST', '/api/appointments', { as: 'supervisor', body })).status).toBe(403);
    expect(
      (await call('POST', '/api/appointments', { as: 'applicant', body: { ...body, start: '8:30' } })).status,
    ).toBe(422);
    const booked = await call('POST', '/api/appointments', { as: 'applicant', body });
    expect(booked.status).toBe(201);
    expect((await call('POST', '/api/appointments', { as: 'applicant', body })).status).toBe(409);
    const mine = await call('GET', '/api/appointments', { as: 'applicant' });
    expect(mine.body.items.map((a: { id: string }) => a.id)).toEqual([booked.body.id]);
    expect((await call('DELETE', `/api/appointments/${booked.body.id}`, { as: 'other' })).status).toBe(404);
    const cancelled = await call('DELETE', `/api/appointments/${booked.body.id}`, { as: 'applicant' });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    const audited = await docs.find<
      { action: string; target: string; outcome: string } & { id: string; rev: number }
    >('audit', {});
    expect(audited.filter((e) => e.action === 'appointments.cancel').map((e) => e.outcome)).toEqual([
      'rejected',
      'ok',
    ]);
  });

  it('tickets: issue at the door, call at a window (green first), figures for supervisors', async () => {
    const walkIn = await call('POST', '/api/tickets', {
      as: 'clerk',
      body: { venue: 'baijiao-centre', windowType: 'comprehensive' },
    });
    expect(walkIn).toMatchObject({ status: 201, body: { number: 'A001', priority: 'normal' } });
    const green = await call('POST', '/api/tickets', {
      as: 'clerk',
      body: { venue: 'baijiao-centre', windowType: 'comprehensive', greenChannel: 'disabled' },
    });
    expect(
      (
        await call('POST', '/api/tickets', {
          as: 'clerk',
          body: { venue: 'doumen-centre', windowType: 'comprehensive' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', '/api/tickets', {
          as: 'applicant',
          body: { venue: 'baijiao-centre', windowType: 'comprehensive' },
        })
      ).status,
    ).toBe(403);
    now += 12 * 60_000;
    const first = await call('POST', '/api/tickets/call', {
      as: 'clerk',
      body: { venue: 'baijiao-centre', window: 'A01' },
    });
    expect(first.body.ticket).toMatchObject({
      id: green.body.id,
      status: 'called',
      window: 'A01',
      waitMinutes: 12,
    });
    now += 8 * 60_000;
    const second = await call('POST', '/api/tickets/call', {
      as: 'clerk',
      body: { venue: 'baijiao-centre', window: 'A01' },
    });
    expect(second.body).toMatchObject({
      ticket: { id: walkIn.body.id },
      finished: { id: green.body.id, status: 'served', serviceMinutes: 8 },
    });
    const waiting = await call('GET', '/api/tickets/waiting', { as: 'clerk' });
    expect(waiting.body.items).toEqual([]);
    const stats = await call('GET', '/api/tickets/stats?from=2026-11-24', { as: 'supervisor' });
    expect(stats.status).toBe(200);
    expect(stats.body.byWindowType[0]).toMatchObject({
      windowType: 'comprehensive',
      issued: 2,
      served: 1,
      inService: 1,
      averageWaitMinutes: 16,
    });
    expect((await call('GET', '/api/tickets/stats', { as: 'applicant' })).status).toBe(403);
  });

  it("the waiting board: only of a venue in the caller's region (as the figures), without user ids or green-channel reasons", async () => {
    const issued = await call('POST', '/api/tickets', {
      as: 'clerkXz',
      body: {
        venue: 'xiangzhou-centre',
        windowType: 'comprehensive',
        greenChannel: 'pregnant',
        userId: 'zhang',
      },
    });
    expect(issued).toMatchObject({ status: 201, body: { priority: 'green', greenReason: 'pregnant' } });
    for (const [as, venue] of [
      ['clerk', 'xiangzhou-centre'], // 斗门 白蕉's clerk
      ['supervisorDm', 'xiangzhou-centre'], // 斗门's supervisor
      ['clerk', 'doumen-centre'], // a clerk sees their own venue's, as in the figures
    ] as const) {
      const refused = await call('GET', `/api/tickets/waiting?venue=${venue}`, { as });
      expect(refused.status).toBe(403);
      expect(refused.type).toMatch(/^application\/problem\+json/);
      expect(refused.body.zh.detail).toMatch(/[\u4e00-\u9fff]/);
    }
    expect((await call('GET', '/api/tickets/waiting?venue=no-such-venue', { as: 'supervisor' })).status).toBe(
      404,
    );
    for (const [as, query] of [
      ['clerkXz', ''],
      ['supervisor', '?venue=xiangzhou-centre'],
    ] as const) {
      const board = await call('GET', `/api/tickets/waiting${query}`, { as });
      expect(board.status).toBe(200);
      expect(board.body.items).toEqual([
        expect.objectContaining({ id: issued.body.id, number: issued.body.number, priority: 'green' }),
      ]);
      expect(board.body.items[0]).not.toHaveProperty('userId');
      expect(board.body.items[0]).not.toHaveProperty('greenReason');
      expect(board.body.items[0]).not.toHaveProperty('issuedBy');
    }
  });

  it('the public guide: no sign-in, answers in the query string change the materials', async () => {
    const leased = await call(
      'GET',
      `/api/guides/business-startup?answers=${encodeURIComponent(JSON.stringify(ANSWERS))}&region=440403102`,
    );
    expect(leased.status).toBe(200);
    expect(leased.body.bundle).toMatchObject({ code: 'business-startup', version: 1 });
    expect(leased.body.materials.map((m: { id: string }) => m.id)).toContain('premisesProof');
    const cluster = await call(
      'GET',
      `/api/guides/business-startup?answers=${encodeURIComponent(JSON.stringify({ ...ANSWERS, premises: 'cluster' }))}`,
    );
    expect(cluster.body.materials.map((m: { id: string }) => m.id)).toEqual(
      expect.arrayContaining(['clusterConsent']),
    );
    expect(cluster.body.materials.map((m: { id: string }) => m.id)).not.toContain('premisesProof');
    expect(leased.body.venues[0].id).toBe('baijiao-centre');
    expect((await call('GET', '/api/guides/business-startup?answers=%5B1%5D')).status).toBe(400);
    expect((await call('GET', '/api/guides/no-such-bundle')).status).toBe(404);
  });

  it('the Centre as it is: an application taken at a Doumen town centre for premises in Xiangzhou routes its district items there', async () => {
    const app = await centre.createApplication(actors.clerk!, {
      bundleCode: 'business-startup',
      answers: ANSWERS,
      data: DATA,
      applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232', userId: 'zhang' },
    });
    expect(app.venue).toBe('baijiao-centre');
    const region = jurisdictionRegion(network, { data: app.data, venue: app.venue! })!;
    expect(region).toBe('440402');
    const routing = routeApplication(network, {
      venue: app.venue!,
      bundleCode: app.bundleCode,
      region,
      items: app.items.map((i) => ({ code: i.item, department: i.department })),
    });
    expect(routing.items.find((i) => i.item === 'enterprise-registration')).toMatchObject({
      decidingDepartment: '440402-market-regulation',
      decidingVenue: 'xiangzhou-centre',
      crossRegion: true,
    });
  });
});
