/** The audit log for supervisors: newest entries first, and a walk of the whole hash chain. */
import type { AppContext } from '../context.js';
import type { Resource } from '../route.js';
import { afterParam, AuditEntry, pageOf, Text, text } from '../schemas.js';

export function auditResource(deps: AppContext): Resource {
  return {
    name: 'audit',
    description: { zh: '审计日志（哈希链）', en: 'Audit log (hash chain)' },
    base: '/api/audit',
    routes: [
      {
        method: 'get',
        path: '',
        operationId: 'audit.list',
        summary: { zh: '审计记录（新的在前）', en: 'Audit entries, newest first' },
        roles: ['supervisor'],
        query: {
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          after: afterParam,
          action: text(100),
          userId: text(64),
        },
        response: { schema: pageOf(AuditEntry) },
        handler: async ({ query }) => {
          const page = await deps.audit.list(query);
          return {
            items: page.items.map(({ id: _id, rev: _rev, kind: _kind, userId: _userId, ...entry }) => entry),
            ...(page.next ? { next: page.next } : {}),
          };
        },
      },
      {
        method: 'get',
        path: '/verify',
        operationId: 'audit.verify',
        summary: {
          zh: '校验整条哈希链，报告第一处断裂',
          en: 'Walk the hash chain and report the first broken link',
        },
        roles: ['supervisor'],
        response: {
          schema: {
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              entries: { type: 'integer' },
              headSeq: { type: 'integer' },
              headHash: { type: 'string' },
              firstBroken: {
                type: 'object',
                properties: {
                  seq: { type: 'integer' },
                  id: { type: 'string' },
                  reason: { type: 'string' },
                  message: Text,
                },
              },
            },
            required: ['ok', 'entries', 'headSeq', 'headHash'],
          },
        },
        handler: async () => deps.audit.verify(),
      },
    ],
  };
}
