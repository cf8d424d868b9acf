/** Liveness/readiness and the OpenAPI document. */
import type { AppContext } from '../context.js';
import { reply, type Resource } from '../route.js';

export function systemResource(deps: AppContext, openapi: () => Record<string, unknown>): Resource {
  const started = deps.clock();
  return {
    name: 'system',
    description: { zh: '健康检查与接口文档', en: 'Health and API description' },
    base: '',
    routes: [
      {
        method: 'get',
        path: '/healthz',
        operationId: 'system.health',
        summary: { zh: '健康检查（存储可读）', en: 'Health: the stores answer' },
        roles: 'public',
        response: {
          schema: {
            type: 'object',
            properties: {
              status: { enum: ['ok', 'unavailable'] },
              version: { type: 'string' },
              uptimeSeconds: { type: 'number' },
            },
            required: ['status'],
          },
        },
        handler: async () => {
          const uptimeSeconds = Math.round((deps.clock() - started) / 1000);
          try {
            await Promise.all([
              deps.docs.get('audit', 'head'),
              deps.engine.store.listInstances({}, { limit: 1 }),
            ]);
            return { status: 'ok', version: deps.version, uptimeSeconds };
          } catch (err) {
            deps.logger.error({ err }, 'health check failed');
            return reply({
              status: 503,
              body: { status: 'unavailable', version: deps.version, uptimeSeconds },
            });
          }
        },
      },
      {
        method: 'get',
        path: '/api/openapi.json',
        operationId: 'system.openapi',
        summary: { zh: 'OpenAPI 3.1 接口文档', en: 'OpenAPI 3.1 document' },
        roles: 'public',
        response: { schema: { type: 'object' } },
        handler: async () => openapi(),
      },
    ],
  };
}
