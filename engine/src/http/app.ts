/**
 * The express app: one router per resource from the route table, the OpenAPI document from the
 * same table, problem+json for every error, helmet, pino logs, Prometheus metrics, optional CORS
 * and the static web and designer builds.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { CentreApi } from '../applications/api.js';
import type { TimeLimits } from '../applications/clock.js';
import { RectificationDesk } from '../applications/rectification.js';
import { workingTimeLimits } from '../applications/working-time.js';
import { AuditLog } from '../audit/index.js';
import { CommandJournal } from '../audit/journal.js';
import type { DocStore } from '../domain/docs.js';
import type { Engine } from '../index.js';
import { RevocationList } from './auth/revocations.js';
import type { TokenService } from './auth/tokens.js';
import type { UserDirectory } from './auth/users.js';
import type { AppContext } from './context.js';
import { IdempotencyStore } from './idempotency.js';
import { createLogger, httpLogger, type Logger } from './logging.js';
import { Metrics, type MetricsSources } from './metrics.js';
import { buildOpenApi } from './openapi.js';
import { routeHandler } from './pipeline.js';
import { HttpProblem, PROBLEM_TYPE, preferredLanguage, toProblem } from './problem.js';
import { clientKey, IP_BUDGET_PATHS, RateLimiter, type RateLimits } from './rate-limit.js';
import { LoginLockout } from './login-lockout.js';
import type { Counts } from './shared-counts.js';
import type { Resource } from './route.js';
import { applicationResource } from './routers/applications.js';
import { auditResource } from './routers/audit.js';
import { authResource } from './routers/auth.js';
import { bundleResource } from './routers/bundles.js';
import { evaluationResource } from './routers/evaluations.js';
import { incidentResource } from './routers/incidents.js';
import { licenceResource } from './routers/licences.js';
import { aggregateResource, aggregateService } from './routers/aggregates.js';
import { metricsResource } from './routers/metrics.js';
import { rectificationResource } from './routers/rectifications.js';
import { systemResource } from './routers/system.js';
import { taskResource } from './routers/tasks.js';
import { materialFileResource } from './routers/uploads.js';
import type { UploadStore } from '../../../forms/src/uploads/index.js';
import { networkResources, type NetworkServices } from '../network/http.js';

export interface AppDeps {
  centre: CentreApi;
  engine: Engine;
  docs: DocStore;
  /**
   * The documents below encryption at rest (sensitive values sealed), for reads that never show
   * them: the supervisor figures. Defaults to `docs`.
   */
  sealedDocs?: DocStore;
  tokens: TokenService;
  users: UserDirectory;
  /** Defaults to an AuditLog on `docs`. */
  audit?: AuditLog;
  /**
   * Journals each command's writes with its audit entry (audit/journal.ts); its `docs` view is
   * what the Centre should write through. Defaults to a journal on `docs` and `audit`.
   */
  journal?: CommandJournal;
  /**
   * Request budgets of this app (per IP, per user, writes per user, log-ins per IP), counted per
   * app instance. None unless given: the server (server.ts) always gives them, from the
   * environment over DEFAULT_RATE_LIMITS; a test gives what its traffic needs.
   */
  rateLimits?: RateLimits | false;
  /**
   * Where the counts every node shares are kept (the log-in budget and the per-username lock-out,
   * shared-counts.ts): the server gives the store's database; in memory otherwise.
   */
  counts?: Counts;
  /** Express 'trust proxy': set it behind a reverse proxy so the client IP is the real one. */
  trustProxy?: boolean | number | string;
  logger?: Logger;
  clock?: () => number;
  /** Gauges read at scrape time (applications by status…); incidents come from the engine. */
  metricsSources?: MetricsSources;
  /** Node process metrics in /metrics (default true). */
  defaultMetrics?: boolean;
  /** Origins allowed to call the API from a browser; CORS is off when empty (default). */
  corsOrigins?: string[];
  /** Built single-page apps to serve, e.g. { '/': 'web/dist', '/designer': 'designer/dist' }. */
  staticDirs?: Record<string, string>;
  version?: string;
  /** Venues, appointments, queue tickets and public guides (engine/src/network). */
  network?: NetworkServices;
  /** Working-day limits for rectification deadlines and the aggregates (default: national calendar). */
  timeLimits?: TimeLimits;
  /** Bad-review rectification cases; defaults to a desk on `docs` (server.ts passes its own to sweep it). */
  rectifications?: RectificationDesk;
  /** Where material files are kept (forms/src/uploads); without it there are no material-file routes. */
  uploads?: UploadStore;
}

export interface OneThingApp extends express.Express {
  locals: express.Express['locals'] & { onething: AppContext & { resources: Resource[] } };
}

const TRUSTED_SCRIPTS = ["'self'"];

export function createApp(deps: AppDeps): OneThingApp {
  const clock = deps.clock ?? Date.now;
  const logger = deps.logger ?? createLogger();
  const engine = deps.engine;
  const metrics = new Metrics(
    {
      incidents: () => engine.store.countInstances({ status: 'incident' }),
      ...deps.metricsSources,
    },
    { defaultMetrics: deps.defaultMetrics !== false },
  );
  const audit = deps.audit ?? new AuditLog(deps.docs, clock);
  const ctx: AppContext = {
    centre: deps.centre,
    engine,
    docs: deps.docs,
    sealedDocs: deps.sealedDocs ?? deps.docs,
    tokens: deps.tokens,
    users: deps.users,
    audit,
    journal: deps.journal ?? new CommandJournal(deps.docs, audit, clock),
    revocations: new RevocationList(deps.docs, clock),
    limiter: new RateLimiter(deps.rateLimits ?? false, deps.counts),
    lockout: new LoginLockout(deps.counts),
    idempotency: new IdempotencyStore(deps.docs, clock),
    metrics,
    logger,
    clock,
    version: deps.version ?? '0.1.0',
  };

  const timeLimits = deps.timeLimits ?? workingTimeLimits();
  const rectifications =
    deps.rectifications ??
    new RectificationDesk({ docs: deps.docs, timeLimits, clock, limitDays: deps.centre.rectificationDays });

  // A recovered command's Idempotency-Key record is settled: its retries neither wait nor run it twice.
  ctx.journal.onRecovered ??= ({ leaseId, ...outcome }) =>
    leaseId ? ctx.idempotency.settle(leaseId, outcome) : Promise.resolve();

  let openapi: Record<string, unknown> | undefined;
  const resources: Resource[] = [
    systemResource(ctx, () => (openapi ??= buildOpenApi(resources, { version: ctx.version }))),
    authResource(ctx),
    bundleResource(ctx),
    applicationResource(ctx),
    evaluationResource(ctx, rectifications),
    rectificationResource(rectifications),
    taskResource(ctx),
    licenceResource(ctx),
    incidentResource(ctx),
    auditResource(ctx),
    metricsResource(ctx),
    aggregateResource(ctx, aggregateService(ctx)),
    ...(deps.network ? networkResources(deps.network) : []),
    ...(deps.uploads ? [materialFileResource(ctx, deps.uploads)] : []),
  ];

  const app = express() as OneThingApp;
  app.locals.onething = { ...ctx, resources };
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': TRUSTED_SCRIPTS,
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'font-src': ["'self'", 'data:'],
        },
      },
    }),
  );
  app.use(httpLogger(logger));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () =>
      end({ route: String(res.locals.route ?? 'unmatched'), status_code: String(res.statusCode) }),
    );
    next();
  });
  if (deps.corsOrigins?.length) {
    app.use(
      '/api',
      cors({
        origin: deps.corsOrigins,
        allowedHeaders: [
          'Authorization',
          'Content-Type',
          'Idempotency-Key',
          'Accept-Language',
          'X-Request-Id',
        ],
        exposedHeaders: ['Location', 'X-Request-Id', 'Idempotent-Replayed'],
        maxAge: 600,
      }),
    );
  }

  // Every API request counts against its client address's budget, known route or not; so do the
  // public probes, which anyone can reach.
  app.use(IP_BUDGET_PATHS, (req: Request, res: Response, next: NextFunction) => {
    ctx.limiter.take('ip', clientKey(req.ip), res).then(() => next(), next);
  });

  const pdeps = {
    tokens: ctx.tokens,
    revocations: ctx.revocations,
    limiter: ctx.limiter,
    journal: ctx.journal,
    audit: ctx.audit,
    idempotency: ctx.idempotency,
    metrics,
    logger,
  };
  const patterns: { regex: RegExp; method: string }[] = [];
  for (const resource of resources) {
    const router = express.Router({ mergeParams: true });
    for (const route of resource.routes) {
      router[route.method](route.path || '/', routeHandler(resource, route, pdeps));
      patterns.push({
        regex: pathRegex(`${resource.base}${route.path}`),
        method: route.method.toUpperCase(),
      });
    }
    app.use(resource.base || '/', router);
  }

  // The web apps; unknown paths under their mounts fall back to index.html (client routing).
  for (const [mount, dir] of Object.entries(deps.staticDirs ?? {})) {
    if (!existsSync(join(dir, 'index.html'))) continue;
    app.use(mount, express.static(dir, { index: 'index.html', maxAge: '1h' }));
    app.get(`${mount === '/' ? '' : mount}/{*rest}`, (req, res, next) => {
      if (req.path.startsWith('/api/') || !req.accepts('html')) return next();
      res.sendFile(resolve(dir, 'index.html'), (err) => err && next(err));
    });
  }

  // Known path, other method → 405 with Allow; anything else → 404. Both as problems.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const allowed = [...new Set(patterns.filter((p) => p.regex.test(req.path)).map((p) => p.method))];
    if (allowed.length) {
      if (allowed.includes('GET')) allowed.push('HEAD');
      return next(
        new HttpProblem(
          'method-not-allowed',
          { zh: `此路径支持 ${allowed.join(', ')}`, en: `this path supports ${allowed.join(', ')}` },
          [],
          { Allow: allowed.join(', ') },
        ),
      );
    }
    next(
      new HttpProblem('not-found', {
        zh: `没有这个接口：${req.method} ${req.path}`,
        en: `no such route: ${req.method} ${req.path}`,
      }),
    );
  });

  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const lang = preferredLanguage(req);
    const p = toProblem(err, lang);
    const requestId = String((req as Request & { id?: unknown }).id ?? '');
    if (p.unexpected) logger.error({ err, requestId }, 'unexpected error');
    res.status(p.status);
    for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
    res.setHeader('Content-Language', lang === 'en' ? 'en' : 'zh-CN');
    res
      .type(PROBLEM_TYPE)
      .send(JSON.stringify({ ...p.body, instance: req.path, ...(requestId ? { requestId } : {}) }));
  });
  return app;
}

function pathRegex(template: string): RegExp {
  const escaped = template
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped || '/'}/?$`);
}
