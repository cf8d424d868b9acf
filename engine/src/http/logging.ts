/**
 * Structured logs (pino). Authorization headers, cookies, passwords and tokens are redacted by
 * path; resident ID numbers, credit codes and mobile numbers are masked wherever they appear in
 * a logged string (an error message, a URL), so personal data never reaches the logs.
 */
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { scrubText } from '../security/scrub.js';

export type { Logger } from 'pino';

const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.access_token',
  '*.token',
  '*.idNumber',
  '*.phone',
  '*.mobile',
];

export { scrubText } from '../security/scrub.js';

/**
 * A request log line's `req` and `res` are the live node objects; their serializers (below, and
 * pino-http's) keep only scrubbed fields. Walking them here copied sockets and headers on every
 * request (~8% of a request's CPU), so they pass through to those serializers untouched.
 */
function scrubLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] =
      (k === 'req' && v instanceof IncomingMessage) || (k === 'res' && v instanceof ServerResponse)
        ? v
        : scrub(v, 1);
  }
  return out;
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  // Errors go through the err serializer (which scrubs them) after this formatter.
  if (depth > 6 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
  return out;
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'onething' },
    redact: { paths: REDACT, censor: '[redacted]' },
    formatters: { log: scrubLogObject },
    serializers: {
      err: (err: Error) => scrub(pino.stdSerializers.err(err)) as ReturnType<typeof pino.stdSerializers.err>,
      // A raw request or response logged directly (see scrubLogObject) is cut down the same way.
      req: (req: IncomingMessage) =>
        req instanceof IncomingMessage ? serializeRequest(pino.stdSerializers.req(req)) : req,
      res: (res: ServerResponse) => (res instanceof ServerResponse ? serializeResponse(res) : res),
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** What a log line keeps of a request and a response (pino-http's and any other logger call's). */
const serializeRequest = (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
  id: req.id,
  method: req.method,
  url: scrubText(req.url),
  remoteAddress: req.remoteAddress,
});
const serializeResponse = (res: { statusCode: number }) => ({ statusCode: res.statusCode });

/**
 * One line per request, as pino-http wrote it (same fields, levels and messages), with the
 * request id echoed in X-Request-Id. pino-http made a child logger per request, serialising
 * and redacting the request into its bindings up front (~7% of a request's CPU); here the
 * request's few logged fields are taken as it arrives and written with the line.
 */
export function httpLogger(logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const started = Date.now();
    const id = requestIdOf(req);
    res.setHeader('X-Request-Id', id);
    (req as IncomingMessage & { id?: string }).id = id;
    // Taken now: express trims req.url while a router handles it.
    const logged = serializeRequest({
      id,
      method: req.method ?? '',
      url: (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '',
      remoteAddress: req.socket?.remoteAddress,
    });
    const done = (err?: Error) => {
      res.removeListener('close', done);
      res.removeListener('finish', done);
      res.removeListener('error', done);
      const responseTime = Date.now() - started;
      const failed = err ?? (res as ServerResponse & { err?: Error }).err;
      if (failed || res.statusCode >= 500) {
        const error = failed ?? new Error(`failed with status code ${res.statusCode}`);
        logger.error({ req: logged, res, err: error, responseTime }, 'request errored');
        return;
      }
      const level = res.statusCode >= 400 ? 'warn' : 'info';
      const completed = !req.readableAborted && res.writableEnded;
      logger[level]({ req: logged, res, responseTime }, completed ? 'request completed' : 'request aborted');
    };
    res.on('close', done);
    res.on('finish', done);
    res.on('error', done);
    next();
  };
}
