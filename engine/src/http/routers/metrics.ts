/** Supervisor aggregates (JSON) and the Prometheus scrape endpoint. */
import type { ApplicationFilter } from '../../applications/api.js';
import type { Actor } from '../../domain/actor.js';
import type { AppContext } from '../context.js';
import type { Resource } from '../route.js';

const MAX_PAGES = 200;

/** Counts by status and time-limit status over every application the actor may see. */
export async function applicationCounts(deps: AppContext, actor: Actor) {
  const byStatus: Record<string, number> = {};
  const byTimeStatus: Record<string, number> = {};
  let total = 0;
  let after: string | undefined;
  let complete = true;
  for (let page = 0; ; page++) {
    if (page === MAX_PAGES) {
      complete = false;
      break;
    }
    const filter: ApplicationFilter = { limit: 100, ...(after ? { after } : {}) };
    const result = await deps.centre.listApplications(actor, filter);
    for (const app of result.items) {
      total++;
      byStatus[app.status] = (byStatus[app.status] ?? 0) + 1;
      if (app.timeStatus) byTimeStatus[app.timeStatus] = (byTimeStatus[app.timeStatus] ?? 0) + 1;
    }
    if (!result.next) break;
    after = result.next;
  }
  return { total, byStatus, byTimeStatus, complete };
}

const counts = { type: 'object', additionalProperties: { type: 'integer' } };

export function metricsResource(deps: AppContext): Resource {
  return {
    name: 'metrics',
    description: { zh: '效能统计与监控指标', en: 'Performance figures and monitoring metrics' },
    base: '',
    routes: [
      {
        method: 'get',
        path: '/api/metrics',
        operationId: 'metrics.summary',
        summary: {
          zh: '办件数量：按状态、按时限状态（在你的区域内）',
          en: 'Application counts by status and time-limit status (within your region)',
        },
        roles: ['supervisor'],
        response: {
          schema: {
            type: 'object',
            properties: {
              applications: {
                type: 'object',
                properties: {
                  total: { type: 'integer' },
                  byStatus: counts,
                  byTimeStatus: counts,
                  complete: { type: 'boolean' },
                },
              },
              incidents: { type: 'integer' },
            },
          },
        },
        handler: async ({ actor }) => ({
          applications: await applicationCounts(deps, actor),
          incidents: await deps.engine.store.countInstances({ status: 'incident' }),
        }),
      },
      {
        method: 'get',
        path: '/metrics',
        operationId: 'metrics.prometheus',
        summary: { zh: 'Prometheus 指标', en: 'Prometheus metrics' },
        roles: 'public',
        response: { schema: { type: 'string' }, contentType: 'text/plain; version=0.0.4' },
        handler: async ({ res }) => {
          res.setHeader('Content-Type', deps.metrics.registry.contentType);
          return deps.metrics.registry.metrics();
        },
      },
    ],
  };
}
