/** 好差评: one evaluation per application per channel; a bad one opens a rectification case. */
import type { RectificationDesk } from '../../applications/rectification.js';
import type { AppContext } from '../context.js';
import type { Resource } from '../route.js';
import { Application, EvaluationChannel, idParam, objectOf, text } from '../schemas.js';

export function evaluationResource(deps: AppContext, rectifications: RectificationDesk): Resource {
  return {
    name: 'evaluations',
    description: { zh: '好差评', en: 'Good/bad evaluations' },
    base: '/api/applications',
    routes: [
      {
        method: 'post',
        path: '/:id/evaluation',
        operationId: 'applications.evaluation',
        summary: {
          zh: '评价（1–5 级；每个渠道一次；差评生成整改任务）',
          en: 'Evaluate (levels 1–5, one per channel; a bad review opens rectification)',
        },
        roles: ['applicant', 'clerk'],
        params: { id: idParam },
        body: objectOf(
          {
            channel: EvaluationChannel,
            level: { type: 'integer', minimum: 1, maximum: 5 },
            indicators: {
              type: 'object',
              additionalProperties: { type: 'number', minimum: 1, maximum: 5 },
              maxProperties: 50,
            },
            comment: text(2000, 0),
          },
          ['channel', 'level'],
        ),
        response: { schema: Application },
        errors: [404, 409],
        target: (ctx) => `application:${ctx.params.id}`,
        handler: async ({ actor, params, body }) => {
          const evaluated = await deps.centre.evaluate(actor, params.id, body);
          // A bad review opens its rectification case now (idempotent; start-up reconciles a crash here).
          await rectifications.openFor(evaluated.id);
          return deps.centre.getApplication(actor, evaluated.id);
        },
      },
    ],
  };
}
