/**
 * Engine incidents (jobs that failed past their retries, FEEL errors, uncaught BPMN errors): the
 * instances in incident with each open incident, and retrying one incident or all of an instance.
 *
 * Scoped as the cases they belong to (SECURITY.md: a supervisor reads the incidents of their
 * region): an instance whose business key is a case is listed to, and retried by, only those who
 * may see that case (scope.ts canSee; analysts see no case), and is "not found" to anyone else,
 * as the case is; an instance tied to no case carries no region and is everyone's with the role.
 * Messages can quote a department system's answer (jobs/connector.ts): ID numbers and mobiles in
 * them are masked as in the logs.
 */
import type { Incident } from '../../api.js';
import type { Actor } from '../../domain/actor.js';
import { DomainError, t } from '../../domain/errors.js';
import { CommandError, type Engine } from '../../index.js';
import { openIncidents, shownIncident } from '../../runtime/incident.js';
import type { InstanceRecord } from '../../store/port.js';
import type { AppContext } from '../context.js';
import { scrubText } from '../logging.js';
import type { Resource } from '../route.js';
import { afterParam, idParam, limitParam, objectOf, pageOf } from '../schemas.js';
import { caseSight, scopedPage } from '../scoping.js';

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

/** An incident as the API shows it: no runtime internals, personal numbers masked. */
const shown = (incident: Incident): Incident => ({ ...incident, message: scrubText(incident.message) });

/** Whether the actor may see an instance: as its case, if it has one; else it is everyone's. */
function instanceSight(deps: Pick<AppContext, 'sealedDocs'>, actor: Actor) {
  const sight = caseSight(deps.sealedDocs, actor);
  return async (record: Pick<InstanceRecord, 'businessKey'>): Promise<boolean> =>
    record.businessKey === undefined || ((await sight(record.businessKey)) ?? true);
}

/** The instance, if the actor may see it; otherwise the engine's own "not found", so both read alike. */
async function visibleInstance(engine: Engine, seen: (r: InstanceRecord) => Promise<boolean>, id: string) {
  const record = await engine.store.getInstance(id);
  if (!record || !(await seen(record))) throw new CommandError('notFound', `instance ${id} does not exist`);
  return record;
}

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
        summary: {
          zh: '异常实例列表（仅本辖区可见办件的；消息中的证件号、手机号已遮蔽）',
          en: 'Instances in incident (of the cases the caller may see; ID numbers and mobiles in messages masked)',
        },
        roles: ['supervisor', 'analyst'],
        query: { limit: limitParam, after: afterParam },
        response: { schema: pageOf(InstanceInIncident) },
        handler: async ({ actor, query }) => {
          const page = await scopedPage<InstanceRecord>(
            {
              read: async (after, limit) => {
                const rows = await engine.store.listInstances(
                  { status: 'incident' },
                  { limit: limit + 1, ...(after ? { after } : {}) },
                );
                return { rows: rows.slice(0, limit), more: rows.length > limit };
              },
              cursorOf: (r) => r.id,
            },
            instanceSight(deps, actor),
            { limit: query.limit ?? 20, after: query.after },
          );
          const items = page.items.map((r) => {
            const incidents = openIncidents(r.state).map((i) => shown(shownIncident(i)));
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
          return page.next ? { items, next: page.next } : { items };
        },
      },
      {
        method: 'post',
        path: '/:instanceId/retry',
        operationId: 'incidents.retry',
        summary: {
          zh: '重试异常（指定 incidentId 只重试该项，否则重试该实例全部异常）',
          en: "Retry one incident (incidentId), or else all of the instance's incidents",
        },
        roles: ['supervisor'],
        params: { instanceId: idParam },
        body: objectOf({
          incidentId: idParam,
          variables: {
            type: 'object',
            description:
              'Refused (403): a supervisor may not change a case (SECURITY.md), and process variables are its data',
          },
        }),
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
        handler: async ({ actor, params, body }) => {
          if (body.variables !== undefined) {
            const why = t(
              '监督管理人员不能修改办件数据：重试异常时不能设置流程变量',
              'a supervisor may not change a case: a retry cannot set process variables',
            );
            throw new DomainError('forbidden', why, [{ field: 'variables', message: why }]);
          }
          await visibleInstance(engine, instanceSight(deps, actor), params.instanceId);
          const view = await engine.resolveIncident(params.instanceId, {
            ...(body.incidentId !== undefined ? { incidentId: body.incidentId } : {}),
          });
          const incidents = view.incidents.map(shown);
          return {
            instanceId: view.id,
            status: view.status,
            incidents,
            ...(incidents[0] ? { incident: incidents[0] } : {}),
          };
        },
      },
    ],
  };
}
