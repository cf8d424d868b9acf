/**
 * DocStore on SQLite: one table of JSON documents keyed by (collection, id), saved with
 * compare-and-set on rev; filters and sort keys read top-level fields with json_extract, backed
 * by expression indexes declared per collection.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DocConflictError, decodeCursor, type Doc, type DocQuery, type DocStore } from './docs.js';

/** Fields to index, per collection: each entry is one (possibly compound) index. */
export type DocIndexes = Record<string, string[][]>;

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

function field(name: string): string {
  if (!FIELD.test(name)) throw new Error(`not a document field name: ${name}`);
  return `json_extract(body, '$.${name}')`;
}

/** SQLite has no booleans: json_extract gives 1/0 for true/false. */
const param = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

export class SqliteDocStore implements DocStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string, indexes: DocIndexes = {}) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    // Purged personal data must not linger in free pages.
    this.db.pragma('secure_delete = ON');
    this.db.exec(`CREATE TABLE IF NOT EXISTS docs (
      collection TEXT NOT NULL, id TEXT NOT NULL, rev INTEGER NOT NULL, body TEXT NOT NULL,
      PRIMARY KEY (collection, id)) WITHOUT ROWID`);
    for (const [collection, list] of Object.entries(indexes)) {
      for (const fields of list) {
        const name = `docs_${collection}_${fields.join('_')}`.replace(/[^A-Za-z0-9_]/g, '_');
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

  async replace<T extends Doc>(collection: string, doc: T): Promise<void> {
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

  async find<T extends Doc>(collection: string, query: DocQuery = {}): Promise<T[]> {
    const { sql, params } = this.select('body', collection, query);
    const rows = this.prepare(sql).all(...params) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  async count(collection: string, where?: DocQuery['where']): Promise<number> {
    const { sql, params } = this.select('count(*) AS n', collection, where ? { where } : {});
    return (this.prepare(sql).get(...params) as { n: number }).n;
  }

  private select(what: string, collection: string, query: DocQuery): { sql: string; params: unknown[] } {
    const clauses = ['collection = ?'];
    const params: unknown[] = [collection];
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
    let sql = `SELECT ${what} FROM docs WHERE ${clauses.join(' AND ')}`;
    if (what === 'body') sql += ` ORDER BY ${key} ${dir}, id ${dir}`;
    if (query.limit) sql += ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
    return { sql, params };
  }

  close(): void {
    this.db.close();
  }
}
