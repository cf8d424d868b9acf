/**
 * Hostile form and API input against the real HTTP app and the real service centre: every
 * POST/PATCH route gets prototype-pollution keys, wrong types, huge strings and arrays, deep
 * nesting, odd numbers, invalid UTF-8, 50 MB and compressed-bomb bodies, bad content types and
 * encodings, hostile ids and headers. Every answer must be a 2xx or a clear 4xx problem+json —
 * never a 5xx, a dropped connection, a hang or a crash — and Object.prototype must be untouched.
 *
 * Prints: inputs tried, status classes, 5xx, crashes, hangs; a 5xx fails the test with the route
 * and the input that caused it.
 */
import fc from 'fast-check';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { RouteDef } from '../../engine/src/http/route.js';
import {
  ANSWERS,
  APPLICANT_ID,
  APPLICANT_PHONE,
  DATA,
  example,
  startCentreServer,
  taskId,
  type CentreServer,
} from '../http/centre-fixture.js';

const TIMEOUT_MS = 20_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 12);

interface Sent {
  route: string;
  method: string;
  path: string;
  as?: string;
  headers: Record<string, string>;
  /** What was sent, shortened for the report. */
  input: string;
}

interface Got {
  status: number;
  contentType: string;
  body: string;
  /** The connection failed before any response. */
  error?: string;
}

/**
 * 5xx already reported to the HTTP owner (engine/src/http/problem.ts toProblem only maps errors
 * that carry a body-parser `type`; these carry status 400 without one). Counted and printed apart;
 * the it.failing test below turns green (and must be flipped) once they are fixed.
 */
const KNOWN: { id: string; what: string; test: (sent: Sent) => boolean }[] = [
  {
    id: 'K1',
    what: 'malformed percent-escape in a path parameter (router URIError, status 400) → 500',
    test: (sent) => /%(?![0-9A-Fa-f]{2})|%E0%A4%A(?![0-9A-Fa-f])/.test(sent.path),
  },
  {
    id: 'K2',
    what: 'Content-Encoding gzip/deflate/br with an undecodable body (zlib error, status 400) → 500',
    test: (sent) =>
      /^(gzip|deflate|br)$/.test(sent.headers['content-encoding'] ?? '') &&
      !sent.input.startsWith('gzip bomb'),
  },
];

const stats = {
  inputs: 0,
  known: {} as Record<string, number>,
  byClass: {} as Record<string, number>,
  fiveHundreds: [] as { sent: Sent; got: Got }[],
  notProblem: [] as { sent: Sent; got: Got }[],
  dropped: [] as { sent: Sent; got: Got }[],
  hangs: [] as Sent[],
  crashes: 0,
  slowest: 0,
};

let s: CentreServer;
const tokens: Record<string, string> = {};
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);
const prototypeBefore = {
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  fn: Object.getOwnPropertyNames(Function.prototype).sort(),
};

const USER_OF: Record<string, string> = {
  clerk: 'clerk1',
  applicant: 'applicant1',
  analyst: 'analyst1',
  supervisor: 'supervisor1',
  department: 'market-regulation1',
};

const short = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text);

/** One raw HTTP request; resolves with whatever came back, never throws. */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<Got & { ms: number }> {
  const url = new URL(s.base);
  const t0 = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (g: Got) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...g, ms: Date.now() - t0 });
    };
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { connection: 'close', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const finish = () =>
          done({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        res.on('end', finish);
        res.on('error', finish);
        res.on('aborted', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: -1, contentType: '', body: '', error: 'timeout' });
    }, TIMEOUT_MS);
    req.on('error', (err) => done({ status: 0, contentType: '', body: '', error: err.message }));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

async function hit(sent: Sent, body?: Buffer | string): Promise<Got> {
  stats.inputs++;
  const got = await send(sent.method, sent.path, sent.headers, body);
  stats.slowest = Math.max(stats.slowest, got.ms);
  const cls = got.error === 'timeout' ? 'hang' : got.error ? 'dropped' : `${Math.floor(got.status / 100)}xx`;
  stats.byClass[cls] = (stats.byClass[cls] ?? 0) + 1;
  if (got.error === 'timeout') stats.hangs.push(sent);
  else if (got.error) stats.dropped.push({ sent, got });
  else if (got.status >= 500) {
    const k = KNOWN.find((k) => k.test(sent));
    if (k) stats.known[k.id] = (stats.known[k.id] ?? 0) + 1;
    else stats.fiveHundreds.push({ sent, got });
  } else if (got.status >= 400) {
    let ok = /^application\/problem\+json/.test(got.contentType);
    try {
      const p = JSON.parse(got.body) as { status?: unknown; title?: unknown; type?: unknown };
      ok &&= p.status === got.status && typeof p.title === 'string' && typeof p.type === 'string';
    } catch {
      ok = false;
    }
    if (!ok) stats.notProblem.push({ sent, got });
  }
  return got;
}

// ── the routes and a valid body for each ────────────────────────────────────────────────

interface Target {
  route: RouteDef;
  template: string;
  good: unknown;
}

let targets: Target[] = [];
const ids = { draft: '', submitted: '', accepted: '', delivered: '' };

function goodBody(operationId: string): unknown {
  const applicant = { kind: 'person', name: '张三', idNumber: APPLICANT_ID, phone: APPLICANT_PHONE };
  const table: Record<string, unknown> = {
    'auth.token': { username: 'clerk1', password: 'clerk1pass' },
    'bundles.deploy': example('business-startup'),
    'bundles.form': { answers: ANSWERS },
    'applications.create': { bundleCode: 'business-startup', answers: ANSWERS, data: DATA, applicant },
    'applications.update': { answers: ANSWERS, data: DATA },
    'applications.accept': {
      materials: [
        { id: 'identityProof', status: 'provided' },
        { id: 'premisesProof', status: 'provided' },
      ],
    },
    'applications.return': { entries: [{ problem: '缺少签字', fieldId: 'companyName' }] },
    'applications.refuse': { reason: '不属于本中心受理范围' },
    'applications.reject': { reason: '不属于本中心受理范围' },
    'applications.supplement': { data: { companyName: '珠海市某某科技有限公司' }, materials: [] },
    'applications.deliver': { channel: 'window' },
    'applications.evaluation': { channel: 'web', level: 5, comment: '满意' },
    'tasks.approve': { comment: '同意', outputs: { creditCode: '91440400MA4W12346M' } },
    'tasks.reject': { reason: '名称重复' },
    'tasks.request-supplement': { entries: [{ problem: '缺少股东签字' }] },
    'tasks.post-check': { result: 'confirmed' },
    'licences.search': { holderId: APPLICANT_ID },
    'incidents.retry': { variables: {} },
  };
  return table[operationId] ?? {};
}

/** Path parameters: real ids in various states, missing ids and hostile ones. */
const HOSTILE_IDS = [
  'no-such-id',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%E0%A4%A',
  '%F0%9F%92%A9',
  "'%20OR%201=1--",
  '$where',
  'x'.repeat(4000),
];

function paramArb(template: string): fc.Arbitrary<string> {
  if (template.includes('/api/bundles/:code'))
    return fc.constantFrom('business-startup', 'no-such-bundle', ...HOSTILE_IDS);
  if (template.includes('/api/tasks/:id')) {
    return fc.constantFrom(
      taskId(ids.accepted, 'enterprise-registration'),
      taskId(ids.accepted, 'new-taxpayer'),
      `${ids.draft}:enterprise-registration`,
      ...HOSTILE_IDS,
    );
  }
  if (template.includes(':instanceId')) return fc.constantFrom(...HOSTILE_IDS);
  if (template.includes(':userId')) return fc.constantFrom('applicant2', 'nobody', ...HOSTILE_IDS);
  return fc.constantFrom(ids.draft, ids.submitted, ids.accepted, ids.delivered, ...HOSTILE_IDS);
}

function pathOf(template: string, param: string): string {
  return template.replace(/:[A-Za-z]+/, param);
}

// ── hostile values ──────────────────────────────────────────────────────────────────────

/** A JSON text: trees whose keys may be __proto__, constructor, prototype… (JSON.stringify cannot write them). */
type Node = { o: [string, Node][] } | { a: Node[] } | { v: unknown } | { raw: string };

const KEY = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'hasOwnProperty',
    '__defineGetter__',
    'polluted',
    '$where',
    '$gt',
    'a.b',
    '',
  ),
  fc.string({ maxLength: 8 }),
);

const RAW_NUMBERS = [
  '1e999',
  '-1e999',
  '1e-999',
  '-0',
  '123456789012345678901234567890',
  '0.1e1',
  '9007199254740993',
];

const node: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      v: fc.oneof(
        fc.jsonValue({ maxDepth: 1 }),
        fc.string({ unit: 'binary' }),
        fc.constantFrom('\ud800', '\udfff', '\u0000', '\u202e', '\ufeff'),
      ),
    }),
    fc.record({ raw: fc.constantFrom(...RAW_NUMBERS) }),
    fc.record({ o: fc.array(fc.tuple(KEY, tie('node')), { maxLength: 5 }) }),
    fc.record({ a: fc.array(tie('node'), { maxLength: 4 }) }),
  ),
})).node;

function text(n: Node): string {
  if ('raw' in n) return n.raw;
  if ('v' in n) return JSON.stringify(n.v) ?? 'null';
  if ('a' in n) return `[${n.a.map(text).join(',')}]`;
  return `{${n.o.map(([k, v]) => `${JSON.stringify(k)}:${text(v)}`).join(',')}}`;
}

const POLLUTERS = [
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"__proto__":{"__proto__":{"polluted":"yes"}}}',
  '[{"__proto__":{"polluted":"yes"}}]',
  '{"prototype":{"polluted":"yes"},"__proto__":null}',
];

const deep = (n: number, open = '[', close = ']') => `${open.repeat(n)}${close.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

/** Values to put somewhere in a valid body, as JSON text. */
const hostileValue: fc.Arbitrary<string> = fc.oneof(
  node.map(text),
  fc.constantFrom(...POLLUTERS),
  fc.constantFrom(...RAW_NUMBERS),
  fc.constantFrom('null', 'true', '0', '-1', '""', '[]', '{}', '"x"', '[null]', '{"":""}'),
  fc.constantFrom(deep(10_000), deep(100_000), deepObject(10_000), deepObject(50_000)),
  fc.constantFrom(
    JSON.stringify('长'.repeat(300_000)),
    JSON.stringify('x'.repeat(900_000)),
    `[${Array(200_000).fill('0').join(',')}]`,
    `[${Array(20_000).fill('"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"').join(',')}]`,
    `{${Array.from({ length: 40_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`,
  ),
);

/** Every path to a value inside a JSON value (objects and arrays), with the root. */
function paths(
  v: unknown,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (at.length < 6 && v && typeof v === 'object') {
    for (const [k, c] of Object.entries(v)) paths(c, [...at, Array.isArray(v) ? Number(k) : k], out);
  }
  return out;
}

const HOLE = '"\u0000HOLE\u0000"';

/** The valid body with the value at `path` (or a new key beside it) replaced by raw JSON text. */
function plant(good: unknown, path: (string | number)[], raw: string, asNewKey?: string): string {
  if (path.length === 0 && !asNewKey) return raw;
  const copy = structuredClone(good) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const seg of path.slice(0, asNewKey ? path.length : -1))
    at = at[seg] as Record<string | number, unknown>;
  if (asNewKey !== undefined) {
    if (!at || typeof at !== 'object' || Array.isArray(at)) return raw;
    const marker = `\u0000KEY\u0000`;
    at[marker] = '\u0000HOLE\u0000';
    return JSON.stringify(copy).replace(
      `${JSON.stringify(marker)}:${HOLE}`,
      `${JSON.stringify(asNewKey)}:${raw}`,
    );
  }
  at[path[path.length - 1]!] = '\u0000HOLE\u0000';
  return JSON.stringify(copy).replace(HOLE, raw);
}

function headersFor(as: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}),
    ...extra,
  };
}

/** Log-out revokes the token it is called with: it gets tokens of its own (`logout:<role>`). */
const SESSION_ENDING = new Set(['auth.logout']);

function userFor(route: RouteDef, pick: number): string | undefined {
  if (route.roles === 'public') return undefined;
  const role = route.roles[pick % route.roles.length]!;
  return SESSION_ENDING.has(route.operationId) ? `logout:${role}` : USER_OF[role];
}

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  s = await startCentreServer({ bundles: ['business-startup'] });
  for (const u of new Set(Object.values(USER_OF))) tokens[u] = await s.token(u);
  for (const [role, u] of Object.entries(USER_OF)) {
    const actor = { ...s.users.get(u)!, userId: `fuzz-${role}` };
    tokens[`logout:${role}`] = (await s.tokens.issue(actor)).access_token;
  }
  ids.draft = await s.caseIn('draft');
  ids.submitted = await s.caseIn('submitted');
  ids.accepted = await s.caseIn('accepted');
  ids.delivered = await s.caseIn('delivered');
  targets = s.app.locals.onething.resources.flatMap((r) =>
    r.routes
      .filter((route) => route.method !== 'get')
      .map((route) => ({ route, template: `${r.base}${route.path}`, good: goodBody(route.operationId) })),
  );
}, 60_000);

afterAll(async () => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  stats.crashes = crashes.length;
  const lines = [
    `HTTP fuzz: ${stats.inputs} inputs tried on ${targets.length} POST/PATCH routes`,
    `  by class: ${JSON.stringify(stats.byClass)}`,
    `  5xx = ${stats.fiveHundreds.length} new + ${Object.values(stats.known).reduce((a, b) => a + b, 0)} known (${KNOWN.map((k) => `${k.id} ×${stats.known[k.id] ?? 0}: ${k.what}`).join('; ')})`,
    `  crashes = ${stats.crashes}, hangs = ${stats.hangs.length}, dropped connections = ${stats.dropped.length}, 4xx not problem+json = ${stats.notProblem.length}, slowest ${stats.slowest} ms`,
  ];
  for (const f of stats.fiveHundreds.slice(0, 10)) {
    lines.push(
      `  5xx: ${f.sent.method} ${short(f.sent.path)} (${f.sent.route}) as ${f.sent.as ?? 'anonymous'} ${JSON.stringify(f.sent.headers)} input ${short(f.sent.input)} → ${f.got.status} ${short(f.got.body)}`,
    );
  }
  for (const f of [...stats.dropped, ...stats.notProblem].slice(0, 10)) {
    lines.push(
      `  other: ${f.sent.method} ${short(f.sent.path)} (${f.sent.route}) input ${short(f.sent.input)} → ${f.got.status} ${f.got.error ?? ''} ${short(f.got.contentType)} ${short(f.got.body)}`,
    );
  }
  console.log(lines.join('\n'));
  await s?.close();
});

function expectClean(): void {
  expect(
    stats.fiveHundreds.map(
      (f) => `${f.sent.route} ${short(f.sent.input)} → ${f.got.status} ${short(f.got.body)}`,
    ),
  ).toEqual([]);
  expect(stats.hangs.map((h) => `${h.route} ${short(h.input)}`)).toEqual([]);
  expect(stats.dropped.map((f) => `${f.sent.route} ${short(f.sent.input)} → ${f.got.error}`)).toEqual([]);
  expect(stats.notProblem.map((f) => `${f.sent.route} → ${f.got.status} ${f.got.contentType}`)).toEqual([]);
  expect(crashes).toEqual([]);
}

async function alive(): Promise<void> {
  const res = await send('GET', '/healthz', {});
  expect(res.status).toBe(200);
}

describe('hostile input on every POST/PATCH route', () => {
  it('finds the routes', () => {
    expect(targets.length).toBeGreaterThanOrEqual(20);
    expect(targets.map((t) => t.route.operationId)).toEqual(
      expect.arrayContaining(['applications.create', 'auth.token', 'bundles.deploy', 'tasks.approve']),
    );
  });

  it('hostile values planted anywhere in a valid body, or as extra keys, on hostile or real ids', async () => {
    for (const target of targets) {
      const candidates = paths(target.good);
      await fc.assert(
        fc.asyncProperty(
          paramArb(target.template),
          fc.nat(candidates.length - 1),
          hostileValue,
          fc.option(KEY, { nil: undefined }),
          fc.nat(),
          fc.boolean(),
          async (param, pathIndex, raw, newKey, pick, idempotent) => {
            const as = userFor(target.route, pick);
            const body = plant(target.good, candidates[pathIndex]!, raw, newKey);
            const extra: Record<string, string> = idempotent
              ? { 'idempotency-key': `fuzz-${stats.inputs}` }
              : {};
            const sent: Sent = {
              route: target.route.operationId,
              method: target.route.method.toUpperCase(),
              path: pathOf(target.template, param),
              ...(as ? { as } : {}),
              headers: extra,
              input: body,
            };
            sent.headers = headersFor(as, extra);
            await hit(sent, body);
          },
        ),
        {
          numRuns: target.route.operationId === 'auth.token' ? Math.ceil(RUNS / 2) : RUNS,
          seed: SEED,
          endOnFailure: true,
        },
      );
    }
    await alive();
    expectClean();
  }, 600_000);

  it('random JSON documents as whole bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), node, fc.nat(), async (target, n, pick) => {
        const as = userFor(target.route, pick);
        const body = text(n);
        const id = target.template.includes('/tasks/')
          ? taskId(ids.accepted, 'enterprise-registration')
          : ids.draft;
        await hit(
          {
            route: target.route.operationId,
            method: target.route.method.toUpperCase(),
            path: pathOf(target.template, id),
            ...(as ? { as } : {}),
            headers: headersFor(as),
            input: body,
          },
          body,
        );
      }),
      { numRuns: RUNS * 10, seed: SEED + 1 },
    );
    await alive();
    expectClean();
  }, 600_000);

  it('oversize, compressed-bomb, mis-typed and mis-encoded bodies, and hostile headers', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
    big.write('{"data":"', 0);
    big.write('"}', big.length - 2);
    const bomb = gzipSync(Buffer.from(`{"data":"${' '.repeat(20 * 1024 * 1024)}"}`));
    const utf8Junk = Buffer.concat([
      Buffer.from('{"reason":"'),
      Buffer.from([
        0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80,
      ]),
      Buffer.from('"}'),
    ]);
    const typed = (name: string, type: string, body: string) => ({
      name,
      headers: { 'content-type': type },
      body,
    });
    const cases: { name: string; headers: Record<string, string>; body?: Buffer | string }[] = [
      { name: '50 MB', headers: {}, body: big },
      { name: '50 MB, chunked (no length)', headers: { 'transfer-encoding': 'chunked' }, body: big },
      { name: 'gzip bomb 20 MB', headers: { 'content-encoding': 'gzip' }, body: bomb },
      { name: 'content-encoding br (garbage)', headers: { 'content-encoding': 'br' }, body: '{"a":1}' },
      {
        name: 'content-encoding deflate (garbage)',
        headers: { 'content-encoding': 'deflate' },
        body: '{"a":1}',
      },
      { name: 'content-encoding bogus', headers: { 'content-encoding': 'x-bogus' }, body: '{"a":1}' },
      { name: 'invalid UTF-8', headers: {}, body: utf8Junk },
      { name: 'BOM first', headers: {}, body: `\ufeff${JSON.stringify({ reason: 'x' })}` },
      { name: 'UTF-16 body', headers: {}, body: Buffer.from(JSON.stringify({ reason: 'x' }), 'utf16le') },
      typed('charset utf-16', 'application/json; charset=utf-16', '{"reason":"x"}'),
      typed('charset bogus', 'application/json; charset=x-bogus', '{"reason":"x"}'),
      typed('text/plain', 'text/plain', '{"reason":"x"}'),
      typed('form-urlencoded', 'application/x-www-form-urlencoded', '__proto__[polluted]=yes&reason=x'),
      typed(
        'multipart',
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
      ),
      typed(
        'xml',
        'application/xml',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><x>&a;</x>',
      ),
      typed('no content type', '', '{"reason":"x"}'),
      typed('content type junk', '(((;;;', '{"reason":"x"}'),
      typed(
        'json-patch',
        'application/json-patch+json',
        '[{"op":"add","path":"/__proto__/polluted","value":1}]',
      ),
      { name: 'NaN and comments', headers: {}, body: '{"level": NaN /* x */}' },
      { name: 'truncated JSON', headers: {}, body: '{"reason":"x' },
      { name: 'duplicate keys', headers: {}, body: '{"reason":"a","reason":{"__proto__":{"polluted":1}}}' },
      { name: 'empty with length', headers: { 'content-length': '0' }, body: '' },
      { name: 'deep 400k arrays', headers: {}, body: deep(400_000) },
      { name: 'deep 100k objects', headers: {}, body: deepObject(100_000) },
      { name: 'malformed bearer', headers: { authorization: 'Bearer a.b.c' }, body: '{}' },
      {
        name: 'bearer alg none',
        headers: {
          authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"clerk1","role":"supervisor"}').toString('base64url')}.`,
        },
        body: '{}',
      },
      { name: 'huge accept-language', headers: { 'accept-language': 'en;q=0.5,'.repeat(1000) }, body: '{}' },
      { name: 'hostile idempotency key', headers: { 'idempotency-key': '\u00e9'.repeat(300) }, body: '{}' },
      { name: 'hostile request id', headers: { 'x-request-id': '<script>'.repeat(100) }, body: '{}' },
    ];
    for (const target of targets) {
      const as = userFor(target.route, 0);
      const path = pathOf(
        target.template,
        target.template.includes('/tasks/') ? taskId(ids.accepted, 'enterprise-registration') : ids.draft,
      );
      for (const c of cases) {
        if (
          c.name.startsWith('50 MB') &&
          !['applications.create', 'bundles.deploy', 'auth.token', 'tasks.approve'].includes(
            target.route.operationId,
          )
        )
          continue;
        const base = headersFor(as);
        const headers = { ...base, ...c.headers };
        if (headers['content-type'] === '') delete headers['content-type'];
        const sent: Sent = {
          route: target.route.operationId,
          method: target.route.method.toUpperCase(),
          path,
          ...(as ? { as } : {}),
          headers,
          input: c.name,
        };
        await hit(sent, c.body);
      }
    }
    await alive();
    expectClean();
  }, 600_000);

  it('a client that declares more body than it sends holds only its own request', async () => {
    const url = new URL(s.base);
    const stalled = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/api/auth/token',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
    });
    stalled.on('error', () => undefined);
    stalled.write('{"username":');
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) await alive();
    expect(Date.now() - t0).toBeLessThan(5_000);
    stalled.destroy();
  });

  it('known 5xx K1 and K2 answer 400 (engine/src/http/problem.ts maps client-fault framework errors)', async () => {
    const clerk = headersFor('clerk1');
    const k1 = await send('GET', '/api/applications/%E0%A4%A', clerk);
    const k2 = await send(
      'POST',
      '/api/auth/token',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      '{"username":"a","password":"b"}',
    );
    expect([k1.status, k2.status]).toEqual([400, 400]);
  });

  it('leaves Object.prototype, Array.prototype and Function.prototype untouched, and the server alive', async () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore.object);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(prototypeBefore.array);
    expect(Object.getOwnPropertyNames(Function.prototype).sort()).toEqual(prototypeBefore.fn);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await alive();
    // A valid request still works after all that.
    const res = await send(
      'POST',
      '/api/applications',
      headersFor('clerk1'),
      JSON.stringify(goodBody('applications.create')),
    );
    expect(res.status).toBe(201);
  });
});
