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
 * copy, and what a read gets is a copy: no caller can change what another reads.
 */
import { deepCopy } from '../copy.js';
import type { Doc, DocQuery, DocStore, DocWrite } from './docs.js';

interface Remembered {
  rev: number;
  doc: Doc;
}

/** Documents remembered at most (the least recently used go first). */
const KEPT = 500;

export class RevCachedDocStore implements DocStore {
  /** Present when the adapter commits a batch atomically (DocStore.writeAll). */
  readonly writeAll?: (writes: DocWrite[]) => Promise<Doc[]>;
  readonly revOf?: (collection: string, id: string) => Promise<number | undefined>;
  private readonly remembered = new Map<string, Remembered>();
  private readonly revOfInner?: (collection: string, id: string) => Promise<number | undefined>;

  constructor(
    private readonly inner: DocStore,
    private readonly collections: ReadonlySet<string>,
    private readonly kept = KEPT,
  ) {
    // Without a look-up of the rev alone there is nothing to gain: every call goes through.
    this.revOfInner = inner.revOf?.bind(inner);
    if (this.revOfInner) this.revOf = this.revOfInner;
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
    return this.revOfInner !== undefined && this.collections.has(collection);
  }

  private remember(collection: string, doc: Doc): void {
    if (!this.cached(collection)) return;
    const key = `${collection}/${doc.id}`;
    this.remembered.delete(key);
    if (this.remembered.size >= this.kept) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(key, { rev: doc.rev, doc: deepCopy(doc) });
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
      const rev = await this.revOfInner!(collection, id);
      // Still the one remembered (the entry may have been replaced while the rev was read).
      if (rev === known.rev && this.remembered.get(key) === known) {
        this.remembered.delete(key);
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
    return (this.inner as { close?: () => unknown }).close?.();
  }
}
