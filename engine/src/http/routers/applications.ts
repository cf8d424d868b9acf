/**
 * Applications (办件) at the window and online: create, edit the draft, submit, accept (with 容缺
 * and 告知承诺), return for correction, refuse, the one-time notice, supplements, delivery.
 */
import { auditActor } from '../../audit/index.js';
import type { Actor } from '../../domain/actor.js';
import { AssistedServiceSchema, authorisationOf } from '../../network/assisted.js';
import type { AppContext } from '../context.js';
import type { Application as ApplicationRecord } from '../../applications/types.js';
import { actionRoute, reply, type Resource, type RouteDef } from '../route.js';
import {
  afterParam,
  Answers,
  Applicant,
  Application,
  ApplicationStatus,
  CommitmentInput,
  DeliverInput,
  EmptyBody,
  FormData,
  idParam,
  limitParam,
  MaterialInput,
  NoticeEntries,
  objectOf,
  pageOf,
  text,
  TimeStatus,
} from '../schemas.js';

const id = { id: idParam };
const Materials = { type: 'array', items: MaterialInput, maxItems: 500 };

export function applicationResource(deps: AppContext): Resource {
  const { centre } = deps;
  /**
   * Commands answer with the record as a read would show it to this actor (masking applied):
   * the Centre's commands return the stored record, which only its applicant may see in full.
   */
  const asRead =
    (handler: RouteDef['handler']): RouteDef['handler'] =>
    async (ctx) => {
      const result = (await handler(ctx)) as ApplicationRecord | undefined;
      return result && typeof result.id === 'string' ? centre.getApplication(ctx.actor, result.id) : result;
    };
  const action = (
    name: string,
    summary: RouteDef['summary'],
    roles: RouteDef['roles'],
    body: RouteDef['body'],
    handler: RouteDef['handler'],
    extra: Partial<RouteDef> = {},
  ) =>
    actionRoute(
      'applications',
      name,
      { summary, roles, body, handler: asRead(handler), params: id, schema: Application },
      extra,
    );
  /** 帮办代办 gets its own audit entry: who recorded which assistance, where; no personal data. */
  const auditAssisted = async (actor: Actor, app: ApplicationRecord, input: unknown) => {
    if (input === undefined || !app.assisted) return;
    const a = app.assisted;
    await deps.audit.append({
      actor: auditActor(actor),
      action: 'applications.assisted',
      target: `application:${app.id}`,
      outcome: 'ok',
      detail: {
        mode: a.mode,
        relationship: a.agent.relationship,
        authorisation: authorisationOf(a),
        ...(a.venue ? { venue: a.venue } : {}),
      },
    });
  };
  const refuse: RouteDef['handler'] = ({ actor, params, body }) =>
    centre.refuse(actor, params.id, { reason: body.reason });
  const refuseBody = objectOf({ reason: text(2000) }, ['reason']);
  return {
    name: 'applications',
    description: {
      zh: '办件：综合窗口受理、补正、出件',
      en: 'Applications: window acceptance, corrections, delivery',
    },
    base: '/api/applications',
    routes: [
      {
        method: 'post',
        path: '',
        operationId: 'applications.create',
        summary: { zh: '新建办件（草稿）', en: 'Start an application (draft)' },
        roles: ['clerk', 'applicant'],
        body: objectOf(
          {
            bundleCode: text(100),
            answers: Answers,
            applicant: Applicant,
            data: FormData,
            assisted: AssistedServiceSchema,
          },
          ['bundleCode', 'applicant'],
        ),
        response: { status: 201, schema: Application },
        errors: [404, 409],
        handler: async ({ actor, body }) => {
          const app = await centre.createApplication(actor, {
            bundleCode: body.bundleCode,
            answers: body.answers ?? {},
            applicant: body.applicant,
            ...(body.data ? { data: body.data } : {}),
            ...(body.assisted ? { assisted: body.assisted } : {}),
          });
          await auditAssisted(actor, app, body.assisted);
          return reply({
            status: 201,
            // createApplication answers with the saved record as this actor reads it (masked).
            body: app,
            headers: { Location: `/api/applications/${encodeURIComponent(app.id)}` },
            auditTarget: `application:${app.id}`,
          });
        },
      },
      {
        method: 'get',
        path: '',
        operationId: 'applications.list',
        summary: {
          zh: '办件列表（按角色和区域限定范围）',
          en: 'List applications (scoped by role and region)',
        },
        roles: ['clerk', 'supervisor', 'applicant'],
        query: {
          status: ApplicationStatus,
          bundleCode: text(100),
          timeStatus: TimeStatus,
          limit: limitParam,
          after: afterParam,
        },
        response: { schema: pageOf(Application) },
        handler: async ({ actor, query }) => centre.listApplications(actor, query),
      },
      {
        method: 'get',
        path: '/:id',
        operationId: 'applications.get',
        audit: true,
        summary: { zh: '办件详情（含办理轨迹）', en: 'One application with its timeline' },
        roles: ['clerk', 'supervisor', 'applicant', 'department'],
        params: id,
        response: { schema: Application },
        errors: [404],
        handler: async ({ actor, params }) => centre.getApplication(actor, params.id),
      },
      {
        method: 'patch',
        path: '/:id',
        operationId: 'applications.update',
        summary: {
          zh: '修改草稿（情形答案、表单数据、申请人）',
          en: 'Edit the draft (answers, form data, applicant)',
        },
        roles: ['clerk', 'applicant'],
        params: id,
        body: objectOf({ answers: Answers, data: FormData, applicant: Applicant }, [], { minProperties: 1 }),
        response: { schema: Application },
        errors: [404, 409],
        handler: asRead(async ({ actor, params, body }) => centre.updateApplication(actor, params.id, body)),
      },
      action(
        'submit',
        { zh: '提交（等待窗口形式审查）', en: 'Submit for the front-desk check' },
        ['clerk', 'applicant'],
        EmptyBody,
        ({ actor, params }) => centre.submit(actor, params.id),
      ),
      action(
        'accept',
        {
          zh: '受理并分发：核对材料，记录容缺和告知承诺',
          en: 'Accept and dispatch: materials checked, 容缺 deferrals and 告知承诺 commitments recorded',
        },
        ['clerk'],
        objectOf(
          {
            materials: Materials,
            commitments: { type: 'array', items: CommitmentInput, maxItems: 100 },
            deferralDays: { type: 'integer', minimum: 1, maximum: 60 },
            assisted: AssistedServiceSchema,
          },
          ['materials'],
        ),
        async ({ actor, params, body }) => {
          const app = await centre.accept(actor, params.id, body);
          await auditAssisted(actor, app, body.assisted);
          return app;
        },
      ),
      action(
        'return',
        {
          zh: '一次性告知补正（受理前）',
          en: 'Return for correction with one complete notice (before acceptance)',
        },
        ['clerk'],
        objectOf({ entries: NoticeEntries }, ['entries']),
        ({ actor, params, body }) => centre.returnForCorrection(actor, params.id, { entries: body.entries }),
      ),
      action(
        'refuse',
        { zh: '不予受理（须说明理由）', en: 'Refuse (不予受理) with a reason' },
        ['clerk'],
        refuseBody,
        refuse,
      ),
      action(
        'reject',
        { zh: '不予受理（refuse 的旧名）', en: 'Alias of refuse' },
        ['clerk'],
        refuseBody,
        refuse,
        { deprecated: true },
      ),
      action(
        'notice',
        {
          zh: '汇总各部门补正要求，出具一次性告知书',
          en: 'Gather every pending department request into one notice',
        },
        ['clerk'],
        EmptyBody,
        ({ actor, params }) => centre.issueNotice(actor, params.id),
      ),
      action(
        'supplement',
        {
          zh: '补正：补充数据或材料（含容缺材料）',
          en: 'Supplement: corrected data or materials (incl. deferred ones)',
        },
        ['clerk', 'applicant'],
        // Emptiness is the Centre's to judge: a clerk's empty supplement answers a notice's free-text entries.
        objectOf({ data: FormData, materials: Materials }, []),
        ({ actor, params, body }) => centre.supplement(actor, params.id, body),
      ),
      action(
        'deliver',
        {
          zh: '出件：一窗送达各部门结果；列出事项则分批出件',
          en: 'Deliver every result at one window; with items, deliver those finished (分批出件)',
        },
        ['clerk'],
        DeliverInput,
        ({ actor, params, body }) =>
          centre.deliver(actor, params.id, {
            channel: body.channel,
            ...(body.items !== undefined ? { items: body.items } : {}),
          }),
      ),
    ],
  };
}
