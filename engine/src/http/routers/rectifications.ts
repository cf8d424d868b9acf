/** 差评整改: bad-review rectification cases — list, read, and each step of their workflow. */
import { RECTIFICATION_STATUSES, type RectificationDesk } from '../../applications/rectification.js';
import type { Resource, RouteDef } from '../route.js';
import { actionRoute } from '../route.js';
import { afterParam, idParam, limitParam, named, objectOf, pageOf, text, TimeStatus } from '../schemas.js';

const Stamp = { at: { type: 'integer' }, by: { type: 'string' } };

export const Rectification = named('Rectification', {
  type: 'object',
  description:
    'A bad-review rectification case (差评整改): assigned → verifying → rectifying | explained | appealed → fedBack → closed, with a deadline in working days.',
  properties: {
    id: { type: 'string', description: '<application id>:<evaluation channel>' },
    rev: { type: 'integer' },
    applicationId: { type: 'string' },
    applicationNumber: { type: 'string' },
    bundleCode: { type: 'string' },
    channel: { type: 'string' },
    level: { type: 'integer' },
    comment: { type: 'string' },
    evaluatedAt: { type: 'integer' },
    department: { type: 'string', description: 'The responsible unit (谁办理、谁负责)' },
    region: { type: 'string' },
    status: { enum: [...RECTIFICATION_STATUSES] },
    createdAt: { type: 'integer' },
    limitDays: { type: 'number' },
    deadline: { type: 'integer' },
    remainingWorkingDays: { type: 'number' },
    timeStatus: TimeStatus,
    contact: { type: 'object', properties: { ...Stamp, note: { type: 'string' } } },
    finding: {
      type: 'object',
      properties: {
        ...Stamp,
        result: { enum: ['valid', 'no-basis', 'mistaken'] },
        reason: { type: 'string' },
        plan: { type: 'string' },
      },
    },
    appealReview: {
      type: 'object',
      properties: { ...Stamp, upheld: { type: 'boolean' }, reason: { type: 'string' } },
    },
    feedback: {
      type: 'object',
      properties: { ...Stamp, message: { type: 'string' }, measures: { type: 'string' } },
    },
    revisit: {
      type: 'object',
      properties: { ...Stamp, satisfied: { type: 'boolean' }, note: { type: 'string' } },
    },
    onTime: { type: 'boolean' },
    closedAt: { type: 'integer' },
    timeline: { type: 'array', items: { type: 'object' } },
  },
  required: ['id', 'applicationId', 'department', 'status', 'deadline'],
});

export function rectificationResource(desk: RectificationDesk): Resource {
  const step = (
    name: string,
    summary: RouteDef['summary'],
    roles: RouteDef['roles'],
    body: RouteDef['body'],
    handler: RouteDef['handler'],
  ) =>
    actionRoute('rectifications', name, {
      summary,
      roles,
      body,
      handler,
      params: { id: idParam },
      schema: Rectification,
    });
  return {
    name: 'rectifications',
    description: {
      zh: '差评整改：核实、整改或解释、申诉复核、反馈、回访',
      en: 'Bad-review rectification: verify, rectify or explain, appeal review, feedback, revisit',
    },
    base: '/api/rectifications',
    routes: [
      {
        method: 'get',
        path: '',
        operationId: 'rectifications.list',
        summary: {
          zh: '整改件列表（部门只见本部门，监督人员见本区域，申请人见本人），按期限排序',
          en: 'List cases by deadline (a department sees its own, a supervisor their region, an applicant theirs)',
        },
        roles: ['department', 'supervisor', 'applicant'],
        query: {
          status: { enum: [...RECTIFICATION_STATUSES] },
          department: text(100),
          timeStatus: TimeStatus,
          applicationId: idParam,
          limit: limitParam,
          after: afterParam,
        },
        response: { schema: pageOf(Rectification) },
        handler: async ({ actor, query }) => desk.list(actor, query),
      },
      {
        method: 'get',
        path: '/:id',
        operationId: 'rectifications.get',
        summary: { zh: '整改件详情（含处理记录）', en: 'One case with its timeline' },
        roles: ['department', 'supervisor', 'applicant'],
        params: { id: idParam },
        response: { schema: Rectification },
        errors: [404],
        // The evaluator's comment can hold personal details: reads are logged.
        audit: true,
        handler: async ({ actor, params }) => desk.get(actor, params.id),
      },
      step(
        'assign',
        { zh: '改派责任单位（核实结束前）', en: 'Reassign the responsible unit (before verification ends)' },
        ['supervisor'],
        objectOf({ department: text(100), reason: text(2000) }, ['department']),
        async ({ actor, params, body }) => desk.assign(actor, params.id, body),
      ),
      step(
        'contact',
        { zh: '联系评价人（首次联系）', en: 'Record the first contact with the evaluator' },
        ['department'],
        objectOf({ note: text(2000) }, ['note']),
        async ({ actor, params, body }) => desk.contact(actor, params.id, body),
      ),
      step(
        'verify',
        {
          zh: '核实结论：属实→整改；无法律依据→解释说明；误评或恶意→申诉复核（后两者须说明理由）',
          en: 'Verification: valid → rectify; no legal basis → explain; mistaken or malicious → appeal (reason required for the last two)',
        },
        ['department'],
        objectOf(
          { finding: { enum: ['valid', 'no-basis', 'mistaken'] }, reason: text(2000), plan: text(2000) },
          ['finding'],
        ),
        async ({ actor, params, body }) => desk.verify(actor, params.id, body),
      ),
      step(
        'review',
        {
          zh: '申诉复核：支持则作无效差评办结，不支持则转整改',
          en: 'Appeal review: upheld closes it as an invalid review, otherwise it goes to rectification',
        },
        ['supervisor'],
        objectOf({ upheld: { type: 'boolean' }, reason: text(2000) }, ['upheld', 'reason']),
        async ({ actor, params, body }) => desk.reviewAppeal(actor, params.id, body),
      ),
      step(
        'feedback',
        {
          zh: '向申请人反馈结果（整改中须填写整改措施）',
          en: 'Feed the result back to the applicant (measures required when rectifying)',
        },
        ['department'],
        objectOf({ message: text(2000), measures: text(2000) }, ['message']),
        async ({ actor, params, body }) => desk.feedback(actor, params.id, body),
      ),
      step(
        'revisit',
        {
          zh: '回访：记录申请人是否满意并办结',
          en: 'Revisit: record whether the applicant is satisfied; closes the case',
        },
        ['department', 'supervisor'],
        objectOf({ satisfied: { type: 'boolean' }, note: text(2000) }, ['satisfied']),
        async ({ actor, params, body }) => desk.revisit(actor, params.id, body),
      ),
    ],
  };
}
