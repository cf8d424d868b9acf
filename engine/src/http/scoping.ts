/**
 * Region scoping of reads that are not the Centre's own records — engine incidents and audit
 * entries — by the Centre's rule (applications/scope.ts): what is about a case is the actor's to
 * see exactly when the case is. These records carry no region a query could filter on, so a page
 * is filled by reading on past what the actor may not see, up to a bound per request.
 */
import { APPLICATIONS } from '../applications/centre.js';
import { canSee, cityOf, inRegion } from '../applications/scope.js';
import type { Application } from '../applications/types.js';
import type { Actor } from '../domain/actor.js';
import type { DocStore } from '../domain/docs.js';

/**
 * Whether the actor may see the case `appId` (canSee, the Centre's rule); undefined when there is
 * no such case. Each case is read once per call of the returned function's owner (one request).
 * Give it the sealed documents: it needs no personal value, so it decrypts none.
 */
export function caseSight(docs: DocStore, actor: Actor): (appId: string) => Promise<boolean | undefined> {
  const seen = new Map<string, Promise<boolean | undefined>>();
  return (appId) => {
    let sight = seen.get(appId);
    if (!sight) {
      sight = docs
        .get<Application>(APPLICATIONS, appId)
        .then((app) => (app ? canSee(actor, app) : undefined));
      seen.set(appId, sight);
    }
    return sight;
  };
}

/**
 * Whether an administrative-division code (a city, district, town or village) lies in the actor's
 * region, as a case of that place would (scope.ts inRegion). An actor without a region covers
 * everything; a missing code lies in no one's region.
 */
export function regionCovers(actor: Actor, region: string | undefined): boolean {
  if (!actor.region) return true;
  if (!region) return false;
  return inRegion(actor, { region: region.slice(0, 6), city: cityOf(region) });
}

export interface ScanSource<T> {
  /** Up to `limit` rows after the cursor `after` (from the start without one), and whether more follow. */
  read(after: string | undefined, limit: number): Promise<{ rows: T[]; more: boolean }>;
  /** The cursor that continues after this row. */
  cursorOf(row: T): string;
}

/** Rows read for one page at most: a page for a narrow region costs a bounded read (it may come back short, with `next`). */
export const SCAN_LIMIT = 2000;

/**
 * A page of the rows `keep` admits: reads on past the others until the page is full, the rows
 * run out or SCAN_LIMIT rows were read. `next` continues after the last row read.
 */
export async function scopedPage<T>(
  source: ScanSource<T>,
  keep: (row: T) => Promise<boolean>,
  page: { limit: number; after?: string | undefined },
): Promise<{ items: T[]; next?: string }> {
  const items: T[] = [];
  let after = page.after;
  let scanned = 0;
  // The first read is the page itself (all of it is kept when the actor's scope is everything).
  let batch = page.limit;
  for (;;) {
    const { rows, more } = await source.read(after, batch);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      scanned++;
      if (await keep(row)) items.push(row);
      if (i === rows.length - 1 && !more) return { items };
      if (items.length >= page.limit || scanned >= SCAN_LIMIT) return { items, next: source.cursorOf(row) };
    }
    if (!rows.length || !more) return { items };
    after = source.cursorOf(rows[rows.length - 1]!);
    batch = Math.min(500, Math.max(page.limit, 100));
  }
}
