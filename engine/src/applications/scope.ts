/**
 * Who may see and do what. Every Centre method calls these before touching a record, and list
 * queries build their filters from `listScope` and `taskScope`, so scoping lives in the queries
 * themselves.
 *
 * 属地办理: a department user decides only the items routed to their department in their region
 * (the deciding department's office, recorded at acceptance); the accepting clerk keeps the case
 * (异地收件); a supervisor sees the applications accepted in their region and the work its
 * departments decide. Outside that, a record is "not found", never "forbidden".
 */
import type { Actor, Role } from '../domain/actor.js';
import { forbidden, notFound } from '../domain/errors.js';
import type { Application, ItemCase } from './types.js';

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
      return inRegion(actor, app) || app.items.some((i) => covers(actor.region, deciderRegionOf(app, i)));
    case 'department':
      // Only what the window accepted and dispatched: a case submitted, returned or refused was
      // never sent to a department (its inbox and task reads say the same).
      return app.acceptedAt !== undefined && app.items.some((i) => decides(actor, app, i));
    case 'applicant':
      return [app.applicant.userId, app.assisted?.agent.userId].includes(actor.userId);
    default:
      return false;
  }
}

/**
 * Writes the agent's account top level so list queries find a proxy's (代办) cases
 * (`agentListScope`); the record type has no field for it, it is a stored index key only.
 */
export function stampAgentUserId(app: Application): void {
  const stored = app as Application & { agentUserId?: string };
  const agent = app.assisted?.agent.userId;
  if (agent) stored.agentUserId = agent;
  else delete stored.agentUserId;
}

/** Reads an application the actor may see; anything else is "not found" (no existence leak). */
export function visible(actor: Actor, app: Application | undefined, id: string): Application {
  if (!app || !canSee(actor, app)) throw notFound({ zh: `办件 ${id}`, en: `application ${id}` });
  return app;
}

/**
 * The region of the office that decides an item: the deciding department's own region when the
 * service network routed it, else the accepting district (the case is handled where received).
 */
export function deciderRegionOf(app: Application, item: ItemCase): string | undefined {
  return item.decidingDepartmentRegion ?? app.region;
}

/** Whether a department user decides this item: their functional department and, when they have a region, their office. */
export function decides(actor: Actor, app: Application, item: ItemCase): boolean {
  if (actor.role !== 'department' || !actor.department || item.department !== actor.department) return false;
  return !actor.region || deciderRegionOf(app, item) === actor.region;
}

/** The items of the case a department user decides (`decides`): what their review shows and may ask for. */
export function itemsDecidedBy(actor: Actor, app: Application): Set<string> {
  return new Set(app.items.filter((i) => decides(actor, app, i)).map((i) => i.item));
}

/** The scoping fields of a department inbox row (projected from the item), matched by `taskScope`. */
export function taskScopeFields(app: Application, item: ItemCase): Record<string, string> {
  const region = deciderRegionOf(app, item);
  if (!region) return {};
  return { deciderRegion: region, deciderDistrict: region.slice(0, 6), deciderCity: cityOf(region) };
}

/** Equality filters that restrict the department inbox to what the actor may see. */
export function taskScope(actor: Actor): Record<string, string> {
  switch (actor.role) {
    case 'department':
      return { department: actor.department ?? '', ...(actor.region ? { deciderRegion: actor.region } : {}) };
    case 'supervisor':
      if (!actor.region) return {};
      return citywide(actor.region)
        ? { deciderCity: cityOf(actor.region) }
        : { deciderDistrict: actor.region.slice(0, 6) };
    default:
      throw forbidden({ zh: '无权查看部门任务', en: 'you may not list department tasks' });
  }
}

export type RegionLevel = 'province' | 'city' | 'district' | 'town' | 'village';

/**
 * The level of an administrative division code: by its length (2 province, 4 city, 6 county or
 * district, 9 town, 12 village); a six-digit code by its padding (440000, 440400, 440402). Town
 * and village codes may end in 00 too (440402100, 440402101200).
 */
export function regionLevel(code: string): RegionLevel {
  if (code.length > 9) return 'village';
  if (code.length > 6) return 'town';
  if (code.length <= 2 || code.endsWith('0000')) return 'province';
  return code.length <= 4 || code.endsWith('00') ? 'city' : 'district';
}

/**
 * Whether a user of this region works city-wide (a city code; a province code, which records do
 * not carry, as before); anyone below — a district, town or village — works in their district.
 */
const citywide = (region: string) => ['city', 'province'].includes(regionLevel(region));

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
      return citywide(actor.region) ? { city: cityOf(actor.region) } : { region: actor.region.slice(0, 6) };
    default:
      throw forbidden({ zh: '无权查看办件列表', en: 'you may not list applications' });
  }
}

/** The applicant's second list: the cases they act in as an agent (stored `agentUserId`); none for staff. */
export function agentListScope(actor: Actor): Record<string, string> | undefined {
  return actor.role === 'applicant' ? { agentUserId: actor.userId } : undefined;
}

/** Whether `region` lies in the supervisor's region `scope` (a city, or a district and what is inside it). */
function covers(scope: string | undefined, region: string | undefined): boolean {
  if (!scope || !region) return !scope;
  return citywide(scope) ? cityOf(region) === cityOf(scope) : region.slice(0, 6) === scope.slice(0, 6);
}

/** Whether a record with this district/city lies in the actor's region (everywhere when either is unset). */
export function inRegion(actor: Actor, app: Pick<Application, 'region' | 'city'>): boolean {
  if (!actor.region || !app.region) return true;
  return citywide(actor.region) ? app.city === cityOf(actor.region) : app.region === actor.region.slice(0, 6);
}
