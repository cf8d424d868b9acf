/**
 * A small stand-in for the app server for the designer's browser test: serves designer/dist
 * under /designer/ and the few API routes the designer uses, answered from examples/ and checked
 * with the engine's own validation (parse + compile + bundle cross-check), errors as problem+json
 * with `errors: [{ field: "bpmn:<id>", message: { zh, en } }]` like the real server.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossCheck } from '../../engine/src/bundles/registry.js';
import { parseAndCompile } from '../../engine/src/model/index.js';
import { BundleError, loadBundle, type BundleDefinition } from '../../forms/src/bundle/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'designer', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.eot': 'application/vnd.ms-fontobject',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

interface Stored {
  definition: BundleDefinition;
  xml: string;
  version: number;
}

export interface Fixture {
  url: string;
  deployed: { code: string; version: number }[];
  /** The Accept-Language of each API request, in order. */
  languages: string[];
  close(): Promise<void>;
}

function exampleBundles(): Map<string, Stored> {
  const bundles = new Map<string, Stored>();
  for (const dir of readdirSync(join(root, 'examples'))) {
    const bpmn = join(root, 'examples', dir, 'process.bpmn');
    if (!existsSync(bpmn)) continue;
    const definition = JSON.parse(
      readFileSync(join(root, 'examples', dir, 'bundle.json'), 'utf8'),
    ) as BundleDefinition;
    bundles.set(definition.code, { definition, xml: readFileSync(bpmn, 'utf8'), version: 1 });
  }
  return bundles;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

export async function startDesignerFixture(): Promise<Fixture> {
  const bundles = exampleBundles();
  const deployed: Fixture['deployed'] = [];
  const languages: string[] = [];
  const token = 'fixture-token';
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, payload: unknown, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(JSON.stringify(payload));
    };
    const problem = (status: number, title: string, errors: unknown[] = []) =>
      json(
        status,
        { type: 'urn:onething:problem:validation', title, status, errors },
        'application/problem+json',
      );
    try {
      if (url.pathname === '/api/auth/token' && req.method === 'POST') {
        const { username, password } = (await body(req)) as { username: string; password: string };
        if (username === 'analyst1' && password === 'analyst1pass') {
          return json(200, {
            access_token: token,
            token_type: 'Bearer',
            expires_in: 3600,
            user: { userId: 'analyst1', name: '王配置', role: 'analyst' },
          });
        }
        return problem(401, '用户名或密码错误');
      }
      if (url.pathname.startsWith('/api/')) languages.push(req.headers['accept-language'] ?? '');
      if (url.pathname.startsWith('/api/')) {
        if (req.headers.authorization !== `Bearer ${token}`) return problem(401, '未登录或登录已失效');
        if (url.pathname === '/api/bundles' && req.method === 'GET') {
          return json(200, {
            items: [...bundles.values()].map((b) => ({
              code: b.definition.code,
              version: b.version,
              status: 'active',
              name: b.definition.name,
            })),
          });
        }
        const one = /^\/api\/bundles\/([a-z0-9-]+)$/.exec(url.pathname);
        if (one && req.method === 'GET') {
          const b = bundles.get(one[1]!);
          return b
            ? json(200, {
                code: b.definition.code,
                version: b.version,
                status: 'active',
                definition: b.definition,
                xml: b.xml,
              })
            : problem(404, '资源不存在');
        }
        if (url.pathname === '/api/bundles' && req.method === 'POST') {
          const input = (await body(req)) as { bundle: unknown; xml: string };
          let definition: BundleDefinition;
          try {
            definition = loadBundle(input.bundle);
          } catch (err) {
            if (err instanceof BundleError)
              return problem(422, 'bundle.json 有误', [
                { field: 'bundle', message: { zh: err.message, en: err.message } },
              ]);
            throw err;
          }
          const { plans, problems } = await parseAndCompile(input.xml);
          const errors = problems.length
            ? problems.map((p) => ({
                field: `bpmn:${p.elementId ?? ''}`,
                message: { zh: p.message, en: p.message },
              }))
            : crossCheck(definition, plans);
          if (errors.length) return problem(422, '提交的内容有误', errors);
          const version = (bundles.get(definition.code)?.version ?? 0) + 1;
          bundles.set(definition.code, { definition, xml: input.xml, version });
          deployed.push({ code: definition.code, version });
          return json(201, { code: definition.code, version, status: 'active', name: definition.name });
        }
        return problem(404, '资源不存在');
      }
      // Static files of the built designer.
      if (!url.pathname.startsWith('/designer')) {
        res.writeHead(302, { Location: '/designer/' });
        return res.end();
      }
      const rel = normalize(decodeURIComponent(url.pathname.replace(/^\/designer\/?/, ''))).replace(
        /^(\.\.[/\\])+/,
        '',
      );
      let file = join(dist, rel);
      if (!rel || rel === '.' || !existsSync(file)) file = join(dist, 'index.html');
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    } catch (err) {
      problem(500, (err as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deployed,
    languages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
