import { DomainError, t } from './errors.js';

/**
 * Domain records (bundles, applications, evaluations, audit entries) live in named collections
 * of JSON documents, each saved with compare-and-set on `rev` — the same single-document
 * atomicity the engine's instance records use, so SQLite and MongoDB behave alike.
 * Queries filter on top-level scalar fields declared as indexes per collection.
 */
export interface Doc {
  id: string;
  rev: number;
}

export interface DocQuery {
  /** Equality on top-level fields; an array value means "any of". */
  where?: Record<string, string | number | boolean | null | (string | number)[]>;
  /** Sort key (a top-level field), ascending unless desc. Ties break on id. */
  orderBy?: string;
  desc?: boolean;
  limit?: number;
  /** Cursor: the id of the last document of the previous page (with orderBy: that doc's key + id). */
  after?: string;
  /**
   * Only these top-level fields of each document (with id and rev), as stored; a field the
   * document lacks stays absent. For reads of many documents that need a few fields (the
   * supervisor figures): the store leaves the rest unparsed.
   */
  fields?: readonly string[];
  /**
   * With orderBy: only documents whose orderBy value is at most this (at least, with desc), and
   * none without the field. A reader takes only what is due by now from an index (the Centre's
   * sweep over `sweepAt`).
   */
  until?: string | number;
}

export class DocConflictError extends Error {
  readonly code = 'conflict';
  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`${collection}/${id} was changed concurrently`);
  }
}

/** One write of a batch: a compare-and-set put when `expectedRev` is given, else a replace. */
export interface DocWrite {
  collection: string;
  doc: Doc;
  expectedRev?: number;
}

export interface DocStore {
  /** Inserts (expectedRev 0) or replaces a document whose stored rev equals expectedRev; the saved rev is expectedRev + 1. */
  put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T>;
  /** Writes a derived document whatever its stored rev (projections rebuilt from a source record). */
  replace<T extends Doc>(collection: string, doc: T): Promise<void>;
  /**
   * The stored document as a fresh object the caller owns: it may change it in place (Centre
   * does, and saves the result with put), so an adapter never hands out what it keeps itself.
   */
  get<T extends Doc>(collection: string, id: string): Promise<T | undefined>;
  /** Matching documents, each a fresh object the caller owns (as with get). */
  find<T extends Doc>(collection: string, query?: DocQuery): Promise<T[]>;
  count(collection: string, where?: DocQuery['where']): Promise<number>;
  /** The stored rev of a document (undefined when there is none), without reading its body. Optional. */
  revOf?(collection: string, id: string): Promise<number | undefined>;
  /**
   * Several writes in one commit, all or none (memory, SQLite: one transaction instead of one per
   * document). A put whose rev does not match throws DocConflictError and nothing is written.
   * Returns what each write saved. Adapters without multi-document transactions (MongoDB without
   * a replica set) leave it out: `writeAll()` below then writes one after another.
   */
  writeAll?(writes: DocWrite[]): Promise<Doc[]>;
}

/** `store.writeAll`, or the writes one at a time where the store has no atomic batch. */
export async function writeAll(store: DocStore, writes: DocWrite[]): Promise<Doc[]> {
  if (store.writeAll) return store.writeAll(writes);
  const saved: Doc[] = [];
  for (const w of writes) {
    if (w.expectedRev === undefined) {
      await store.replace(w.collection, w.doc);
      saved.push(w.doc);
    } else saved.push(await store.put(w.collection, w.doc, w.expectedRev));
  }
  return saved;
}

/**
 * Every document a query matches, page by page (never one unbounded read), until a page's last
 * document makes `done` true. Without `orderBy` in primary-key order: a cursor on the key walks
 * the index once, where a cursor on a document field no index orders re-sorts the collection
 * for every page (35,000 task rows: 0.3 s against 10 s on SQLite). After each page the event
 * loop runs what is waiting: on SQLite a read does not yield, so a report over 20,000 cases
 * held every other request of the centre for seconds (the supervisor figures, the sweep).
 */
export async function readPages<T extends Doc>(
  docs: DocStore,
  collection: string,
  query: Omit<DocQuery, 'limit'>,
  done: (last: T) => boolean = () => false,
  pageSize = 1000,
): Promise<T[]> {
  const out: T[] = [];
  let after = query.after;
  for (;;) {
    const page = await docs.find<T>(collection, { ...query, limit: pageSize, ...(after ? { after } : {}) });
    out.push(...page);
    const last = page[page.length - 1];
    if (page.length < pageSize || !last || done(last)) return out;
    const key = query.orderBy ? (last as unknown as Record<string, unknown>)[query.orderBy] : null;
    after = encodeCursor(key, last.id);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A query's `until`, refused without the orderBy it bounds (a reader would get every document). */
export function untilOf(query: DocQuery): string | number | undefined {
  if (query.until !== undefined && !query.orderBy) throw new Error('a query with until needs orderBy');
  return query.until;
}

/** Cursor encoding shared by adapters: orderBy value and id, so pages never skip or repeat. */
export function encodeCursor(key: unknown, id: string): string {
  return Buffer.from(JSON.stringify([key ?? null, id])).toString('base64url');
}

/** A cursor's sort key: a top-level scalar, as the indexes hold them. */
export type CursorKey = string | number | boolean | null;

/**
 * The key and id a cursor holds. Cursors come from clients (`?after=`), so one that is not a
 * cursor (or whose key is not a scalar, which made SQLite throw) is refused as bad input naming
 * `after`, rather than read as none: a client must not get the first page again as if it were
 * the next.
 */
export function decodeCursor(cursor: string): [CursorKey, string] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== 'string') throw badCursor();
  const key: unknown = value[0];
  const scalar = key === null || ['string', 'number', 'boolean'].includes(typeof key);
  if (!scalar) throw badCursor();
  return [key as CursorKey, value[1]];
}

const badCursor = () => {
  const message = t(
    '分页游标无效：请使用上一页返回的 next 值',
    'not a page cursor: pass the `next` of the previous page',
  );
  return new DomainError('badRequest', message, [{ field: 'after', message }]);
};

/** The fields a projection (DocQuery.fields) keeps of `doc`: id, rev and those asked for, where present. */
export function pick<T extends Doc>(doc: T, fields: readonly string[] | undefined): T {
  if (!fields) return doc;
  const source = doc as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { id: doc.id, rev: doc.rev };
  for (const f of fields) {
    if (!Object.hasOwn(source, f)) continue;
    // Defined, not assigned: a field named __proto__ stays a field, as JSON.parse makes it.
    Object.defineProperty(out, f, { value: source[f], enumerable: true, writable: true, configurable: true });
  }
  return out as unknown as T;
}

export function matches(doc: Record<string, unknown>, where: DocQuery['where']): boolean {
  if (!where) return true;
  for (const [key, want] of Object.entries(where)) {
    const have = doc[key];
    if (Array.isArray(want)) {
      if (!want.includes(have as string | number)) return false;
    } else if ((have ?? null) !== want) return false;
  }
  return true;
}

function compareKeys(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as number | string) < (b as number | string) ? -1 : 1;
}

/** Reference implementation; the sqlite and mongo adapters must behave the same (contract tests). */
export class MemoryDocStore implements DocStore {
  private readonly collections = new Map<string, Map<string, string>>();

  private collection(name: string): Map<string, string> {
    let c = this.collections.get(name);
    if (!c) this.collections.set(name, (c = new Map()));
    return c;
  }

  async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    const c = this.collection(collection);
    const current = c.get(doc.id);
    const currentRev = current ? (JSON.parse(current) as Doc).rev : 0;
    if (currentRev !== expectedRev) throw new DocConflictError(collection, doc.id);
    const saved = { ...doc, rev: expectedRev + 1 };
    c.set(doc.id, JSON.stringify(saved));
    return saved;
  }

  async replace<T extends Doc>(collection: string, doc: T): Promise<void> {
    this.collection(collection).set(doc.id, JSON.stringify(doc));
  }

  async writeAll(writes: DocWrite[]): Promise<Doc[]> {
    for (const w of writes) {
      if (w.expectedRev === undefined) continue;
      const current = this.collection(w.collection).get(w.doc.id);
      if ((current ? (JSON.parse(current) as Doc).rev : 0) !== w.expectedRev)
        throw new DocConflictError(w.collection, w.doc.id);
    }
    const saved: Doc[] = [];
    for (const w of writes) {
      const doc = w.expectedRev === undefined ? w.doc : { ...w.doc, rev: w.expectedRev + 1 };
      this.collection(w.collection).set(doc.id, JSON.stringify(doc));
      saved.push(doc);
    }
    return saved;
  }

  async get<T extends Doc>(collection: string, id: string): Promise<T | undefined> {
    const raw = this.collection(collection).get(id);
    return raw ? (JSON.parse(raw) as T) : undefined;
  }

  async find<T extends Doc>(collection: string, query: DocQuery = {}): Promise<T[]> {
    const all = [...this.collection(collection).values()].map(
      (raw) => JSON.parse(raw) as T & Record<string, unknown>,
    );
    const key = query.orderBy;
    const sign = query.desc ? -1 : 1;
    const until = untilOf(query);
    const sorted = all
      .filter((d) => matches(d, query.where))
      .filter((d) => until === undefined || (d[key!] != null && sign * compareKeys(d[key!], until) <= 0))
      .sort(
        (a, b) =>
          sign * (key ? compareKeys(a[key], b[key]) || compareKeys(a.id, b.id) : compareKeys(a.id, b.id)),
      );
    let start = 0;
    if (query.after) {
      const [k, id] = decodeCursor(query.after);
      start = sorted.findIndex(
        (d) => sign * (key ? compareKeys(d[key], k) || compareKeys(d.id, id) : compareKeys(d.id, id)) > 0,
      );
      if (start < 0) start = sorted.length;
    }
    const page = sorted.slice(start, query.limit ? start + query.limit : undefined);
    return query.fields ? page.map((d) => pick(d, query.fields)) : page;
  }

  async count(collection: string, where?: DocQuery['where']): Promise<number> {
    return (await this.find(collection, { ...(where ? { where } : {}) })).length;
  }
}
