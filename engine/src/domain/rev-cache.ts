/**
 * A DocStore decorator that remembers, per document of the named collections, the document as
 * this process last committed it, and answers a read of it with a copy when the stored rev is
 * still that one — one look-up of the rev instead of reading, parsing and decrypting the whole
 * document. A department's decision read its ~11–14 kB case record each time, right after the
 * previous decision had written it.
 *
 * Exact because every write of these collections is a compare-and-set put: a rev names one
 * content, whoever wrote it (another process that moves a document on moves its rev, and the
 * read then goes to the store). `replace` (a write that keeps the rev it is given) is not for
 * these collections: one made through this store forgets the document. What is remembered is a
 * copy, and what a read gets is a copy: no caller can change what another reads. The copy is of
 * the plain JSON data a case is (a member set to undefined stays a key here, as the JSON written
 * leaves it out; no reader tells the two apart).
 *
 * Personal data does not stay in memory: a document unused for `forgetAfterMs` (a minute: long
 * enough for one decision after another) is dropped by a sweep, so a case purged by another
 * process (onething-admin purge) leaves this one within that time even if it is never read again.
 */
import { deepCopy } from '../copy.js';
import type { Doc, DocQuery, DocStore, DocWrite } from './docs.js';

interface Remembered {
  rev: number;
  doc: Doc;
  /** When it was remembered or last read. */
  usedAt: number;
}

export interface RevCacheOptions {
  /** Documents remembered at most (the least recently used go first); default 500. */
  kept?: number;
  /** A document unused this long is dropped; default 60 s. */
  forgetAfterMs?: number;
  now?: () => number;
}

export class RevCachedDocStore implements DocStore {
  /** Present when the adapter commits a batch atomically (DocStore.writeAll). */
  readonly writeAll?: (writes: DocWrite[]) => Promise<Doc[]>;
  readonly revOf?: (collection: string, id: string) => Promise<number | undefined>;
  private readonly remembered = new Map<string, Remembered>();
  private readonly kept: number;
  private readonly forgetAfterMs: number;
  private readonly now: () => number;
  private readonly sweeper?: ReturnType<typeof setInterval>;

  constructor(
    private readonly inner: DocStore,
    private readonly collections: ReadonlySet<string>,
    options: RevCacheOptions = {},
  ) {
    this.kept = options.kept ?? 500;
    this.forgetAfterMs = options.forgetAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
    // Without a look-up of the rev alone there is nothing to gain: every call goes through.
    this.revOf = inner.revOf?.bind(inner);
    if (this.revOf) {
      this.sweeper = setInterval(() => this.sweep(), this.forgetAfterMs);
      this.sweeper.unref();
    }
    const batch = inner.writeAll?.bind(inner);
    if (batch) {
      this.writeAll = async (writes) => {
        let saved: Doc[];
        try {
          saved = await batch(writes);
        } catch (err) {
          for (const w of writes) this.forget(w.collection, w.doc.id);
          throw err;
        }
        writes.forEach((w, i) =>
          w.expectedRev === undefined
            ? this.forget(w.collection, w.doc.id)
            : this.remember(w.collection, saved[i]!),
        );
        return saved;
      };
    }
  }

  private cached(collection: string): boolean {
    return this.revOf !== undefined && this.collections.has(collection);
  }

  private remember(collection: string, doc: Doc): void {
    if (!this.cached(collection)) return;
    const key = `${collection}/${doc.id}`;
    this.remembered.delete(key);
    if (this.remembered.size >= this.kept) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(key, { rev: doc.rev, doc: deepCopy(doc), usedAt: this.now() });
  }

  /** Drops what has not been used for forgetAfterMs (the map is in order of use, oldest first). */
  sweep(): void {
    const before = this.now() - this.forgetAfterMs;
    for (const [key, entry] of this.remembered) {
      if (entry.usedAt > before) break;
      this.remembered.delete(key);
    }
  }

  private forget(collection: string, id: string): void {
    this.remembered.delete(`${collection}/${id}`);
  }

  async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    let saved: T;
    try {
      saved = await this.inner.put(collection, doc, expectedRev);
    } catch (err) {
      this.forget(collection, doc.id);
      throw err;
    }
    this.remember(collection, saved);
    return saved;
  }

  async replace<T extends Doc>(collection: string, doc: T): Promise<void> {
    this.forget(collection, doc.id);
    await this.inner.replace(collection, doc);
  }

  async get<T extends Doc>(collection: string, id: string): Promise<T | undefined> {
    const key = `${collection}/${id}`;
    const known = this.cached(collection) ? this.remembered.get(key) : undefined;
    if (known) {
      const rev = await this.revOf!(collection, id);
      // Still the one remembered (the entry may have been replaced while the rev was read).
      if (rev === known.rev && this.remembered.get(key) === known) {
        this.remembered.delete(key);
        known.usedAt = this.now();
        this.remembered.set(key, known);
        return deepCopy(known.doc) as T;
      }
      if (this.remembered.get(key) === known) this.forget(collection, id);
    }
    return this.inner.get<T>(collection, id);
  }

  find<T extends Doc>(collection: string, query?: DocQuery): Promise<T[]> {
    return this.inner.find<T>(collection, query);
  }

  count(collection: string, where?: DocQuery['where']): Promise<number> {
    return this.inner.count(collection, where);
  }

  /** Passes close() through, so whoever closes the store closes the adapter. */
  close(): unknown {
    clearInterval(this.sweeper);
    this.remembered.clear();
    return (this.inner as { close?: () => unknown }).close?.();
  }
}
