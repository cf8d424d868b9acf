/** What a department's inbox and task page show of one item case (DepartmentTask in api.ts). */
import type { DepartmentTask } from './api.js';
import { itemLimit } from './case-clock.js';
import type { TimeLimits } from './clock.js';
import { notReached, taskIdOf } from './inbox-rows.js';
import type { Application, ItemCase } from './types.js';

/** `withDetails`: the materials of the item too (one task's page, not an inbox list). */
export function taskView(
  limits: TimeLimits,
  clock: () => number,
  app: Application,
  item: ItemCase,
  withDetails: boolean,
): DepartmentTask {
  const view: DepartmentTask = {
    id: taskIdOf(app.id, item.item),
    applicationId: app.id,
    applicationNumber: app.number,
    bundleCode: app.bundleCode,
    item: item.item,
    itemName: item.name,
    department: item.department,
    status: item.status,
    createdAt: app.acceptedAt ?? app.createdAt,
  };
  if (item.claimedBy) view.claimedBy = item.claimedBy;
  if (notReached(app, item)) view.waiting = true;
  if (app.acceptedAt !== undefined) {
    const state = itemLimit(limits, app, item, clock());
    view.deadline = state.deadline;
    view.remainingWorkingDays = state.remainingWorkingDays;
    view.timeStatus = state.status;
  }
  if (item.specialStep) view.specialStep = true;
  if (item.decidingDepartment) view.decidingDepartment = item.decidingDepartment;
  if (app.acceptedVenue) view.acceptedVenue = app.acceptedVenue;
  if (item.crossRegion) view.crossRegion = true;
  if (withDetails) {
    view.materials = app.materials
      .filter((m) => m.items.includes(item.item))
      .map((m) => ({ id: m.id, name: m.name, status: m.status }));
  }
  return view;
}
