import { SignJWT } from 'jose';
import { hashPassword, verifyPassword } from '../../engine/src/http/auth/passwords.js';
import { loadJwtSecret, TokenService } from '../../engine/src/http/auth/tokens.js';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectProblem, startServer, TEST_SECRET, type TestServer } from './support.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('POST /api/auth/token', () => {
  it('gives a clerk a token that /api/auth/me reads back', async () => {
    const res = await s.call('POST', '/api/auth/token', {
      body: { username: 'clerk1', password: 'clerk1pass' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 8 * 3600,
      user: { userId: 'clerk1', role: 'clerk', region: '440402', venue: 'xiangzhou-centre' },
    });
    const me = await s.call('GET', '/api/auth/me', {
      headers: { authorization: `Bearer ${res.body.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ userId: 'clerk1', role: 'clerk' });
  });

  it('has demo users for every role and several departments', () => {
    const actors = s.users.list();
    for (const role of ['analyst', 'clerk', 'department', 'supervisor', 'applicant'])
      expect(actors.some((a) => a.role === role)).toBe(true);
    const departments = new Set(actors.filter((a) => a.role === 'department').map((a) => a.department));
    for (const d of ['market-regulation', 'tax', 'public-security', 'hrss'])
      expect(departments.has(d)).toBe(true);
    expect(actors.filter((a) => a.role === 'applicant')).toHaveLength(2);
  });

  it('refuses a wrong password or an unknown user alike, as problem+json, and audits the attempt', async () => {
    const wrong = expectProblem(
      await s.call('POST', '/api/auth/token', { body: { username: 'clerk1', password: 'nope' } }),
      401,
    );
    const unknown = expectProblem(
      await s.call('POST', '/api/auth/token', { body: { username: 'nobody', password: 'nope' } }),
      401,
    );
    expect(wrong.detail).toBe(unknown.detail);
    const page = await s.audit.list({ action: 'auth.token' });
    expect(page.items.some((e) => e.target === 'user:nobody' && e.outcome === 'rejected')).toBe(true);
  });

  it('names missing fields', async () => {
    const p = expectProblem(await s.call('POST', '/api/auth/token', { body: { username: 'clerk1' } }), 422);
    expect(p.errors).toEqual([{ field: 'body.password', message: { zh: '必填', en: 'is required' } }]);
  });

  it('locks a username after ten failures', async () => {
    for (let i = 0; i < 10; i++)
      await s.call('POST', '/api/auth/token', { body: { username: 'applicant2', password: `bad${i}` } });
    const res = await s.call('POST', '/api/auth/token', {
      body: { username: 'applicant2', password: 'applicant2pass' },
    });
    expectProblem(res, 429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('bearer tokens', () => {
  it('401 without a token, with WWW-Authenticate', async () => {
    const res = await s.call('GET', '/api/bundles');
    expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('401 for a tampered, foreign-key or expired token', async () => {
    const good = await s.token('clerk1');
    const [h, p, sig] = good.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'supervisor' })).toString('base64url')}.${sig}`;
    expectProblem(
      await s.call('GET', '/api/auth/me', { headers: { authorization: `Bearer ${forged}` } }),
      401,
    );
    const other = await new TokenService('another-secret-another-secret-another-secret').issue(
      s.users.get('clerk1')!,
    );
    expectProblem(
      await s.call('GET', '/api/auth/me', { headers: { authorization: `Bearer ${other.access_token}` } }),
      401,
    );
    const expired = await new SignJWT({ role: 'clerk' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('clerk1')
      .setIssuer('onething')
      .setAudience('onething-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_SECRET));
    const res = await s.call('GET', '/api/auth/me', {
      headers: { authorization: `Bearer ${expired}`, 'accept-language': 'en' },
    });
    expect(expectProblem(res, 401).detail).toMatch(/expired/);
    expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('rejects alg none and other algorithms', async () => {
    const claims = {
      sub: 'clerk1',
      role: 'supervisor',
      iss: 'onething',
      aud: 'onething-api',
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expectProblem(await s.call('GET', '/api/auth/me', { headers: { authorization: `Bearer ${none}` } }), 401);
  });

  it('401 for a correctly signed token without a jti (it could never be revoked)', async () => {
    const sign = (jti?: string) => {
      const jwt = new SignJWT({ role: 'clerk' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('clerk1')
        .setIssuer('onething')
        .setAudience('onething-api')
        .setIssuedAt()
        .setExpirationTime('10m');
      return (jti ? jwt.setJti(jti) : jwt).sign(new TextEncoder().encode(TEST_SECRET));
    };
    const me = async (token: string) =>
      s.call('GET', '/api/auth/me', { headers: { authorization: `Bearer ${token}` } });
    expect((await me(await sign('a-jti'))).status).toBe(200);
    expectProblem(await me(await sign()), 401);
  });

  it('403 when the role may not call the route', async () => {
    const p = expectProblem(
      await s.call('POST', '/api/bundles', { as: 'clerk1', body: { bundle: {}, xml: '<x/>' } }),
      403,
    );
    expect(p.zh.detail).toMatch(/业务配置人员/);
  });
});

describe('passwords and secrets', () => {
  it('scrypt hashes verify and differ per salt', async () => {
    const a = await hashPassword('s3cret');
    const b = await hashPassword('s3cret');
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret', a)).toBe(true);
    expect(await verifyPassword('s3cret!', a)).toBe(false);
    expect(await verifyPassword('s3cret', 'plain')).toBe(false);
  });

  it('generates the signing key once into the key file, with a warning, unless the env sets one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onething-key-'));
    const keyFile = join(dir, 'data', 'jwt.key');
    const warnings: string[] = [];
    const first = loadJwtSecret({ env: {}, keyFile, warn: (m) => warnings.push(m) });
    const second = loadJwtSecret({ env: {}, keyFile, warn: (m) => warnings.push(m) });
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8').trim().length).toBeGreaterThan(40);
    const fromEnv = loadJwtSecret({
      env: { ONETHING_JWT_SECRET: 'x'.repeat(40) },
      keyFile,
      warn: () => undefined,
    });
    expect(Buffer.from(fromEnv).toString()).toBe('x'.repeat(40));
    expect(() =>
      loadJwtSecret({ env: { ONETHING_JWT_SECRET: 'short' }, keyFile, warn: () => undefined }),
    ).toThrow();
  });
});
