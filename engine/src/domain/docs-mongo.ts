/**
 * DocStore on MongoDB: one collection per document collection. The document travels as a JSON
 * string (its user data may hold keys MongoDB forbids, such as dots or `$`), and its top-level
 * scalar fields are copied into `f` for filters, sorting and indexes.
 */
import type { Connection } from 'mongoose';
import type { Collection, Filter, Sort } from 'mongodb';
import {
  DocConflictError,
  decodeCursor,
  pick,
  untilOf,
  type Doc,
  type DocQuery,
  type DocStore,
} from './docs.js';
import type { DocIndexes } from './docs-sqlite.js';

interface Stored {
  _id: string;
  rev: number;
  body: string;
  f: Record<string, string | number | boolean | null>;
}

const DUPLICATE_KEY = 11000;

function scalars(doc: Record<string, unknown>): Stored['f'] {
  const f: Stored['f'] = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') f[k] = v;
  }
  return f;
}

export class MongoDocStore implements DocStore {
  /** The indexes being created or made; undefined before, and again after a failure (retried). */
  private indexing: Promise<void> | undefined;

  /** Starts creating the indexes; writes wait for them (see `ready`). */
  constructor(
    private readonly connection: Connection,
    private readonly indexes: DocIndexes = {},
  ) {
    // Handled here so a failure is no unhandled rejection; the next write reports and retries it.
    this.ready().catch(() => undefined);
  }

  /**
   * Resolves once the indexes exist (createIndex is idempotent). A failure rejects the writes
   * waiting for it, with the cause, and is not kept: the next call tries again.
   */
  ready(): Promise<void> {
    if (!this.indexing) {
      const indexing = this.createIndexes().catch((err: unknown) => {
        if (this.indexing === indexing) this.indexing = undefined;
        const reason = err instanceof Error ? err.message : String(err);
        throw new Error(`MongoDocStore: creating the document indexes failed: ${reason}`, { cause: err });
      });
      this.indexing = indexing;
    }
    return this.indexing;
  }

  private async createIndexes(): Promise<void> {
    for (const [collection, list] of Object.entries(this.indexes)) {
      for (const fields of list) {
        await this.col(collection).createIndex(Object.fromEntries(fields.map((k) => [`f.${k}`, 1])));
      }
    }
  }

  private col(collection: string): Collection<Stored> {
    return this.connection.db!.collection<Stored>(`docs_${collection}`);
  }

  async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    await this.ready();
    const saved = { ...doc, rev: expectedRev + 1 };
    const stored: Stored = {
      _id: doc.id,
      rev: saved.rev,
      body: JSON.stringify(saved),
      f: scalars(saved as unknown as Record<string, unknown>),
    };
    if (expectedRev === 0) {
      try {
        await this.col(collection).insertOne(stored);
      } catch (err) {
        if ((err as { code?: number }).code === DUPLICATE_KEY) throw new DocConflictError(collection, doc.id);
        throw err;
      }
      return saved;
    }
    const result = await this.col(collection).replaceOne({ _id: doc.id, rev: expectedRev }, stored);
    if (result.matchedCount !== 1) throw new DocConflictError(collection, doc.id);
    return saved;
  }

  async replace<T extends Doc>(collection: string, doc: T): Promise<void> {
    await this.ready();
    const stored: Stored = {
      _id: doc.id,
      rev: doc.rev,
      body: JSON.stringify(doc),
      f: scalars(doc as unknown as Record<string, unknown>),
    };
    await this.col(collection).replaceOne({ _id: doc.id }, stored, { upsert: true });
  }

  async get<T extends Doc>(collection: string, id: string): Promise<T | undefined> {
    const found = await this.col(collection).findOne({ _id: id });
    return found ? (JSON.parse(found.body) as T) : undefined;
  }

  async find<T extends Doc>(collection: string, query: DocQuery = {}): Promise<T[]> {
    const dir = query.desc ? -1 : 1;
    const sort: Sort = query.orderBy ? { [`f.${query.orderBy}`]: dir, _id: dir } : { _id: dir };
    let cursor = this.col(collection).find(this.filter(query)).sort(sort);
    if (query.limit) cursor = cursor.limit(query.limit);
    // The body is one JSON text: parsed whole, then cut to the projection's fields.
    return (await cursor.toArray()).map((d) => pick(JSON.parse(d.body) as T, query.fields));
  }

  async count(collection: string, where?: DocQuery['where']): Promise<number> {
    return this.col(collection).countDocuments(this.filter(where ? { where } : {}));
  }

  private filter(query: DocQuery): Filter<Stored> {
    const and: Filter<Stored>[] = [];
    for (const [key, want] of Object.entries(query.where ?? {})) {
      and.push(Array.isArray(want) ? { [`f.${key}`]: { $in: want } } : { [`f.${key}`]: want });
    }
    const until = untilOf(query);
    if (until !== undefined) and.push({ [`f.${query.orderBy}`]: { [query.desc ? '$gte' : '$lte']: until } });
    const cursor = query.after ? decodeCursor(query.after) : null;
    if (cursor) {
      const op = query.desc ? '$lt' : '$gt';
      if (query.orderBy) {
        const k = `f.${query.orderBy}`;
        and.push({
          $or: [{ [k]: { [op]: cursor[0] } }, { [k]: cursor[0], _id: { [op]: cursor[1] } }],
        } as Filter<Stored>);
      } else {
        and.push({ _id: { [op]: cursor[1] } } as Filter<Stored>);
      }
    }
    return and.length ? ({ $and: and } as Filter<Stored>) : {};
  }
}
