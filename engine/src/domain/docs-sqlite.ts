/**
 * DocStore on SQLite: one table of JSON documents keyed by (collection, id), saved with
 * compare-and-set on rev; filters and sort keys read top-level fields with json_extract, backed
 * by expression indexes declared per collection.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WalCheckpointer, WRITER_CHECKPOINT_PAGES } from '../store/sqlite/wal-checkpointer.js';
import {
  DocConflictError,
  decodeCursor,
  type Doc,
  type DocQuery,
  type DocStore,
  type DocWrite,
} from './docs.js';

/** Fields to index, per collection: each entry is one (possibly compound) index. */
export type DocIndexes = Record<string, string[][]>;

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Collection names written into SQL as literals (no quotes to escape). */
const COLLECTION = /^[A-Za-z0-9_.-]+$/;

function field(name: string): string {
  if (!FIELD.test(name)) throw new Error(`not a document field name: ${name}`);
  return `json_extract(body, '$.${name}')`;
}

/** SQLite has no booleans: json_extract gives 1/0 for true/false. */
const param = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

export class SqliteDocStore implements DocStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private batch?: Database.Transaction<(writes: DocWrite[]) => Doc[]>;
  /** The indexes declared per collection, for INDEXED BY (see indexFor). */
  private readonly indexes = new Map<string, { name: string; fields: string[] }[]>();

  private checkpointer?: WalCheckpointer;

  /**
   * `backgroundCheckpoints`: WAL checkpoints in a worker thread (wal-checkpointer.ts); a commit
   * still checkpoints at `checkpointPages` (default WRITER_CHECKPOINT_PAGES) so the log restarts.
   */
  constructor(
    file: string,
    indexes: DocIndexes = {},
    options: { backgroundCheckpoints?: boolean; checkpointPages?: number } = {},
  ) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    // Purged personal data must not linger in free pages.
    this.db.pragma('secure_delete = ON');
    if (options.backgroundCheckpoints && file !== ':memory:') {
      this.db.pragma(`wal_autocheckpoint = ${options.checkpointPages ?? WRITER_CHECKPOINT_PAGES}`);
      // Should the worker end, commits checkpoint themselves again (SQLite's default mark).
      this.checkpointer = new WalCheckpointer(file, () => {
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      });
    }
    this.db.exec(`CREATE TABLE IF NOT EXISTS docs (
      collection TEXT NOT NULL, id TEXT NOT NULL, rev INTEGER NOT NULL, body TEXT NOT NULL,
      PRIMARY KEY (collection, id)) WITHOUT ROWID`);
    for (const [collection, list] of Object.entries(indexes)) {
      for (const fields of list) {
        const name = `docs_${collection}_${fields.join('_')}`.replace(/[^A-Za-z0-9_]/g, '_');
        if (COLLECTION.test(collection))
          this.indexes.set(collection, [...(this.indexes.get(collection) ?? []), { name, fields }]);
        this.db.exec(
          `CREATE INDEX IF NOT EXISTS ${name} ON docs (collection, ${fields.map(field).join(', ')}) WHERE collection = '${collection.replace(/'/g, '')}'`,
        );
      }
    }
  }

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    return this.putNow(collection, doc, expectedRev);
  }

  async replace<T extends Doc>(collection: string, doc: T): Promise<void> {
    this.replaceNow(collection, doc);
  }

  /** One transaction: a conflict throws out of it, and SQLite rolls every write of it back. */
  async writeAll(writes: DocWrite[]): Promise<Doc[]> {
    this.batch ??= this.db.transaction((list: DocWrite[]) =>
      list.map((w) =>
        w.expectedRev === undefined
          ? (this.replaceNow(w.collection, w.doc), w.doc)
          : this.putNow(w.collection, w.doc, w.expectedRev),
      ),
    );
    return this.batch(writes);
  }

  private putNow<T extends Doc>(collection: string, doc: T, expectedRev: number): T {
    const saved = { ...doc, rev: expectedRev + 1 };
    const body = JSON.stringify(saved);
    const changes =
      expectedRev === 0
        ? this.prepare('INSERT OR IGNORE INTO docs (collection, id, rev, body) VALUES (?, ?, 1, ?)').run(
            collection,
            doc.id,
            body,
          ).changes
        : this.prepare('UPDATE docs SET rev = ?, body = ? WHERE collection = ? AND id = ? AND rev = ?').run(
            saved.rev,
            body,
            collection,
            doc.id,
            expectedRev,
          ).changes;
    if (changes !== 1) throw new DocConflictError(collection, doc.id);
    return saved;
  }

  private replaceNow(collection: string, doc: Doc): void {
    this.prepare('INSERT OR REPLACE INTO docs (collection, id, rev, body) VALUES (?, ?, ?, ?)').run(
      collection,
      doc.id,
      doc.rev,
      JSON.stringify(doc),
    );
  }

  async get<T extends Doc>(collection: string, id: string): Promise<T | undefined> {
    const row = this.prepare('SELECT body FROM docs WHERE collection = ? AND id = ?').get(collection, id) as
      { body: string } | undefined;
    return row ? (JSON.parse(row.body) as T) : undefined;
  }

  async revOf(collection: string, id: string): Promise<number | undefined> {
    const row = this.prepare('SELECT rev FROM docs WHERE collection = ? AND id = ?').get(collection, id) as
      { rev: number } | undefined;
    return row?.rev;
  }

  async find<T extends Doc>(collection: string, query: DocQuery = {}): Promise<T[]> {
    const { sql, params } = this.select('body', collection, query);
    const rows = this.prepare(sql).all(...params) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  async count(collection: string, where?: DocQuery['where']): Promise<number> {
    const { sql, params } = this.select('count(*) AS n', collection, where ? { where } : {});
    return (this.prepare(sql).get(...params) as { n: number }).n;
  }

  /**
   * The declared index a query should use: the one whose leading fields the filter fixes most of
   * (then the one that also gives the sort order). Without stats SQLite's planner walked the whole
   * collection by primary key instead, json_extract on every row, on every query.
   */
  private indexFor(collection: string, query: DocQuery): string | undefined {
    const fixed = new Set(
      Object.entries(query.where ?? {})
        .filter(([, want]) => !Array.isArray(want) || want.length > 0)
        .map(([key]) => key),
    );
    let best: { name: string; score: number } | undefined;
    for (const { name, fields } of this.indexes.get(collection) ?? []) {
      let prefix = 0;
      while (prefix < fields.length && fixed.has(fields[prefix]!)) prefix++;
      if (prefix === 0) continue;
      const score = prefix * 2 + (query.orderBy !== undefined && fields[prefix] === query.orderBy ? 1 : 0);
      if (!best || score > best.score) best = { name, score };
    }
    return best?.name;
  }

  private select(what: string, collection: string, query: DocQuery): { sql: string; params: unknown[] } {
    // The collection as a literal: only then can SQLite match the partial indexes (WHERE collection = '…').
    const literal = COLLECTION.test(collection);
    const clauses = [literal ? `collection = '${collection}'` : 'collection = ?'];
    const params: unknown[] = literal ? [] : [collection];
    for (const [key, want] of Object.entries(query.where ?? {})) {
      if (Array.isArray(want)) {
        if (want.length === 0) clauses.push('0');
        else {
          clauses.push(`${field(key)} IN (${want.map(() => '?').join(', ')})`);
          params.push(...want.map(param));
        }
      } else if (want === null) clauses.push(`${field(key)} IS NULL`);
      else {
        clauses.push(`${field(key)} = ?`);
        params.push(param(want));
      }
    }
    const key = query.orderBy ? field(query.orderBy) : 'id';
    const dir = query.desc ? 'DESC' : 'ASC';
    const cmp = query.desc ? '<' : '>';
    if (query.after) {
      const cursor = decodeCursor(query.after);
      if (cursor) {
        if (query.orderBy) {
          // The leading range term lets SQLite seek the (collection, key) index to the cursor
          // instead of walking every earlier row on each page.
          clauses.push(`${key} ${cmp}= ? AND (${key} ${cmp} ? OR id ${cmp} ?)`);
          params.push(cursor[0], cursor[0], cursor[1]);
        } else {
          clauses.push(`id ${cmp} ?`);
          params.push(cursor[1]);
        }
      }
    }
    const index = literal ? this.indexFor(collection, query) : undefined;
    let sql = `SELECT ${what} FROM docs${index ? ` INDEXED BY ${index}` : ''} WHERE ${clauses.join(' AND ')}`;
    if (what === 'body') sql += ` ORDER BY ${key} ${dir}, id ${dir}`;
    if (query.limit) sql += ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
    return { sql, params };
  }

  close(): void {
    void this.checkpointer?.stop();
    this.db.close();
  }
}
