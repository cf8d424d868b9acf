/**
 * 分批出件 as the pages read a case: which batch handed each item over, what the window may hand
 * over now, and the 容缺 materials still owed that hold an item back (the server checks the same).
 */
import type { Application, MaterialEntry } from '../api.js';

export type Batch = NonNullable<Application['deliveries']>[number];
type Item = Application['items'][number];

/** The case's handovers; a case delivered before batches were recorded had one, of every item. */
export function batchesOf(app: Application): Batch[] {
  if (app.deliveries) return app.deliveries;
  return app.delivery ? [{ batch: 1, items: app.items.map((i) => i.item), ...app.delivery }] : [];
}

/** The batch that handed `item` over, if any. */
export function batchOf(app: Application, item: string): Batch | undefined {
  return batchesOf(app).find((b) => b.items.includes(item));
}

/** Decided items (a result or a written rejection) not handed over yet: what a batch may take. */
export function deliverableNow(app: Application): Item[] {
  return app.items.filter(
    (i) => (i.status === 'approved' || i.status === 'rejected') && !batchOf(app, i.item),
  );
}

/** 容缺 materials still owed for this item: until they arrive its result stays at the window. */
export function owedFor(app: Application, item: string): MaterialEntry[] {
  return app.materials.filter((m) => m.deferral?.status === 'pending' && m.items.includes(item));
}
