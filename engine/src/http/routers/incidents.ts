/**
 * Engine incidents (jobs that failed past their retries, FEEL errors, uncaught BPMN errors): the
 * instances in incident with each open incident, and retrying one incident or all of an instance.
 */
import { openIncidents, shownIncident } from '../../runtime/incident.js';
import type { AppContext } from '../context.js';
import type { Resource } from '../route.js';
import { afterParam, idParam, limitParam, objectOf, pageOf } from '../schemas.js';

const OneIncident = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Pass as incidentId to retry just this one' },
    elementId: { type: 'string' },
    elementType: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
    at: { type: 'integer' },
    jobId: { type: 'string', description: 'The job that failed (closed; a retry creates a new one)' },
  },
  required: ['id', 'elementId', 'elementType', 'code', 'message', 'at'],
};

const InstanceInIncident = {
  type: 'object',
  properties: {
    instanceId: { type: 'string' },
    processId: { type: 'string' },
    version: { type: 'integer' },
    businessKey: { type: 'string', description: 'The application id' },
    incidents: { type: 'array', items: OneIncident, description: 'Open incidents, oldest first' },
    incident: { ...OneIncident, description: 'The oldest open incident (incidents[0])' },
    updatedAt: { type: 'integer' },
  },
  required: ['instanceId', 'processId', 'version', 'incidents'],
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
        response: { schema: pageOf(InstanceInIncident) },
        handler: async ({ query }) => {
          const limit: number = query.limit ?? 20;
          const records = await engine.store.listInstances(
            { status: 'incident' },
            { limit: limit + 1, ...(query.after ? { after: query.after } : {}) },
          );
          const page = records.slice(0, limit);
          const items = page.map((r) => {
            const incidents = openIncidents(r.state).map(shownIncident);
            return {
              instanceId: r.id,
              processId: r.processId,
              version: r.version,
              ...(r.businessKey !== undefined ? { businessKey: r.businessKey } : {}),
              incidents,
              ...(incidents[0] ? { incident: incidents[0] } : {}),
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
          zh: '重试异常（指定 incidentId 只重试该项，否则重试该实例全部异常；可附变量）',
          en: "Retry one incident (incidentId), or else all of the instance's incidents (optionally with variables)",
        },
        roles: ['supervisor'],
        params: { instanceId: idParam },
        body: objectOf({ incidentId: idParam, variables: { type: 'object' } }),
        response: {
          schema: {
            type: 'object',
            properties: {
              instanceId: { type: 'string' },
              status: { type: 'string' },
              incidents: { type: 'array', items: OneIncident, description: 'Incidents still open' },
              incident: OneIncident,
            },
            required: ['instanceId', 'status', 'incidents'],
          },
        },
        errors: [404, 409],
        target: (ctx) => `instance:${ctx.params.instanceId}`,
        handler: async ({ params, body }) => {
          const view = await engine.resolveIncident(params.instanceId, {
            ...(body.incidentId !== undefined ? { incidentId: body.incidentId } : {}),
            ...(body.variables ? { variables: body.variables } : {}),
          });
          return {
            instanceId: view.id,
            status: view.status,
            incidents: view.incidents,
            ...(view.incident ? { incident: view.incident } : {}),
          };
        },
      },
    ],
  };
}
