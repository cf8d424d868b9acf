/** Engine incidents (jobs that failed past their retries): list them and retry one. */
import type { AppContext } from '../context.js';
import type { Resource } from '../route.js';
import { afterParam, idParam, limitParam, objectOf, pageOf } from '../schemas.js';

const Incident = {
  type: 'object',
  properties: {
    instanceId: { type: 'string' },
    processId: { type: 'string' },
    version: { type: 'integer' },
    businessKey: { type: 'string', description: 'The application id' },
    incident: {
      type: 'object',
      properties: {
        elementId: { type: 'string' },
        elementType: { type: 'string' },
        code: { type: 'string' },
        message: { type: 'string' },
        at: { type: 'integer' },
      },
    },
    updatedAt: { type: 'integer' },
  },
  required: ['instanceId', 'processId', 'version'],
};

export function incidentResource(deps: AppContext): Resource {
  const { engine } = deps;
  return {
    name: 'incidents',
    description: { zh: '流程异常：查看与重试', en: 'Engine incidents: list and retry' },
    base: '/api/incidents',
    routes: [
      {
        method: 'get',
        path: '',
        operationId: 'incidents.list',
        summary: { zh: '异常实例列表', en: 'Instances in incident' },
        roles: ['supervisor', 'analyst'],
        query: { limit: limitParam, after: afterParam },
        response: { schema: pageOf(Incident) },
        handler: async ({ query }) => {
          const limit: number = query.limit ?? 20;
          const records = await engine.store.listInstances(
            { status: 'incident' },
            { limit: limit + 1, ...(query.after ? { after: query.after } : {}) },
          );
          const page = records.slice(0, limit);
          const items = page.map((r) => {
            const incident = r.state.incident;
            const {
              token: _token,
              phase: _phase,
              ...shown
            } = incident ?? ({} as NonNullable<typeof incident>);
            return {
              instanceId: r.id,
              processId: r.processId,
              version: r.version,
              ...(r.businessKey !== undefined ? { businessKey: r.businessKey } : {}),
              ...(incident ? { incident: shown } : {}),
              updatedAt: r.updatedAt,
            };
          });
          const last = page[page.length - 1];
          return records.length > limit && last ? { items, next: last.id } : { items };
        },
      },
      {
        method: 'post',
        path: '/:instanceId/retry',
        operationId: 'incidents.retry',
        summary: {
          zh: '重试异常实例（可附变量）',
          en: 'Retry an instance in incident (optionally with variables)',
        },
        roles: ['supervisor'],
        params: { instanceId: idParam },
        body: objectOf({ variables: { type: 'object' } }),
        response: {
          schema: {
            type: 'object',
            properties: {
              instanceId: { type: 'string' },
              status: { type: 'string' },
              incident: { type: 'object' },
            },
            required: ['instanceId', 'status'],
          },
        },
        errors: [404, 409],
        target: (ctx) => `instance:${ctx.params.instanceId}`,
        handler: async ({ params, body }) => {
          const view = await engine.resolveIncident(
            params.instanceId,
            body.variables ? { variables: body.variables } : {},
          );
          return {
            instanceId: view.id,
            status: view.status,
            ...(view.incident ? { incident: view.incident } : {}),
          };
        },
      },
    ],
  };
}
