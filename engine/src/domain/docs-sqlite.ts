/**
 * DocStore on SQLite: one table of JSON documents keyed by (collection, id), saved with
 * compare-and-set on rev; filters and sort keys read top-level fields with json_extract, backed
 * by expression indexes declared per collection over each document's indexed fields, which are
 * kept beside the body in a small `keys` text (docs-sqlite-keys.ts).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WalCheckpointer, WRITER_CHECKPOINT_PAGES } from '../store/sqlite/wal-checkpointer.js';
import {
  DocConflictError,
  decodeCursor,
  untilOf,
  type Doc,
  type DocQuery,
  type DocStore,
  type DocWrite,
  pick,
} from './docs.js';
import {
  COLLECTION,
  checkField,
  DOCS_TABLE,
  indexName,
  keysOf,
  RecordedKeys,
  type DocIndexes,
} from './docs-sqlite-keys.js';

export type { DocIndexes } from './docs-sqlite-keys.js';

/** SQLite has no booleans: json_extract gives 1/0 for true/false. */
const param = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

export class SqliteDocStore implements DocStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private batch?: Database.Transaction<(writes: DocWrite[]) => Doc[]>;
  /** The indexes declared per collection, for INDEXED BY (see indexFor). */
  private readonly indexes = new Map<string, { name: string; fields: string[] }[]>();
  /** Per collection, the fields its documents' `keys` hold (as recorded in the file). */
  private readonly keyFields: RecordedKeys;

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
    this.db.exec(DOCS_TABLE);
    this.keyFields = new RecordedKeys(this.db, indexes);
    for (const [collection, list] of Object.entries(indexes)) {
      this.indexes.set(
        collection,
        list.map((fields) => ({ name: indexName(collection, fields), fields })),
      );
    }
  }

  /** A top-level field in SQL: from the keys where the collection's keys hold it (the indexes read those). */
  private field(collection: string, name: string): string {
    const column = this.keyFields.of(collection)?.includes(checkField(name)) ? 'keys' : 'body';
    return `json_extract(${column}, '$.${name}')`;
  }

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    return this.write([{ collection, doc, expectedRev }])[0] as T;
  }

  async replace<T extends Doc>(collection: string, doc: T): Promise<void> {
    this.write([{ collection, doc }]);
  }

  /** One transaction: a conflict throws out of it, and SQLite rolls every write of it back. */
  async writeAll(writes: DocWrite[]): Promise<Doc[]> {
    return this.write(writes);
  }

  /**
   * Every write, one or several, is a transaction begun IMMEDIATE (no other writer until it
   * commits) that first brings the key fields up to date (RecordedKeys.refresh), then writes keys
   * from them.
   */
  private write(writes: DocWrite[]): Doc[] {
    this.batch ??= this.db.transaction((list: DocWrite[]) => {
      this.keyFields.refresh();
      return list.map((w) => this.writeNow(w));
    });
    return this.batch.immediate(writes);
  }

  private writeNow(w: DocWrite): Doc {
    if (w.expectedRev !== undefined) return this.putNow(w.collection, w.doc, w.expectedRev);
    this.replaceNow(w.collection, w.doc);
    return w.doc;
  }

  private putNow<T extends Doc>(collection: string, doc: T, expectedRev: number): T {
    const saved = { ...doc, rev: expectedRev + 1 };
    const body = JSON.stringify(saved);
    const keys = keysOf(this.keyFields.of(collection), saved);
    const changes =
      expectedRev === 0
        ? this.prepare(
            'INSERT OR IGNORE INTO docs (collection, id, rev, body, keys) VALUES (?, ?, 1, ?, ?)',
          ).run(collection, doc.id, body, keys).changes
        : this.updateNow(collection, doc.id, expectedRev, body, keys);
    if (changes !== 1) throw new DocConflictError(collection, doc.id);
    return saved;
  }

  /**
   * Compare-and-set on rev. Where the keys stay as they are (most updates) the statement leaves
   * `keys` out of its SET, so SQLite touches no index entry of the row (it rewrites every entry
   * of a column it sets, changed or not): only when that finds nothing are the keys set too.
   */
  private updateNow(collection: string, id: string, expectedRev: number, body: string, keys: string | null) {
    const rev = expectedRev + 1;
    const same = this.prepare(
      'UPDATE docs SET rev = ?, body = ? WHERE collection = ? AND id = ? AND rev = ? AND keys IS ?',
    ).run(rev, body, collection, id, expectedRev, keys).changes;
    if (same) return same;
    return this.prepare(
      'UPDATE docs SET rev = ?, body = ?, keys = ? WHERE collection = ? AND id = ? AND rev = ?',
    ).run(rev, body, keys, collection, id, expectedRev).changes;
  }

  /**
   * A write without compare-and-set, as updateNow: where the document is there with the same keys
   * (a figures row, most inbox rows) it is updated in place and no index entry is touched; else it
   * is inserted, or updated with its keys. INSERT OR REPLACE deleted the row and inserted it anew,
   * every index entry of it with it (a task row is in seven), wherever its keys stood.
   */
  private replaceNow(collection: string, doc: Doc): void {
    const body = JSON.stringify(doc);
    const keys = keysOf(this.keyFields.of(collection), doc);
    const same = this.prepare(
      'UPDATE docs SET rev = ?, body = ? WHERE collection = ? AND id = ? AND keys IS ?',
    ).run(doc.rev, body, collection, doc.id, keys).changes;
    if (same) return;
    this.prepare(
      `INSERT INTO docs (collection, id, rev, body, keys) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET rev = excluded.rev, body = excluded.body, keys = excluded.keys`,
    ).run(collection, doc.id, doc.rev, body, keys);
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
    return query.fields
      ? this.findFields<T>(collection, query, query.fields)
      : this.findWhole<T>(collection, query);
  }

  private findWhole<T extends Doc>(collection: string, query: DocQuery): T[] {
    const { sql, params } = this.select('body', collection, query);
    const rows = this.prepare(sql).all(...params) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  /**
   * A projection: SQLite reads each field's JSON out of the body (`->`, NULL where the document
   * has no such field), and the object is parsed from those alone. A 6.6 kB case read whole for
   * the supervisor figures' dozen fields was half of the report's time. (For documents of a few
   * hundred bytes, parsing the body whole is faster.)
   */
  private findFields<T extends Doc>(collection: string, query: DocQuery, fields: readonly string[]): T[] {
    const asked = fields.filter((f) => f !== 'id' && f !== 'rev').map(checkField);
    const names = ['id', 'rev', ...asked];
    const { sql, params } = this.select(names.map((f) => `body -> '$.${f}'`).join(', '), collection, query);
    let rows: (string | null)[][];
    try {
      rows = this.prepare(sql)
        .raw(true)
        .all(...params) as (string | null)[][];
    } catch (err) {
      // SQLite's JSON reader refuses a body nested over 1,000 levels deep (a draft's form data
      // can be), which JSON.parse reads: such a page is read whole, then cut to the fields.
      if ((err as Error).message !== 'malformed JSON') throw err;
      return this.findWhole<T>(collection, query).map((d) => pick(d, fields));
    }
    const keys = names.map((f) => `${JSON.stringify(f)}:`);
    return rows.map((values) => {
      let json = `{${keys[0]}${values[0]}`; // the id, which every document has
      for (let i = 1; i < values.length; i++) if (values[i] !== null) json += `,${keys[i]}${values[i]}`;
      return JSON.parse(`${json}}`) as T;
    });
  }

  async count(collection: string, where?: DocQuery['where']): Promise<number> {
    const { sql, params } = this.select('count(*) AS n', collection, where ? { where } : {}, false);
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
      // An index that fixes nothing still serves a query it orders by its first field.
      if (prefix === 0 && (query.orderBy === undefined || fields[0] !== query.orderBy)) continue;
      const score = prefix * 2 + (query.orderBy !== undefined && fields[prefix] === query.orderBy ? 1 : 0);
      if (!best || score > best.score) best = { name, score };
    }
    return best?.name;
  }

  /** `ordered`: rows in the query's order (a count needs none). */
  private select(
    what: string,
    collection: string,
    query: DocQuery,
    ordered = true,
  ): { sql: string; params: unknown[] } {
    // The collection as a literal: only then can SQLite match the partial indexes (WHERE collection = '…').
    const literal = COLLECTION.test(collection);
    const clauses = [literal ? `collection = '${collection}'` : 'collection = ?'];
    const params: unknown[] = literal ? [] : [collection];
    for (const [key, want] of Object.entries(query.where ?? {})) {
      if (Array.isArray(want)) {
        if (want.length === 0) clauses.push('0');
        else {
          clauses.push(`${this.field(collection, key)} IN (${want.map(() => '?').join(', ')})`);
          params.push(...want.map(param));
        }
      } else if (want === null) clauses.push(`${this.field(collection, key)} IS NULL`);
      else {
        clauses.push(`${this.field(collection, key)} = ?`);
        params.push(param(want));
      }
    }
    const key = query.orderBy ? this.field(collection, query.orderBy) : 'id';
    const dir = query.desc ? 'DESC' : 'ASC';
    const cmp = query.desc ? '<' : '>';
    const until = untilOf(query);
    if (until !== undefined) {
      // NULL compares false: documents without the field are left out.
      clauses.push(`${key} ${query.desc ? '>=' : '<='} ?`);
      params.push(param(until));
    }
    if (query.after) {
      const cursor = decodeCursor(query.after);
      if (query.orderBy) {
        // The leading range term lets SQLite seek the (collection, key) index to the cursor
        // instead of walking every earlier row on each page.
        clauses.push(`${key} ${cmp}= ? AND (${key} ${cmp} ? OR id ${cmp} ?)`);
        params.push(param(cursor[0]), param(cursor[0]), cursor[1]);
      } else {
        clauses.push(`id ${cmp} ?`);
        params.push(cursor[1]);
      }
    }
    const index = literal ? this.indexFor(collection, query) : undefined;
    let sql = `SELECT ${what} FROM docs${index ? ` INDEXED BY ${index}` : ''} WHERE ${clauses.join(' AND ')}`;
    if (ordered) sql += ` ORDER BY ${key} ${dir}, id ${dir}`;
    if (query.limit) sql += ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
    return { sql, params };
  }

  close(): void {
    void this.checkpointer?.stop();
    this.db.close();
  }
}
