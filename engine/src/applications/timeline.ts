/** A case's timeline: who did what and when, including what the centre did by itself. */
import type { Actor } from '../domain/actor.js';
import type { Application } from './types.js';

/** Who the record names for what the centre does by itself (time limits, readiness, overdue 容缺). */
export const SYSTEM: Actor = { userId: 'system', name: '系统', role: 'supervisor' };

/** Appends to a record's timeline (applications here, rectification cases in rectification.ts). */
export function record(
  app: Pick<Application, 'timeline'>,
  actor: Actor,
  at: number,
  type: string,
  data?: Record<string, unknown>,
): void {
  const by: Application['timeline'][number]['by'] = { userId: actor.userId, role: actor.role };
  if (actor.department) by.department = actor.department;
  app.timeline.push({ at, type, by, ...(data ? { data } : {}) });
}
