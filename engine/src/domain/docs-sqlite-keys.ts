/**
 * The SQLite document store's index keys (since format 2; format 3 made the table an ordinary
 * rowid table, see DOCS_TABLE). Each document's indexed top-level fields are copied, as a small JSON text, into a column of their own (`keys`), and the declared indexes read
 * that column instead of the body: an update of an 11–14 kB case re-parsed its old and its new
 * body for its expression indexes (≈ 70 µs of ≈ 200 µs per update); its keys are ~150 bytes.
 *
 * Which fields a collection's keys hold is recorded in the file (`docs_keys`), and writes take the
 * list from there, so a store opened with fewer declared indexes still keeps every index right; a
 * declaration that adds fields recomputes that collection's keys on open, and a store opened
 * before that reads the list again in its next write (RecordedKeys). A format-1 file (indexes
 * over `json_extract(body, …)`) is upgraded on open; a newer format is refused (`docs_format`).
 * An older OneThing must not write here (its writes would leave `keys` stale): every format-1
 * index name is taken by a view, so its `CREATE INDEX IF NOT EXISTS` fails ("there is already a
 * table named …") and it does not open the file. One that has it open already cannot be stopped
 * (its writes leave `keys` NULL or stale): README asks to stop every process before upgrading.
 */
import type Database from 'better-sqlite3';

export const DOCS_FORMAT = 3;

/**
 * The documents table (format 3: an ordinary rowid table). Formats 1 and 2 kept it WITHOUT ROWID:
 * there the whole row is the b-tree key, so an 11–14 kB case spilled into overflow pages from
 * interior pages too (a few keys per page, a deep tree), and every look-up and write walked it —
 * reading a case's rev took ≈ 26 µs against ≈ 5 µs, updating it ≈ 94 µs against ≈ 50 µs.
 */
export const DOCS_TABLE = `CREATE TABLE IF NOT EXISTS docs (
  collection TEXT NOT NULL, id TEXT NOT NULL, rev INTEGER NOT NULL, body TEXT NOT NULL, keys TEXT,
  PRIMARY KEY (collection, id))`;

/** Fields to index, per collection: each entry is one (possibly compound) index. */
export type DocIndexes = Record<string, string[][]>;

export const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Collection names written into SQL as literals (no quotes to escape). */
export const COLLECTION = /^[A-Za-z0-9_.-]+$/;

const sqlName = (text: string) => text.replace(/[^A-Za-z0-9_]/g, '_');
/** The index's name in format 1, over the body (now held by a view: see above). */
const formatOneName = (collection: string, fields: string[]) =>
  sqlName(`docs_${collection}_${fields.join('_')}`);
export const indexName = (collection: string, fields: string[]) =>
  sqlName(`docs_k_${collection}_${fields.join('_')}`);

export function checkField(name: string): string {
  if (!FIELD.test(name)) throw new Error(`not a document field name: ${name}`);
  return name;
}

/** The keys text of a document: its values of `fields` (absent ones left out, as json_extract reads them). */
export function keysOf(fields: readonly string[] | undefined, doc: object): string | null {
  if (!fields) return null;
  const keys: Record<string, unknown> = {};
  for (const f of fields) {
    const value = (doc as Record<string, unknown>)[f];
    if (value !== undefined) keys[f] = value;
  }
  return JSON.stringify(keys);
}

/** The key fields recorded per collection. */
function readKeys(db: Database.Database): Map<string, string[]> {
  const rows = db.prepare('SELECT collection, fields FROM docs_keys').all() as {
    collection: string;
    fields: string;
  }[];
  return new Map(rows.map((r) => [r.collection, JSON.parse(r.fields) as string[]]));
}

/**
 * Brings the file to the current format and the declared indexes, in one write transaction (another process
 * may be doing the same): a field is recorded together with every document's keys refilled and
 * its index made. Returns the key fields of every collection that has them, and the schema version
 * they go with (read in the same transaction: another store may add fields right after it).
 */
function prepareKeys(
  db: Database.Database,
  indexes: DocIndexes,
): { fields: Map<string, string[]>; schema: number } {
  return db
    .transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS docs_format (version INTEGER NOT NULL)');
      const format = (db.prepare('SELECT max(version) AS v FROM docs_format').get() as { v: number | null })
        .v;
      if (format !== null && format > DOCS_FORMAT) {
        throw new Error(
          `document store format ${format} is newer than this OneThing understands (${DOCS_FORMAT}); upgrade OneThing`,
        );
      }
      if (format === null || format < DOCS_FORMAT)
        db.prepare('INSERT INTO docs_format (version) VALUES (?)').run(DOCS_FORMAT);
      const columns = db.prepare('PRAGMA table_info(docs)').all() as { name: string }[];
      if (!columns.some((c) => c.name === 'keys')) db.exec('ALTER TABLE docs ADD COLUMN keys TEXT');
      rebuildWithRowid(db);
      db.exec('CREATE TABLE IF NOT EXISTS docs_keys (collection TEXT PRIMARY KEY, fields TEXT NOT NULL)');
      const recorded = readKeys(db);
      for (const [collection, list] of Object.entries(indexes)) {
        if (!COLLECTION.test(collection)) throw new Error(`not a collection name: ${collection}`);
        const had = recorded.get(collection) ?? [];
        const missing = [...new Set(list.flat().map(checkField))].filter((f) => !had.includes(f));
        if (missing.length || !recorded.has(collection)) {
          const fields = [...had, ...missing];
          // The same text keysOf writes, field for field (`->` keeps each value's JSON type).
          const object = fields.map((f) => `'${f}', body -> '$.${f}'`).join(', ');
          db.prepare(`UPDATE docs SET keys = json_object(${object}) WHERE collection = ?`).run(collection);
          db.prepare('INSERT OR REPLACE INTO docs_keys (collection, fields) VALUES (?, ?)').run(
            collection,
            JSON.stringify(fields),
          );
          recorded.set(collection, fields);
        }
        for (const fields of list) {
          const old = formatOneName(collection, fields);
          db.exec(`DROP INDEX IF EXISTS ${old}`);
          db.exec(
            `CREATE VIEW IF NOT EXISTS ${old} AS SELECT 'document store format ${DOCS_FORMAT}: upgrade OneThing' AS refused`,
          );
          createIndex(db, collection, fields);
        }
      }
      return { fields: recorded, schema: db.pragma('schema_version', { simple: true }) as number };
    })
    .immediate();
}

/**
 * A declared index over the keys, ending in `id`: finds sort by (key, id), and in a rowid table an
 * index otherwise ends in the rowid, so SQLite sorted every row sharing the last key (a department's
 * tasks due the same day) on each page. An index of the same name but another definition (made by
 * an earlier format-3 build, without `id`) is made again.
 */
function createIndex(db: Database.Database, collection: string, fields: string[]): void {
  const name = indexName(collection, fields);
  const columns = fields.map((f) => `json_extract(keys, '$.${f}')`).join(', ');
  const sql = `CREATE INDEX ${name} ON docs (collection, ${columns}, id) WHERE collection = '${collection}'`;
  const existing = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
    .pluck()
    .get(name);
  if (existing === sql) return;
  if (existing !== undefined) db.exec(`DROP INDEX ${name}`);
  db.exec(sql);
}

/**
 * A documents table of format 1 or 2 (WITHOUT ROWID) copied into a rowid table of the same columns,
 * its indexes made again over it; inside prepareKeys' transaction, so all or nothing.
 */
function rebuildWithRowid(db: Database.Database): void {
  const table = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'docs'")
    .pluck()
    .get() as string | undefined;
  if (!table || !/WITHOUT\s+ROWID/i.test(table)) return;
  const indexes = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'docs' AND sql IS NOT NULL")
    .pluck()
    .all() as string[];
  db.exec(DOCS_TABLE.replace('docs (', 'docs_rowid ('));
  db.exec(
    'INSERT INTO docs_rowid (collection, id, rev, body, keys) SELECT collection, id, rev, body, keys FROM docs',
  );
  db.exec('DROP TABLE docs');
  db.exec('ALTER TABLE docs_rowid RENAME TO docs');
  for (const sql of indexes) db.exec(sql);
}

/**
 * The key fields as recorded in the file, for writes. Another store on the file (another process,
 * a newer build, the admin CLI) may record more fields after this one opened it; a write that left
 * them out of its keys would hide the document from that store's indexes, or take a field out of
 * keys that store just filled. Recording a field always creates an index over it, which changes the
 * file's schema version, so each write transaction compares that (one look-up in the header page
 * it has read anyway) and reads the list again only when it moved.
 */
export class RecordedKeys {
  private fields: Map<string, string[]>;
  private schema: number;
  private readonly schemaVersion: Database.Statement<[], number>;

  constructor(
    private readonly db: Database.Database,
    indexes: DocIndexes,
  ) {
    this.schemaVersion = db.prepare<[], number>('PRAGMA schema_version').pluck();
    ({ fields: this.fields, schema: this.schema } = prepareKeys(db, indexes));
  }

  /** The fields the keys of `collection` hold (undefined: none recorded). */
  of(collection: string): readonly string[] | undefined {
    return this.fields.get(collection);
  }

  /** Call inside each write transaction (BEGIN IMMEDIATE: no other writer until it commits). */
  refresh(): void {
    const schema = this.schemaVersion.get()!;
    if (schema === this.schema) return;
    this.fields = readKeys(this.db);
    this.schema = schema;
  }
}
