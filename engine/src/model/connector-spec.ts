/**
 * The connector attributes of a service task (gov:url, gov:method, gov:headers, gov:body,
 * gov:result, gov:timeout, gov:errorCode), checked and compiled at deploy time so a model with a
 * bad URL or bad FEEL never runs. The call itself is engine/src/jobs/connector.ts.
 */
import { compile as compileFeel, constant, type CompiledExpression } from '../expressions/feel.js';
import type { ModdleElement } from './parse.js';
import type { ConnectorMethod, ConnectorSpec } from './plan.js';

/** The job type of every connector task: one runner serves them all. */
export const CONNECTOR_JOB_TYPE = 'gov.http';

export const CONNECTOR_METHODS: readonly ConnectorMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const DEFAULT_CONNECTOR_TIMEOUT_SECONDS = 10;
/** Longest gov:timeout; the runner's lease is longer than this so a slow call keeps its job. */
export const MAX_CONNECTOR_TIMEOUT_SECONDS = 300;

const CONNECTOR_ONLY = ['method', 'headers', 'body', 'result', 'timeout', 'errorCode'] as const;

type Report = (code: string, message: string) => void;

/**
 * Why a literal URL cannot be called, or null. Shared with the runtime check of FEEL-built URLs,
 * which passes `shown`: how the message names the URL. A URL built from variables can carry
 * personal data (an ID number in its path), so that check names it without its text.
 */
export function urlProblem(value: string, shown = `"${value}"`): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${shown} is not an absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `${shown} must use http or https, not ${url.protocol.replace(':', '')}`;
  // Credentials in a model would be readable by every designer and in every export.
  if (url.username || url.password) return `"${url.origin}…" must not carry a user name or password`;
  return null;
}

/**
 * The connector of a service task, or undefined when it has no gov:url (a plain job). Problems
 * go to `report`, which names the element.
 */
export function compileConnector(element: ModdleElement, report: Report): ConnectorSpec | undefined {
  const rawUrl: string | undefined = element.url?.trim();
  if (!rawUrl) {
    const stray = CONNECTOR_ONLY.filter((a) => element[a] !== undefined);
    if (stray.length)
      report(
        'connector.noUrl',
        `${stray.map((a) => `gov:${a}`).join(', ')} only apply to a connector task, which needs gov:url`,
      );
    return undefined;
  }
  if (element.type !== undefined)
    report(
      'connector.type',
      `a connector task (gov:url) has the job type "${CONNECTOR_JOB_TYPE}"; remove gov:type`,
    );
  const feel = (source: string | undefined, attribute: string): CompiledExpression | null => {
    if (source === undefined || source.trim() === '') return null;
    const compiled = compileFeel(source);
    if (compiled.syntaxError)
      report('feel.syntax', `gov:${attribute} "${source}" is not valid FEEL: ${compiled.syntaxError}`);
    return compiled;
  };
  let url: CompiledExpression;
  if (rawUrl.startsWith('=')) url = feel(rawUrl, 'url')!;
  else {
    const invalid = urlProblem(rawUrl);
    if (invalid) report('connector.url', `gov:url ${invalid}`);
    url = constant(rawUrl);
  }
  const method = (element.method ?? 'POST').trim().toUpperCase();
  if (!CONNECTOR_METHODS.includes(method as ConnectorMethod))
    report(
      'connector.method',
      `gov:method "${element.method}" must be one of ${CONNECTOR_METHODS.join(', ')}`,
    );
  const body = feel(element.body, 'body');
  if (body && (method === 'GET' || method === 'DELETE'))
    report('connector.body', `gov:body is not sent with ${method}; use POST, PUT or PATCH`);
  const seconds: number = element.timeout ?? DEFAULT_CONNECTOR_TIMEOUT_SECONDS;
  if (!(seconds >= 1 && seconds <= MAX_CONNECTOR_TIMEOUT_SECONDS))
    report(
      'connector.timeout',
      `gov:timeout must be 1 to ${MAX_CONNECTOR_TIMEOUT_SECONDS} seconds, got ${seconds}`,
    );
  const errorCode: string | undefined = element.errorCode?.trim();
  return {
    url,
    method: method as ConnectorMethod,
    headers: feel(element.headers, 'headers'),
    body,
    result: feel(element.result, 'result'),
    timeoutMs: seconds * 1000,
    errorCode: errorCode || null,
  };
}
