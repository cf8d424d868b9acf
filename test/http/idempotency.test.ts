/** Idempotency-Key: same user + key + body → the stored response; other body → 422. */
import { IDEMPOTENCY } from '../../engine/src/http/idempotency.js';
import { expectProblem, startServer, stubCentre, type TestServer } from './support.js';

let s: TestServer;
let calls = 0;
const created = new Map<string, unknown>();
beforeAll(async () => {
  s = await startServer({
    centre: stubCentre({
      async createApplication(actor, input) {
        calls++;
        await new Promise((r) => setTimeout(r, 30));
        const app = {
          id: `app-${calls}`,
          number: `N${calls}`,
          bundleCode: input.bundleCode,
          status: 'draft',
          createdBy: actor.userId,
        };
        created.set(app.id, app);
        return app as never;
      },
      async getApplication(_actor, id) {
        return created.get(id) as never;
      },
    }),
  });
});
afterAll(() => s.close());

const body = (code = 'newborn') => ({
  bundleCode: code,
  applicant: { kind: 'person', name: '张三', idNumber: '440305199001011234' },
});

describe('Idempotency-Key', () => {
  it('replays the stored response for the same user, key and body, running the command once', async () => {
    const before = calls;
    const first = await s.call('POST', '/api/applications', {
      as: 'clerk1',
      body: body(),
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(first.status).toBe(201);
    const again = await s.call('POST', '/api/applications', {
      as: 'clerk1',
      body: body(),
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(calls).toBe(before + 1);
    // The key is stored in the DocStore collection `idempotency`.
    expect((await s.docs.find(IDEMPOTENCY)).length).toBeGreaterThan(0);
  });

  it('the same key with a different body → 422', async () => {
    await s.call('POST', '/api/applications', {
      as: 'clerk1',
      body: body(),
      headers: { 'idempotency-key': 'k-2' },
    });
    const p = expectProblem(
      await s.call('POST', '/api/applications', {
        as: 'clerk1',
        body: body('restaurant'),
        headers: { 'idempotency-key': 'k-2' },
      }),
      422,
    );
    expect(p.type).toBe('urn:onething:problem:idempotency-key-reused');
  });

  it('keys are per user', async () => {
    const before = calls;
    const a = await s.call('POST', '/api/applications', {
      as: 'clerk1',
      body: body(),
      headers: { 'idempotency-key': 'shared' },
    });
    const b = await s.call('POST', '/api/applications', {
      as: 'applicant1',
      body: body(),
      headers: { 'idempotency-key': 'shared' },
    });
    expect(a.body.id).not.toBe(b.body.id);
    expect(calls).toBe(before + 2);
  });

  it('a concurrent duplicate gets 409 while the first runs; no key → no replay', async () => {
    const [x, y] = await Promise.all([
      s.call('POST', '/api/applications', {
        as: 'clerk2',
        body: body(),
        headers: { 'idempotency-key': 'race' },
      }),
      s.call('POST', '/api/applications', {
        as: 'clerk2',
        body: body(),
        headers: { 'idempotency-key': 'race' },
      }),
    ]);
    expect([x.status, y.status].sort()).toEqual([201, 409]);
    const before = calls;
    await s.call('POST', '/api/applications', { as: 'clerk2', body: body() });
    await s.call('POST', '/api/applications', { as: 'clerk2', body: body() });
    expect(calls).toBe(before + 2);
  });

  it('error responses are stored and replayed too; a malformed key → 400', async () => {
    const bad = { bundleCode: 'x' };
    const first = expectProblem(
      await s.call('POST', '/api/applications', {
        as: 'clerk1',
        body: bad,
        headers: { 'idempotency-key': 'k-err' },
      }),
      422,
    );
    const again = await s.call('POST', '/api/applications', {
      as: 'clerk1',
      body: bad,
      headers: { 'idempotency-key': 'k-err' },
    });
    expect(again.status).toBe(422);
    expect(again.headers.get('content-type')).toMatch(/problem\+json/);
    expect(again.body.errors).toEqual(first.errors);
    expectProblem(
      await s.call('POST', '/api/applications', {
        as: 'clerk1',
        body: body(),
        headers: { 'idempotency-key': 'x'.repeat(300) },
      }),
      400,
    );
  });
});
