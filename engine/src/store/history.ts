/** Histories kept by the store adapters: in seq order, each seq once. */
import type { HistoryEntry } from '../api.js';

/**
 * `entries` in seq order, each seq once: of two entries with one seq the first written stays, as
 * a replayed projection writes the same entry again (and every adapter's write keeps the first).
 */
export function inSeqOrder(entries: readonly HistoryEntry[]): HistoryEntry[] {
  // A step writes its entries in seq order: most lists are in order, each seq once, already.
  if (entries.every((e, i) => i === 0 || entries[i - 1]!.seq < e.seq)) return entries.slice();
  const sorted = entries.slice().sort((a, b) => a.seq - b.seq); // stable: first written first
  return sorted.filter((e, i) => i === 0 || e.seq !== sorted[i - 1]!.seq);
}

/**
 * `history` (in seq order, each seq once) with `added`, the same way. A step's entries come after
 * every earlier one, so that common case is a concatenation; entries carried again from an
 * unfinished outbox are there already.
 */
export function withEntries(
  history: readonly HistoryEntry[],
  added: readonly HistoryEntry[],
): HistoryEntry[] {
  let last = history.at(-1)?.seq ?? -1;
  for (const e of added) {
    if (e.seq <= last) return inSeqOrder(history.concat(added));
    last = e.seq;
  }
  return history.concat(added);
}
