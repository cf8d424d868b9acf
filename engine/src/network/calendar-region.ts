/**
 * Which working-day calendar applies to a region: its own when the deployment defines one, else
 * that of the nearest enclosing region that has one (village → town → district → city →
 * province), else none (the calendar's default, national). One rule for appointment days
 * (appointments.ts) and case deadlines (applications/working-time.ts).
 */
import { cityOf } from '../applications/scope.js';
import type { WorkingCalendar } from '../jobs/calendar/index.js';

/**
 * The region and the regions enclosing it, most specific first, read from the administrative-
 * division code (GB/T 2260, 9 and 12 digits for towns and villages): 440402001 → 440402 → 440400
 * → 440000. The network's regions nest the same way (load.ts checks it). Other ids stand alone.
 */
export function enclosingRegions(code: string): string[] {
  if (!/^\d{6}(\d{3}){0,2}$/.test(code)) return [code];
  const district = code.slice(0, 6);
  const chain = [code, code.slice(0, 9), district, cityOf(district), `${district.slice(0, 2)}0000`];
  return [...new Set(chain)];
}

/** The calendar region for a region code: the nearest of it and its enclosing regions the calendar knows. */
export function calendarRegionOf(
  calendar: Pick<WorkingCalendar, 'hasRegion'>,
  region: string | undefined,
): string | undefined {
  return region ? enclosingRegions(region).find((code) => calendar.hasRegion(code)) : undefined;
}
