/**
 * Log-in attempts and failed log-ins are counted where every node of a deployment sees them: two
 * apps on one SQLite file (two nodes on one database), and two on one MongoDB over the wire,
 * each with its own connection. A guesser who spreads tries over the nodes gets no more than on
 * one; the general request budgets stay each node's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../engine/src/index.js';
import type { RateLimits } from '../../engine/src/http/rate-limit.js';
import { sharedCounts, type Counts } from '../../engine/src/http/shared-counts.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
import type { Store } from '../../engine/src/store/port.js';
import { freshDbUri } from '../support/mongo.js';
import { expectProblem, startServer, type TestServer } from './support.js';

const OFF: RateLimits = { ip: false, user: false, userWrites: false, login: false };

interface Node {
  server: TestServer;
  store: Store;
  counts: Counts;
}

/** Two app nodes, each on its own connection to the same database. */
async function twoNodes(open: () => Promise<Store>, limits: Partial<RateLimits> = {}): Promise<Node[]> {
  const nodes: Node[] = [];
  for (let i = 0; i < 2; i++) {
    const store = await open();
    const counts = await sharedCounts(store);
    const server = await startServer({
      rateLimits: { ...OFF, ...limits },
      counts,
      engine: createEngine({ store }),
    });
    nodes.push({ server, store, counts });
  }
  return nodes;
}

async function closeAll(nodes: Node[]) {
  for (const n of nodes) {
    await n.server.close();
    n.counts.close();
    await n.store.close();
  }
}

const login = (n: Node, username: string, password: string) =>
  n.server.call('POST', '/api/auth/token', { body: { username, password } });

/** Ten failures spread over both nodes lock the username on both; another user is not locked. */
async function lockoutIsShared(nodes: Node[]) {
  const [a, b] = nodes as [Node, Node];
  for (let i = 0; i < 10; i++) expect((await login(i % 2 ? b : a, 'clerk1', 'wrong')).status).toBe(401);
  for (const n of nodes) {
    const locked = await login(n, 'clerk1', 'clerk1pass');
    expect(expectProblem(locked, 429).type).toBe('urn:onething:problem:too-many-requests');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
  }
  expect((await login(b, 'tax1', 'tax1pass')).status).toBe(200);
}

describe('on one SQLite file', () => {
  let dir: string;
  let nodes: Node[] = [];
  const open = async () => new SqliteStore(join(dir, 'onething.db'));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'onething-counts-'));
  });
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
    rmSync(dir, { recursive: true, force: true });
  });

  it('failed log-ins on either node lock the username on both', async () => {
    nodes = await twoNodes(open);
    await lockoutIsShared(nodes);
  });

  it('guesses sent in parallel over both nodes get ten tries, no more', async () => {
    nodes = await twoNodes(open);
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(nodes[i % 2]!, 'clerk1', `wrong${i}`)),
    );
    expect(statuses.filter((r) => r.status === 401)).toHaveLength(10);
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(20);
  });

  it('a success clears the count on every node', async () => {
    nodes = await twoNodes(open);
    const [a, b] = nodes as [Node, Node];
    for (let i = 0; i < 9; i++) expect((await login(a, 'hrss1', 'wrong')).status).toBe(401);
    expect((await login(b, 'hrss1', 'hrss1pass')).status).toBe(200);
    // Nine more on a: counted from nothing, not on top of a's first nine.
    for (let i = 0; i < 9; i++) expect((await login(a, 'hrss1', 'wrong')).status).toBe(401);
    expect((await login(a, 'hrss1', 'hrss1pass')).status).toBe(200);
  });

  it('the log-in budget per address is one budget over both nodes; the request budget is each node’s', async () => {
    nodes = await twoNodes(open, { login: { points: 4, seconds: 900 }, ip: { points: 3, seconds: 60 } });
    const [a, b] = nodes as [Node, Node];
    expect((await login(a, 'clerk1', 'wrong')).status).toBe(401);
    expect((await login(b, 'tax1', 'wrong')).status).toBe(401);
    expect((await login(a, 'hrss1', 'wrong')).status).toBe(401);
    expect((await login(b, 'supervisor1', 'supervisor1pass')).status).toBe(200);
    const over = await login(a, 'supervisor1', 'supervisor1pass');
    expect(expectProblem(over, 429).zh.detail).toMatch(/登录尝试过于频繁/);
    // Each node has used 2 and 3 of its own request budget of 3: b has one left, a none.
    expect((await b.server.call('GET', '/api/auth/me', { as: 'clerk1' })).status).toBe(200);
    expect((await a.server.call('GET', '/api/auth/me', { as: 'clerk1' })).status).toBe(429);
  });

  it('counts stay in the file across a restart of the nodes', async () => {
    nodes = await twoNodes(open);
    for (let i = 0; i < 10; i++) expect((await login(nodes[0]!, 'clerk1', 'wrong')).status).toBe(401);
    await closeAll(nodes);
    nodes = await twoNodes(open);
    expect((await login(nodes[1]!, 'clerk1', 'clerk1pass')).status).toBe(429);
  });
});

describe('on one MongoDB', () => {
  let nodes: Node[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  it('failed log-ins on either node lock the username on both', async () => {
    const uri = freshDbUri('shared_counts');
    nodes = await twoNodes(() => MongoStore.open(uri));
    await lockoutIsShared(nodes);
  });
});
