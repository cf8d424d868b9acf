/** What a department's inbox and task page show of one item case (DepartmentTask in api.ts). */
import type { BundleDefinition } from '../../../forms/src/bundle/index.js';
import type { DepartmentTask, UpstreamResult } from './api.js';
import { workingClock } from './case-clock.js';
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
    // An open special step's own limit while it runs (the item's clock waits), else the item's.
    const { state, step } = workingClock(limits, app, item, clock());
    view.deadline = state.deadline;
    view.remainingWorkingDays = state.remainingWorkingDays;
    view.timeStatus = state.status;
    if (step) view.openSpecialStep = { name: step.name, openedAt: step.openedAt, limitDays: step.limitDays };
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

/**
 * What approving the item asks for (its outputs), and the results of earlier items it works from:
 * only the outputs it names in `needs` (least necessary), and only of items approved. An earlier
 * item not in the case (the birth certificate issued elsewhere), or not yet approved, shows
 * nothing: no value stands in for a result that does not exist.
 */
export function withOutputs(view: DepartmentTask, definition: BundleDefinition, app: Application): void {
  const declared = definition.items.find((i) => i.code === view.item);
  if (declared?.outputs?.length) view.outputs = declared.outputs;
  const upstream = upstreamResults(declared?.needs ?? [], app);
  if (upstream.length) view.upstreamResults = upstream;
}

function upstreamResults(needs: { item: string; output: string }[], app: Application): UpstreamResult[] {
  const results: UpstreamResult[] = [];
  for (const source of app.items) {
    if (source.status !== 'approved') continue;
    const keys = new Set(needs.filter((n) => n.item === source.item).map((n) => n.output));
    const outputs = (source.outputs ?? []).filter((o) => keys.has(o.key));
    if (outputs.length) results.push({ item: source.item, itemName: source.name, outputs });
  }
  return results;
}
