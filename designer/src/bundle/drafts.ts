/**
 * Drafts live in the browser's localStorage (one entry per bundle code), not on the server: a
 * draft is what an analyst has not deployed yet. Deploying makes it a server version.
 */
import type { Draft } from './template.js';

const PREFIX = 'onething.designer.draft.';

export interface DraftEntry extends Draft {
  savedAt: number;
}

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

export function saveDraft(store: Store, draft: Draft, now = Date.now()): DraftEntry {
  const entry: DraftEntry = { ...draft, savedAt: now };
  store.setItem(PREFIX + draft.bundle.code, JSON.stringify(entry));
  return entry;
}

export function listDrafts(store: Store): { code: string; savedAt: number; name: Draft['bundle']['name'] }[] {
  const out = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (!key?.startsWith(PREFIX)) continue;
    const entry = readDraft(store, key.slice(PREFIX.length));
    if (entry) out.push({ code: entry.bundle.code, savedAt: entry.savedAt, name: entry.bundle.name });
  }
  return out.sort((a, b) => b.savedAt - a.savedAt);
}

export function readDraft(store: Store, code: string): DraftEntry | null {
  const raw = store.getItem(PREFIX + code);
  if (!raw) return null;
  try {
    const entry = JSON.parse(raw) as DraftEntry;
    return entry && typeof entry.xml === 'string' && entry.bundle?.code ? entry : null;
  } catch {
    return null;
  }
}

export function deleteDraft(store: Store, code: string): void {
  store.removeItem(PREFIX + code);
}
