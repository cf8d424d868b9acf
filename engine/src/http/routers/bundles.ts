/** Bundles (一件事 packages): list, deploy, read a version, retire, and the unified form for answers. */
import { ROLES } from '../../domain/actor.js';
import type { AppContext } from '../context.js';
import { reply, type Resource } from '../route.js';
import { AnyObject, Answers, BundleSummary, codeParam, EmptyBody, objectOf } from '../schemas.js';

export const BUNDLE_BODY_LIMIT = '5mb';

const BundleRecord = {
  type: 'object',
  description: 'A deployed bundle version: bundle.json definition, BPMN XML, process id and version, status',
  properties: {
    code: { type: 'string' },
    version: { type: 'integer' },
    status: { enum: ['active', 'retired'] },
    processId: { type: 'string' },
    processVersion: { type: 'integer' },
    definition: { type: 'object' },
    xml: { type: 'string' },
    sha256: { type: 'string' },
    createdAt: { type: 'integer' },
    createdBy: { type: 'string' },
  },
  required: ['code', 'version', 'status', 'definition'],
};

const MergeResult = {
  type: 'object',
  description:
    'The unified form for these answers: JSON Schema, JSON Forms UI schema, active items, one materials list',
};

const list = (items: object) => ({
  type: 'object',
  properties: { items: { type: 'array', items } },
  required: ['items'],
});

export function bundleResource(deps: AppContext): Resource {
  const { centre } = deps;
  return {
    name: 'bundles',
    description: {
      zh: '事项包：部署、版本、停用、统一表单',
      en: 'Bundles: deploy, versions, retire, unified form',
    },
    base: '/api/bundles',
    routes: [
      {
        method: 'get',
        path: '',
        operationId: 'bundles.list',
        summary: { zh: '事项包列表（每个事项包的最新版本）', en: 'List bundles (newest version of each)' },
        roles: ROLES,
        response: { schema: list(BundleSummary) },
        handler: async ({ actor }) => ({ items: await centre.listBundles(actor) }),
      },
      {
        method: 'post',
        path: '',
        operationId: 'bundles.deploy',
        summary: {
          zh: '部署事项包（bundle.json + BPMN 一起校验、一起定版）',
          en: 'Deploy a bundle: bundle.json and BPMN validated and versioned together',
        },
        roles: ['analyst'],
        bodyLimit: BUNDLE_BODY_LIMIT,
        body: objectOf({ bundle: AnyObject, xml: { type: 'string', minLength: 1, maxLength: 5_000_000 } }, [
          'bundle',
          'xml',
        ]),
        response: {
          status: 201,
          schema: BundleSummary,
          description: { zh: '已部署的版本', en: 'The deployed version' },
        },
        errors: [409],
        target: (ctx) => `bundle:${String((ctx.body.bundle as { code?: unknown }).code ?? '?')}`,
        handler: async ({ actor, body }) => {
          const summary = await centre.deployBundle(actor, { bundle: body.bundle, xml: body.xml });
          return reply({
            status: 201,
            body: summary,
            headers: {
              Location: `/api/bundles/${encodeURIComponent(summary.code)}?version=${summary.version}`,
            },
            auditTarget: `bundle:${summary.code}@${summary.version}`,
          });
        },
      },
      {
        method: 'get',
        path: '/:code',
        operationId: 'bundles.get',
        summary: { zh: '事项包的一个版本（缺省为最新）', en: 'One version of a bundle (newest by default)' },
        roles: ROLES,
        params: { code: codeParam },
        query: { version: { type: 'integer', minimum: 1 } },
        response: { schema: BundleRecord },
        errors: [404],
        handler: async ({ actor, params, query }) => centre.getBundle(actor, params.code, query.version),
      },
      {
        method: 'post',
        path: '/:code/retire',
        operationId: 'bundles.retire',
        summary: {
          zh: '停用事项包（在办件按原版本办完）',
          en: 'Retire a bundle (running applications finish on their version)',
        },
        roles: ['analyst'],
        params: { code: codeParam },
        body: EmptyBody,
        response: { schema: list(BundleSummary) },
        errors: [404],
        handler: async ({ actor, params }) => ({ items: await centre.retireBundle(actor, params.code) }),
      },
      {
        method: 'post',
        path: '/:code/form',
        operationId: 'bundles.form',
        summary: {
          zh: '按情形答案生成统一表单和材料清单',
          en: 'Situation answers → unified form and materials',
        },
        roles: ROLES,
        params: { code: codeParam },
        body: objectOf({ answers: Answers }, ['answers']),
        response: { schema: MergeResult },
        errors: [404],
        audit: false,
        idempotent: false,
        handler: async ({ actor, params, body }) => centre.unifiedForm(actor, params.code, body.answers),
      },
    ],
  };
}
