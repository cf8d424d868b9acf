/**
 * Where a case is handled (就近办 / 跨域办): the first clerk's venue and region, the office that
 * decides each item, and the venue where the results are handed over.
 */
import type { Actor } from '../domain/actor.js';
import { t, DomainError } from '../domain/errors.js';
import { jurisdictionRegion, routeApplication, type ServiceNetwork } from '../network/index.js';
import { cityOf } from './scope.js';
import { record } from './timeline.js';
import type { Application } from './types.js';

/**
 * 就近办 / 跨域办: received at the clerk's venue (refused if the venue may not receive the bundle),
 * each item decided by the competent department of the applicant's or premises' region.
 */
export function route(
  network: ServiceNetwork | undefined,
  app: Application,
  actor: Actor,
  now: number,
): void {
  if (!network || !actor.venue || !network.venues.has(actor.venue)) return;
  const region = jurisdictionRegion(network, { data: app.data, venue: actor.venue });
  if (!region) return;
  const routing = routeApplication(network, {
    venue: actor.venue,
    bundleCode: app.bundleCode,
    region,
    items: app.items.map((i) => ({ code: i.item, department: i.department })),
    data: app.data,
  });
  app.acceptedVenue = actor.venue;
  for (const routed of routing.items) {
    const item = app.items.find((i) => i.item === routed.item);
    if (!item) continue;
    item.decidingDepartment = routed.decidingDepartment;
    item.decidingDepartmentRegion = routed.decidingDepartmentRegion;
    item.decidingRegion = routed.decidingRegion;
    if (routed.decidingVenue) item.decidingVenue = routed.decidingVenue;
    item.crossRegion = routed.crossRegion;
  }
  record(app, actor, now, 'routed', {
    acceptedVenue: actor.venue,
    items: routing.items.map((i) => ({
      item: i.item,
      decidingDepartment: i.decidingDepartment,
      decidingVenue: i.decidingVenue,
      crossRegion: i.crossRegion,
    })),
  });
}

/** 就近办: results are handed over at the venue that received the case (or sent by post / electronically). */
export function checkHandoverVenue(
  network: ServiceNetwork | undefined,
  app: Application,
  actor: Actor,
  channel: string,
): void {
  if (channel !== 'window' || !app.acceptedVenue || !actor.venue || actor.venue === app.acceptedVenue) return;
  const name = network?.venues.get(app.acceptedVenue)?.name ?? t(app.acceptedVenue, app.acceptedVenue);
  throw new DomainError(
    'invalid',
    t(
      `结果在受理地点${name.zh}窗口领取，或选择邮寄送达`,
      `results are handed over at ${name.en}, or sent by post`,
    ),
    [
      {
        field: 'channel',
        message: t('本窗口不是受理地点', 'this window is not where the case was received'),
      },
    ],
  );
}

/** The first clerk to handle a case owns it (首问负责) and fixes its venue and region. */
export function stampClerk(app: Application, actor: Actor): void {
  if (actor.role !== 'clerk') return;
  app.owner ??= actor.userId; // 首问负责: the first clerk owns the case
  if (actor.venue && !app.venue) app.venue = actor.venue;
  if (actor.region && !app.region) {
    app.region = actor.region.slice(0, 6);
    app.city = cityOf(actor.region);
  }
}
