/**
 * One call of a connector task to a department system: the URL, headers and JSON body from the
 * model's FEEL over the job's variables, an `Idempotency-Key` the department uses to do the work
 * once however often we retry (the same request, that is: see requestIdempotencyKey), a timeout,
 * and the answer mapped back into variables by FEEL.
 *
 * Only origins on the deployment's allow-list are called (deny by default): a model is written by
 * analysts, and a URL built from variables must not reach arbitrary hosts (SSRF). Redirects are
 * not followed for the same reason.
 *
 * The outcome decides what the runner does: `completed` and `bpmnError` end the job; a thrown
 * ConnectorFailure is retried with backoff unless it is `permanent` (retrying cannot help).
 *
 * Failure messages become incidents that supervisors read and the instance keeps, so they never
 * quote what the request was built from (the applicant's ID number, name…): a FEEL-built URL is
 * shown by its origin and expression, a FEEL value by its kind and size, a FEEL error without the
 * values it quotes, and a department's answer with what we sent it masked (see Shown).
 */
import type { Variables } from '../api.js';
import { canonicalJson, sha256Hex } from '../audit/canonical.js';
import type { CompiledExpression } from '../expressions/feel.js';
import { feelErrorShown, valueKind } from '../expressions/shown.js';
import { scrubText } from '../security/scrub.js';
import { urlProblem } from '../model/connector-spec.js';
import type { ConnectorSpec } from '../model/plan.js';

/** The environment variable listing department-system origins, comma-separated. */
export const CONNECTOR_ORIGINS_ENV = 'ONETHING_CONNECTOR_ORIGINS';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Statuses that say the request itself is wrong: the same request will never succeed. */
export const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 404, 422]);
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Headers the connector sets itself or the HTTP stack owns; a model may not set them. */
const RESERVED_HEADERS = new Set([
  'idempotency-key',
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Characters fetch cannot send in a header value (it takes Latin-1 text only). */
const NOT_HEADER_TEXT = /[^\t\x20-\x7e\x80-\xff]/;
/** Longest excerpt of a department's answer kept in a message. */
const EXCERPT_CHARS = 200;

export interface ConnectorOptions {
  /** Origins (scheme://host[:port]) that may be called; anything else is refused. */
  allowedOrigins: readonly string[];
  /** Largest response body read, in bytes (default 1 MiB). */
  maxResponseBytes?: number;
}

export type ConnectorOutcome =
  | { kind: 'completed'; status: number; variables: Variables }
  | { kind: 'bpmnError'; status: number; errorCode: string; message: string };

/** A failed call; `permanent` ones go straight to an incident instead of being retried. */
export class ConnectorFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** The allow-list from its environment text; a malformed entry stops start-up, naming it. */
export function parseAllowedOrigins(text: string | undefined): string[] {
  const origins: string[] = [];
  for (const entry of (text ?? '').split(',').map((s) => s.trim())) {
    if (!entry) continue;
    const invalid = urlProblem(entry);
    if (invalid) throw new Error(`${CONNECTOR_ORIGINS_ENV}: ${invalid}`);
    const url = new URL(entry);
    if (url.pathname !== '/' || url.search || url.hash)
      throw new Error(
        `${CONNECTOR_ORIGINS_ENV}: "${entry}" must be an origin (scheme://host[:port]) without a path`,
      );
    origins.push(url.origin);
  }
  return origins;
}

/**
 * Calls the department system once for a job, `visitKey` naming the piece of work (see
 * connectorIdempotencyKey). Throws ConnectorFailure when it did not work.
 */
export async function callDepartment(
  spec: ConnectorSpec,
  variables: Variables,
  visitKey: string,
  options: ConnectorOptions,
): Promise<ConnectorOutcome> {
  const url = targetUrl(spec, variables, options.allowedOrigins);
  const headers = headersOf(spec, variables);
  const sent = new Shown(isExpression(spec.url) ? url : null, Object.values(headers));
  let value: unknown;
  let body: string | undefined;
  if (spec.body) {
    value = evaluate(spec.body, variables, 'gov:body') ?? null;
    sent.add(value);
    body = JSON.stringify(value);
    headers['Content-Type'] = 'application/json';
  }
  headers[IDEMPOTENCY_HEADER] = requestIdempotencyKey(visitKey, spec.method, url, value);
  const seconds = spec.timeoutMs / 1000;
  const target = `${spec.method} ${shownTarget(spec, url)}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), spec.timeoutMs);
  let status: number;
  let text: string;
  let contentType: string;
  try {
    const response = await fetch(url, {
      method: spec.method,
      headers: { Accept: 'application/json', ...headers },
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal: abort.signal,
    });
    status = response.status;
    contentType = response.headers.get('content-type') ?? '';
    text = await readCapped(response, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
  } catch (err) {
    if (err instanceof ConnectorFailure) throw err;
    if (abort.signal.aborted) throw new ConnectorFailure(`${target}: no answer within ${seconds} s`, false);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ConnectorFailure(
      `${target}: ${cause?.code ?? sent.text(cause?.message ?? (err as Error).message)}`,
      false,
    );
  } finally {
    clearTimeout(timer);
  }
  const what = `${target} answered ${status}`;
  if (status >= 200 && status < 300) {
    const response = parseBody(text, contentType, what);
    return { kind: 'completed', status, variables: mapResult(spec.result, variables, response, status) };
  }
  const detail = text.trim() ? `: ${sent.excerpt(text.trim())}` : '';
  if (PERMANENT_STATUSES.has(status)) {
    if (spec.errorCode)
      return { kind: 'bpmnError', status, errorCode: spec.errorCode, message: `${what}${detail}` };
    throw new ConnectorFailure(`${what} (the request is refused; retrying cannot help)${detail}`, true);
  }
  if (status >= 300 && status < 400)
    throw new ConnectorFailure(`${what}: redirects are not followed; put the final URL in gov:url`, true);
  throw new ConnectorFailure(`${what}${detail}`, false);
}

/**
 * The Idempotency-Key sent: the visit's key and a digest of the request (method, URL, canonical
 * body). Every retry of the same request sends the same key; after an operator changed the
 * variables (an incident resolved with new ones) the request differs, and so must the key, or a
 * department that honours it answers with the first request's result, or refuses.
 */
export function requestIdempotencyKey(visitKey: string, method: string, url: string, body: unknown): string {
  const request = `${method} ${url}\n${canonicalJson(body ?? null)}`;
  return `${visitKey}.${sha256Hex(request).slice(0, 16)}`;
}

/**
 * The target as incident messages show it: a URL built by FEEL can carry personal data (an ID
 * number in the path), so only its origin and the expression are shown; a literal URL is the model's.
 */
function shownTarget(spec: ConnectorSpec, url: string): string {
  return isExpression(spec.url) ? `${new URL(url).origin}/… (gov:url ${spec.url.source.trim()})` : url;
}

/** Whether an attribute is FEEL (`= …`) rather than a literal of the model's. */
const isExpression = (expression: CompiledExpression): boolean => expression.source.trim().startsWith('=');

function evaluate(expression: CompiledExpression, context: Variables, attribute: string): unknown {
  const result = expression.evaluate(context);
  if (!result.ok)
    throw new ConnectorFailure(
      `${attribute} "${expression.source}" failed: ${feelErrorShown(result.message)}`,
      true,
    );
  return result.value;
}

function targetUrl(spec: ConnectorSpec, variables: Variables, allowed: readonly string[]): string {
  const value = evaluate(spec.url, variables, 'gov:url');
  if (typeof value !== 'string')
    throw new ConnectorFailure(`gov:url "${spec.url.source}" gave ${valueKind(value)}, not a URL`, true);
  const invalid = urlProblem(value, `the URL it gave (${valueKind(value)})`);
  if (invalid) throw new ConnectorFailure(`gov:url "${spec.url.source}": ${invalid}`, true);
  const origin = new URL(value).origin;
  if (!allowed.includes(origin)) {
    throw new ConnectorFailure(
      `${origin} is not an allowed department system; add it to ${CONNECTOR_ORIGINS_ENV} ` +
        `(allowed: ${allowed.length ? allowed.join(', ') : 'none'})`,
      true,
    );
  }
  return value;
}

function headersOf(spec: ConnectorSpec, variables: Variables): Record<string, string> {
  if (!spec.headers) return {};
  const value = evaluate(spec.headers, variables, 'gov:headers');
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConnectorFailure(
      `gov:headers must give a context of names to values, got ${valueKind(value)}`,
      true,
    );
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!HEADER_NAME.test(name))
      throw new ConnectorFailure(`gov:headers: "${name}" is not a header name`, true);
    if (RESERVED_HEADERS.has(name.toLowerCase()))
      throw new ConnectorFailure(`gov:headers may not set ${name}; the connector sets it`, true);
    if (v === null || v === undefined) continue;
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    if (/[\r\n\0]/.test(text)) throw new ConnectorFailure(`gov:headers: ${name} has a line break`, true);
    if (NOT_HEADER_TEXT.test(text))
      throw new ConnectorFailure(
        `gov:headers: ${name} holds characters a header cannot carry (only Latin-1, so no Chinese); ` +
          'send such text in gov:body',
        true,
      );
    out[name] = text;
  }
  return out;
}

/** Reads the body, refusing more than `max` bytes (a department system is trusted, not unbounded). */
async function readCapped(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new ConnectorFailure(`the answer is larger than ${max} bytes`, true);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string, what: string): unknown {
  if (text.trim() === '') return null;
  if (!/\bjson\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    // The department did the work and will answer the same on a retry: an incident, not a loop.
    throw new ConnectorFailure(`${what} with a body that is not valid JSON`, true);
  }
}

/** gov:result over the variables plus `response` (the parsed body) and `status`; none maps nothing. */
function mapResult(
  result: CompiledExpression | null,
  variables: Variables,
  response: unknown,
  status: number,
): Variables {
  if (!result) return {};
  const value = evaluate(result, { ...variables, response, status }, 'gov:result');
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConnectorFailure(
      `gov:result must give a context of variable names to values, got ${valueKind(value)}`,
      true,
    );
  return value as Variables;
}

/**
 * Text from outside (a department's answer, a network error) as a message may show it: every
 * string we sent (in the URL, a header, the body) is masked, since a department often echoes the
 * request ("unknown applicant 张三"), and the scrubber masks ID, credit-code and mobile numbers.
 */
class Shown {
  private readonly strings = new Set<string>();

  /** `url` when it was built from variables (a literal one is the model's own text). */
  constructor(url: string | null, headerValues: readonly string[]) {
    if (url) {
      const { pathname, search } = new URL(url);
      for (const part of `${pathname}${search}`.split(/[/?&=]/)) this.add(decoded(part));
    }
    for (const value of headerValues) this.add(value);
  }

  /** Adds the strings of a sent value (and of its lists and contexts). */
  add(value: unknown, depth = 0): void {
    if (typeof value === 'string') {
      const s = value.trim();
      // Two characters make a Chinese name; shorter ASCII words would mask the department's own.
      if ([...s].length >= (/[^\x20-\x7e]/.test(s) ? 2 : 3)) this.strings.add(s);
    } else if (typeof value === 'number') {
      if (Math.abs(value) >= 1000) this.strings.add(String(value));
    } else if (value !== null && typeof value === 'object' && depth < 8) {
      for (const v of Object.values(value)) this.add(v, depth + 1);
    }
  }

  text(text: string): string {
    let out = text;
    // Longest first, so a value inside a longer one does not leave the longer one half shown.
    for (const s of this.longestFirst()) out = out.split(s).join('…');
    return scrubText(out);
  }

  /** The start of a long text, masked before it is cut: a value across the cut is masked whole. */
  excerpt(text: string): string {
    const longest = Math.max(32, this.longestFirst()[0]?.length ?? 0);
    return this.text(text.slice(0, EXCERPT_CHARS + longest)).slice(0, EXCERPT_CHARS);
  }

  private longestFirst(): string[] {
    return [...this.strings].sort((a, b) => b.length - a.length);
  }
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}
