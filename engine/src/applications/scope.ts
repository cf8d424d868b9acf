/**
 * Who may see and do what. Every Centre method calls these before touching a record, and list
 * queries build their filters from `listScope`, so scoping lives in the queries themselves.
 */
import type { Actor, Role } from '../domain/actor.js';
import { forbidden, notFound } from '../domain/errors.js';
import type { Application } from './types.js';

const ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  analyst: { zh: '业务配置人员', en: 'analyst' },
  clerk: { zh: '综合窗口人员', en: 'clerk' },
  department: { zh: '部门审批人员', en: 'department reviewer' },
  supervisor: { zh: '监督管理人员', en: 'supervisor' },
  applicant: { zh: '申请人', en: 'applicant' },
};

export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (roles.includes(actor.role)) return;
  const allowed = roles.map((r) => ROLE_NAMES[r]);
  throw forbidden({
    zh: `此操作仅限${allowed.map((r) => r.zh).join('或')}`,
    en: `only a ${allowed.map((r) => r.en).join(' or ')} may do this`,
  });
}

/** Whether the actor may read this application at all. */
export function canSee(actor: Actor, app: Application): boolean {
  switch (actor.role) {
    case 'clerk':
      return inRegion(actor, app) || app.owner === actor.userId;
    case 'supervisor':
      return inRegion(actor, app);
    case 'department':
      return !!actor.department && app.departments.includes(actor.department) && app.status !== 'draft';
    case 'applicant':
      return !!app.applicant.userId && app.applicant.userId === actor.userId;
    default:
      return false;
  }
}

/** Reads an application the actor may see; anything else is "not found" (no existence leak). */
export function visible(actor: Actor, app: Application | undefined, id: string): Application {
  if (!app || !canSee(actor, app)) throw notFound({ zh: `办件 ${id}`, en: `application ${id}` });
  return app;
}

/** City code of a district or town code: its first four digits + "00". */
export const cityOf = (region: string) => `${region.slice(0, 4)}00`;

/** Equality filters that restrict a list query to what the actor may see. */
export function listScope(actor: Actor): Record<string, string> {
  switch (actor.role) {
    case 'applicant':
      return { applicantUserId: actor.userId };
    case 'clerk':
    case 'supervisor':
      if (!actor.region) return {};
      return actor.region.endsWith('00') ? { city: actor.region } : { region: actor.region.slice(0, 6) };
    default:
      throw forbidden({ zh: '无权查看办件列表', en: 'you may not list applications' });
  }
}

function inRegion(actor: Actor, app: Application): boolean {
  if (!actor.region || !app.region) return true;
  return actor.region.endsWith('00') ? app.city === actor.region : app.region === actor.region.slice(0, 6);
}
