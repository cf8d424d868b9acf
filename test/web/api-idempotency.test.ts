/**
 * The web client's Idempotency-Key: one per logical command. A command sent again after its
 * answer was lost (connection dropped, server failure, still running) goes with the same key, so
 * the server does it once; a command that was answered, or another command, gets a new one.
 * Against a real HTTP server that drops or answers as each test says.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api } from '../../web/src/api.js';

type Answer = 'drop' | 'ok' | 'busy' | 'fail';
const keys: string[] = [];
let answers: Answer[] = [];
let server: Server;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  server = createServer((req, res) => {
    keys.push(String(req.headers['idempotency-key']));
    req.resume();
    req.on('end', () => {
      const answer = answers.shift() ?? 'ok';
      if (answer === 'drop') return req.socket.destroy();
      const [status, body] =
        answer === 'busy'
          ? [409, { type: 'urn:onething:problem:idempotency-in-progress', title: 'busy' }]
          : answer === 'fail'
            ? [503, { type: 'urn:onething:problem:unavailable', title: 'down' }]
            : [200, { id: 'a' }];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The page's client sends paths (same origin); here they go to the test server.
  globalThis.fetch = (input, init) => realFetch(new URL(String(input), base), init);
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  keys.length = 0;
  answers = [];
});

test('a retry after a lost answer is the same command: same key', async () => {
  const api = new Api(undefined);
  answers = ['drop', 'ok'];
  await expect(api.refuse('a', '不符合受理条件')).rejects.toMatchObject({ status: 0 });
  await expect(api.refuse('a', '不符合受理条件')).resolves.toEqual({ id: 'a' });
  expect(keys[1]).toBe(keys[0]);
});

test('after a server failure or "still running", the retry keeps the key too', async () => {
  const api = new Api(undefined);
  answers = ['fail', 'busy', 'ok'];
  await expect(api.refuse('a', 'x')).rejects.toMatchObject({ status: 503 });
  await expect(api.refuse('a', 'x')).rejects.toMatchObject({ status: 409 });
  await api.refuse('a', 'x');
  expect(new Set(keys).size).toBe(1);
});

test('an answered command sent again, and another command, get new keys', async () => {
  const api = new Api(undefined);
  answers = ['ok', 'ok', 'drop', 'ok'];
  await api.refuse('a', 'x');
  await api.refuse('a', 'x');
  await expect(api.refuse('a', 'x')).rejects.toMatchObject({ status: 0 });
  await api.refuse('a', 'another reason');
  expect(new Set(keys).size).toBe(4);
});
