/**
 * The audit log for supervisors: newest entries first, and a walk of the whole hash chain.
 *
 * A supervisor reads the log of their region (SECURITY.md). Entries carry no region of their own,
 * but each names its actor — with the actor's region, for staff — and its target, and both are
 * part of the hashed entry, so old and new entries are scoped alike without rewriting the chain:
 *
 * - an entry whose actor works in the supervisor's region (scoping.ts regionCovers) is theirs;
 * - else one about a case (`application:`, `task:`, `material-file:`, `rectification:` ids start
 *   with the case id; `instance:` through its business key) is theirs when they may see the case
 *   (the Centre's canSee): applicants' reads and commands, other offices' work on it;
 * - else one about a user (`user:` — log-ins, log-outs, revocations) by that user's region in
 *   the directory;
 * - what still has no region (an unknown username's failed log-in, an applicant's booking, a
 *   region-less analyst) is shown to city-wide supervisors (a city or province code) and to
 *   those without a region, never to a district's.
 *
 * The chain walk (`/verify`) reports positions and hashes only, and covers the whole chain.
 */
import { regionLevel } from '../../applications/scope.js';
import type { AuditEntry as Entry } from '../../audit/index.js';
import type { Actor } from '../../domain/actor.js';
import { encodeCursor } from '../../domain/docs.js';
import type { AppContext } from '../context.js';
import type { Resource } from '../route.js';
import { afterParam, AuditEntry, pageOf, Text, text } from '../schemas.js';
import { caseSight, regionCovers, scopedPage } from '../scoping.js';

/**
 * Target kinds whose id is, or starts with, a case id (`task:<case>:<item>`,
 * `rectification:<case>:<channel>`, a material file's `application:<case>/material:<id>`).
 */
const CASE_TARGETS = new Set(['application', 'task', 'material-file', 'rectification']);
/** The case id at the start of a target's id: up to its first ':' or '/'. */
const CASE_ID = /^[^:/]*/;

/** Whether the actor reads this entry (see the rules above). */
function entrySight(deps: AppContext, actor: Actor): (entry: Entry) => Promise<boolean> {
  const region = actor.region;
  if (!region) return async () => true;
  const citywide = ['city', 'province'].includes(regionLevel(region));
  const sight = caseSight(deps.sealedDocs, actor);
  // A page names the same instance many times (each of its commands): read each once.
  const instanceCases = new Map<string, Promise<string | undefined>>();
  /** The case the entry is about, if any: `undefined` when there is none (or no longer). */
  const caseOf = (kind: string, id: string): Promise<string | undefined> | string | undefined => {
    if (CASE_TARGETS.has(kind)) return CASE_ID.exec(id)![0];
    if (kind !== 'instance') return undefined;
    let found = instanceCases.get(id);
    if (!found) {
      found = deps.engine.store.getInstance(id).then((record) => record?.businessKey);
      instanceCases.set(id, found);
    }
    return found;
  };
  return async (entry) => {
    if (entry.actor.region && regionCovers(actor, entry.actor.region)) return true;
    const colon = entry.target.indexOf(':');
    const kind = colon > 0 ? entry.target.slice(0, colon) : '';
    const id = entry.target.slice(colon + 1);
    const appId = await caseOf(kind, id);
    const seen = appId === undefined ? undefined : await sight(appId);
    if (seen !== undefined) return seen;
    const owner = kind === 'user' ? deps.users.get(id) : undefined;
    if (owner?.region) return regionCovers(actor, owner.region);
    return !entry.actor.region && citywide;
  };
}

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
        summary: {
          zh: '本辖区的审计记录（新的在前）',
          en: "Audit entries of the caller's region, newest first",
        },
        roles: ['supervisor'],
        query: {
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          after: afterParam,
          action: text(100),
          userId: text(64),
        },
        response: { schema: pageOf(AuditEntry) },
        handler: async ({ actor, query }) => {
          const { limit = 50, after, action, userId } = query;
          const filter = { ...(action ? { action } : {}), ...(userId ? { userId } : {}) };
          const page = await scopedPage<Entry>(
            {
              read: async (from, n) => {
                const got = await deps.audit.list({ ...filter, limit: n, ...(from ? { after: from } : {}) });
                return { rows: got.items, more: got.next !== undefined };
              },
              cursorOf: (e) => encodeCursor(e.seq, e.id),
            },
            entrySight(deps, actor),
            { limit, after },
          );
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
