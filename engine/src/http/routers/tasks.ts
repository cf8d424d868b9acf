/** The department inbox: list and read tasks, claim, approve, reject, ask for a supplement, post-check. */
import type { DepartmentTask } from '../../applications/api.js';
import type { Actor } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import type { AppContext } from '../context.js';
import { actionRoute, type Resource, type RouteDef } from '../route.js';
import {
  afterParam,
  DepartmentTask as DepartmentTaskSchema,
  EmptyBody,
  idParam,
  limitParam,
  NoticeEntries,
  objectOf,
  pageOf,
  text,
  TimeStatus,
} from '../schemas.js';

const id = { id: idParam };

export function taskResource(deps: AppContext): Resource {
  const { centre } = deps;
  /**
   * Defence in depth for supervisors, whom the Centre lets read every task: only tasks of
   * applications in their region (as GET /api/applications/:id decides), and without the
   * department payload (a department's view, with the values its items need in full) or the
   * earlier items' results it works from.
   */
  const forSupervisor = async (actor: Actor, tasks: DepartmentTask[]): Promise<DepartmentTask[]> => {
    if (actor.role !== 'supervisor') return tasks;
    const visible = new Map<string, Promise<boolean>>();
    const sees = (id: string) => {
      if (!visible.has(id))
        visible.set(
          id,
          centre.getApplication(actor, id).then(
            () => true,
            () => false,
          ),
        );
      return visible.get(id)!;
    };
    const out: DepartmentTask[] = [];
    for (const task of tasks) {
      if (!(await sees(task.applicationId))) continue;
      const { payload: _payload, upstreamResults: _upstream, ...rest } = task;
      out.push(rest);
    }
    return out;
  };
  const action = (
    name: string,
    summary: RouteDef['summary'],
    body: RouteDef['body'],
    handler: RouteDef['handler'],
  ) =>
    actionRoute('tasks', name, {
      summary,
      roles: ['department'],
      body,
      handler,
      params: id,
      schema: DepartmentTaskSchema,
    });
  return {
    name: 'tasks',
    description: {
      zh: '部门待办：认领、审批、补正要求、事后核查',
      en: 'Department inbox: claim, decide, supplement requests, post-checks',
    },
    base: '/api/tasks',
    routes: [
      {
        method: 'get',
        path: '',
        operationId: 'tasks.list',
        summary: { zh: '待办列表（部门只见本部门）', en: 'List tasks (a department sees its own only)' },
        roles: ['department', 'supervisor'],
        query: {
          department: text(100),
          state: { enum: ['waiting', 'open', 'claimed', 'needs-supplement', 'done'] },
          timeStatus: TimeStatus,
          limit: limitParam,
          after: afterParam,
        },
        response: { schema: pageOf(DepartmentTaskSchema) },
        handler: async ({ actor, query }) => {
          const page = await centre.listTasks(actor, query);
          return { ...page, items: await forSupervisor(actor, page.items) };
        },
      },
      {
        method: 'get',
        path: '/:id',
        operationId: 'tasks.get',
        audit: true,
        summary: {
          zh: '待办详情（只含本部门事项声明的字段，敏感值按声明脱敏）',
          en: "One task with only the fields its department's items declare, masked unless declared in full",
        },
        roles: ['department', 'supervisor'],
        params: id,
        response: { schema: DepartmentTaskSchema },
        errors: [404],
        handler: async ({ actor, params }) => {
          const [task] = await forSupervisor(actor, [await centre.getTask(actor, params.id)]);
          if (!task) throw notFound({ zh: `任务 ${params.id}`, en: `task ${params.id}` });
          return task;
        },
      },
      action('claim', { zh: '认领', en: 'Claim' }, EmptyBody, ({ actor, params }) =>
        centre.claim(actor, params.id),
      ),
      action(
        'approve',
        {
          zh: '准予（填写事项声明的办理结果；可填批准文号；可签发电子证照）',
          en: "Approve (the item's declared results; approval number; optionally issue a signed e-licence)",
        },
        objectOf({
          resultNumber: text(100),
          outputs: {
            type: 'object',
            description:
              "The item's results by key (bundle.json outputs, e.g. creditCode): each one it declares is required",
            maxProperties: 50,
            additionalProperties: { type: 'string', maxLength: 200 },
          },
          licence: objectOf(
            {
              typeCode: text(100),
              validTo: { type: 'string', format: 'date' },
              holderId: {
                ...text(64),
                description: "Who holds it (default: the applicant), e.g. the new enterprise's credit code",
              },
            },
            ['typeCode'],
          ),
          comment: text(2000, 0),
        }),
        ({ actor, params, body }) => centre.approve(actor, params.id, body),
      ),
      action(
        'reject',
        { zh: '不予许可（须说明理由）', en: 'Reject with a reason' },
        objectOf({ reason: text(2000) }, ['reason']),
        ({ actor, params, body }) => centre.reject(actor, params.id, { reason: body.reason }),
      ),
      action(
        'request-supplement',
        { zh: '提出补正要求（经窗口一次性告知）', en: 'Request a supplement (the window notifies once)' },
        objectOf({ entries: NoticeEntries }, ['entries']),
        ({ actor, params, body }) => centre.requestSupplement(actor, params.id, { entries: body.entries }),
      ),
      action(
        'withdraw-supplement',
        {
          zh: '撤回本事项未答复的补正要求（申请人已无法答复时）',
          en: "Withdraw the item's unanswered supplement requests (when the applicant can no longer answer them)",
        },
        EmptyBody,
        ({ actor, params }) => centre.withdrawSupplementRequest(actor, params.id),
      ),
      action(
        'post-check',
        {
          zh: '告知承诺事后核查结果（不实则撤销）',
          en: '告知承诺 post-check result (false revokes the approval)',
        },
        objectOf({ result: { enum: ['confirmed', 'false', 'unverifiable'] } }, ['result']),
        ({ actor, params, body }) => centre.recordPostCheck(actor, params.id, { result: body.result }),
      ),
    ],
  };
}
