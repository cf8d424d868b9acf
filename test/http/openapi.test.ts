/** The OpenAPI document validates, lists every route of the table, and /healthz, /metrics answer. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { startServer, stubCentre, type TestServer } from './support.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ centre: stubCentre({ retireBundle: async () => [] }), defaultMetrics: true });
});
afterAll(() => s.close());

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await s.call('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2).slice(0, 4000));
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every route, with the same request schemas the routes validate with', async () => {
    const doc = (await s.call('GET', '/api/openapi.json')).body;
    const table = s.app.locals.onething.resources.flatMap((r) => r.routes.map((route) => ({ r, route })));
    const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const expected = table.map(
      ({ r, route }) =>
        `${route.method.toUpperCase()} ${`${r.base}${route.path}`.replace(/:(\w+)/g, '{$1}')}`,
    );
    expect(listed.sort()).toEqual(expected.sort());
    for (const want of [
      'POST /api/auth/token',
      'GET /api/bundles',
      'POST /api/bundles',
      'GET /api/bundles/{code}',
      'POST /api/bundles/{code}/retire',
      'POST /api/bundles/{code}/form',
      'POST /api/applications',
      'GET /api/applications',
      'GET /api/applications/{id}',
      'PATCH /api/applications/{id}',
      ...['submit', 'accept', 'return', 'refuse', 'notice', 'supplement', 'deliver', 'evaluation'].map(
        (a) => `POST /api/applications/{id}/${a}`,
      ),
      'GET /api/tasks',
      'GET /api/tasks/{id}',
      ...['claim', 'approve', 'reject', 'request-supplement', 'post-check'].map(
        (a) => `POST /api/tasks/{id}/${a}`,
      ),
      'GET /api/incidents',
      'POST /api/incidents/{instanceId}/retry',
      'GET /api/audit',
      'GET /api/audit/verify',
      'GET /api/openapi.json',
      'GET /healthz',
      'GET /metrics',
    ]) {
      expect(listed).toContain(want);
    }
    const accept = doc.paths['/api/applications/{id}/accept'].post;
    expect(accept.requestBody.content['application/json'].schema.properties.materials.items).toEqual({
      $ref: '#/components/schemas/MaterialInput',
    });
    expect(accept.responses['422']).toEqual({ $ref: '#/components/responses/Problem422' });
    expect(accept.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'Idempotency-Key']);
    expect(doc.components.schemas.Problem.required).toContain('errors');
  });
});

describe('/healthz and /metrics', () => {
  it('healthz says ok', async () => {
    const res = await s.call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('metrics expose HTTP durations by route template and domain counters', async () => {
    await s.call('POST', '/api/bundles/newborn/retire', { as: 'analyst1' });
    await s.call('GET', '/api/bundles/x', { as: 'clerk1' });
    const res = await s.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /onething_http_request_duration_seconds_bucket\{.*route="\/api\/bundles\/:code\/retire".*\}/,
    );
    expect(res.text).toMatch(/onething_commands_total\{action="bundles.retire",outcome="ok"\} 1/);
    expect(res.text).toMatch(/onething_incidents 0/);
    expect(res.text).toMatch(/onething_process_cpu_user_seconds_total/);
  });

  it('security headers from helmet, no x-powered-by, no CORS by default', async () => {
    const res = await fetch(`${s.base}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
