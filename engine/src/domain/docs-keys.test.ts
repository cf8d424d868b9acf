/**
 * The SQLite document store's index keys (docs-sqlite-keys.ts): indexed finds answer as the
 * in-memory reference does, on a fresh file and on format-1 and format-2 files upgraded on open; the keys
 * stay right whatever indexes the writer declared; older and newer formats are refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { encodeCursor, MemoryDocStore, type Doc, type DocQuery, type DocStore } from './docs.js';
import { SqliteDocStore } from './docs-sqlite.js';
import type { DocIndexes } from './docs-sqlite-keys.js';

interface Row extends Doc {
  department: string;
  state: string;
  deadline: number;
  urgent: boolean;
  note: string | null;
  scope?: { region: string };
  data: Record<string, unknown>;
}

const INDEXES: DocIndexes = {
  rows: [['department', 'state', 'deadline'], ['urgent'], ['note'], ['scope'], ['deadline']],
};

const row = (i: number): Row => ({
  id: `r${i}`,
  rev: 0,
  department: i % 3 ? 'tax' : 'hrss',
  state: i % 4 ? 'open' : 'done',
  deadline: 100 - (i % 5),
  urgent: i % 7 === 0,
  note: i % 2 ? null : `n${i}`,
  ...(i % 3 ? { scope: { region: i % 2 ? '440402' : '440403' } } : {}),
  data: { big: 'x'.repeat(3000), i },
});

const QUERIES: DocQuery[] = [
  { where: { department: 'tax' } },
  { where: { department: 'tax', state: 'open' }, orderBy: 'deadline' },
  { where: { department: ['tax', 'hrss'], state: 'done' }, orderBy: 'deadline', desc: true },
  { where: { urgent: true } },
  { where: { urgent: false }, limit: 4 },
  { where: { note: null } },
  { where: { note: 'n4' } },
  { where: { scope: null } },
  { orderBy: 'deadline', limit: 5 },
  { orderBy: 'deadline', desc: true, after: encodeCursor(98, 'r12') },
  { where: { department: 'tax' }, orderBy: 'deadline', after: encodeCursor(97, 'r3') },
];

async function answers(docs: DocStore): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) {
    const found = await docs.find<Row>('rows', q);
    out.push(q.orderBy ? found.map((d) => d.id) : found.map((d) => d.id).sort());
    out.push(await docs.count('rows', q.where));
  }
  return out;
}

/** Puts the rows, then changes some (keys changed and unchanged), on any store. */
async function fill(docs: DocStore): Promise<void> {
  for (let i = 0; i < 30; i++) await docs.put('rows', row(i), 0);
  for (let i = 0; i < 30; i += 4) {
    const current = (await docs.get<Row>('rows', `r${i}`))!;
    await docs.put('rows', { ...current, state: 'claimed', data: { ...current.data, more: 1 } }, current.rev);
  }
  for (let i = 1; i < 30; i += 5) {
    const current = (await docs.get<Row>('rows', `r${i}`))!;
    await docs.put('rows', { ...current, data: { changed: i } }, current.rev);
  }
  await docs.replace('rows', { ...row(2), rev: 9, urgent: true, note: null });
  await docs.replace('rows', { ...row(5), rev: 4, data: { replaced: true } });
  await docs.replace('rows', { ...row(40), rev: 2 });
}

/** A format-1 file as OneThing wrote it before the keys: indexes over the body, no `keys` column. */
function formatOneFile(file: string, indexes: DocIndexes, rows: Row[]): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE docs (
      collection TEXT NOT NULL, id TEXT NOT NULL, rev INTEGER NOT NULL, body TEXT NOT NULL,
      PRIMARY KEY (collection, id)) WITHOUT ROWID`);
  for (const [collection, list] of Object.entries(indexes))
    for (const fields of list) db.exec(formatOneIndex(collection, fields));
  const insert = db.prepare('INSERT INTO docs (collection, id, rev, body) VALUES (?, ?, ?, ?)');
  for (const r of rows) insert.run('rows', r.id, r.rev, JSON.stringify(r));
  db.close();
}

/** The file as format 2 kept it: the same rows, keys and indexes, in a WITHOUT ROWID table. */
function toFormatTwo(file: string): void {
  const db = new Database(file);
  const indexes = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'docs' AND sql IS NOT NULL")
    .pluck()
    .all() as string[];
  db.exec(`CREATE TABLE docs_two (
      collection TEXT NOT NULL, id TEXT NOT NULL, rev INTEGER NOT NULL, body TEXT NOT NULL, keys TEXT,
      PRIMARY KEY (collection, id)) WITHOUT ROWID`);
  db.exec('INSERT INTO docs_two SELECT collection, id, rev, body, keys FROM docs');
  db.exec('DROP TABLE docs');
  db.exec('ALTER TABLE docs_two RENAME TO docs');
  for (const sql of indexes) db.exec(sql);
  db.exec('DELETE FROM docs_format');
  db.exec('INSERT INTO docs_format (version) VALUES (2)');
  db.close();
}

const tableSql = (db: Database.Database) =>
  db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'docs'").pluck().get() as string;

const formatOneIndex = (collection: string, fields: string[]) =>
  `CREATE INDEX IF NOT EXISTS docs_${collection}_${fields.join('_')} ON docs (collection, ${fields
    .map((f) => `json_extract(body, '$.${f}')`)
    .join(', ')}) WHERE collection = '${collection}'`;

describe('SQLite document store: index keys', () => {
  let dir: string;
  let file: string;
  const open: SqliteDocStore[] = [];
  const store = (indexes: DocIndexes = INDEXES) => {
    const s = new SqliteDocStore(file, indexes);
    open.push(s);
    return s;
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'docs-keys-'));
    file = path.join(dir, 'docs.db');
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers indexed finds as the in-memory reference does, through the keys indexes', async () => {
    const reference = new MemoryDocStore();
    await fill(reference);
    const docs = store();
    await fill(docs);
    expect(await answers(docs)).toEqual(await answers(reference));
    const db = new Database(file, { readonly: true });
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT body FROM docs INDEXED BY docs_k_rows_department_state_deadline
         WHERE collection = 'rows' AND json_extract(keys, '$.department') = 'tax'`,
      )
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join()).toContain('docs_k_rows_department_state_deadline');
    db.close();
  });

  it('replaces a document where it stands: the same row, with the same keys or new ones', async () => {
    const docs = store();
    await fill(docs);
    const db = new Database(file, { readonly: true });
    const rowidOf = (id: string) =>
      db.prepare("SELECT rowid FROM docs WHERE collection = 'rows' AND id = ?").pluck().get(id);
    const before = [rowidOf('r5'), rowidOf('r6')];
    await docs.replace('rows', { ...row(5), rev: 5, data: { again: true } });
    await docs.replace('rows', { ...row(6), rev: 7, state: 'claimed', deadline: 1 });
    expect([rowidOf('r5'), rowidOf('r6')]).toEqual(before);
    expect(await docs.get('rows', 'r5')).toMatchObject({ rev: 5, data: { again: true } });
    expect(
      (await docs.find<Row>('rows', { where: { state: 'claimed' }, orderBy: 'deadline' }))[0],
    ).toMatchObject({
      id: 'r6',
      rev: 7,
    });
    db.close();
  });

  it('answers projections (fields) as the in-memory reference does, and refuses a field that is not a plain name', async () => {
    const reference = new MemoryDocStore();
    await fill(reference);
    const docs = store();
    await fill(docs);
    const fields = ['state', 'note', 'scope', 'data'];
    for (const q of QUERIES)
      expect(await docs.find('rows', { ...q, fields })).toEqual(
        await reference.find('rows', { ...q, fields }),
      );
    await expect(docs.find('rows', { fields: ["state') FROM docs; --"] })).rejects.toThrow(
      'not a document field name',
    );
  });

  it('reads a query that only orders through the index led by its sort key', async () => {
    const docs = store();
    await fill(docs);
    const sql: string[] = [];
    const db = (docs as unknown as { db: Database.Database }).db;
    const prepare = db.prepare.bind(db);
    db.prepare = ((text: string) => (sql.push(text), prepare(text))) as typeof db.prepare;
    const reference = new MemoryDocStore();
    await fill(reference);
    const query: DocQuery = { orderBy: 'deadline', after: encodeCursor(97, ''), limit: 4 };
    expect(await docs.find('rows', query)).toEqual(await reference.find('rows', query));
    expect(sql.join('\n')).toContain('INDEXED BY docs_k_rows_deadline');
  });

  it('pages a sort key many rows share from the index alone, and remakes an index without id', async () => {
    const docs = store();
    await fill(docs);
    docs.close();
    const sortedPage = `EXPLAIN QUERY PLAN SELECT body FROM docs INDEXED BY docs_k_rows_department_state_deadline
      WHERE collection = 'rows' AND json_extract(keys, '$.department') = 'tax' AND json_extract(keys, '$.state') = 'open'
      ORDER BY json_extract(keys, '$.deadline') DESC, id DESC LIMIT 21`;
    const planOf = () => {
      const db = new Database(file, { readonly: true });
      const plan = (db.prepare(sortedPage).all() as { detail: string }[]).map((p) => p.detail).join();
      db.close();
      return plan;
    };
    expect(planOf()).not.toContain('TEMP B-TREE');
    // The index as an earlier format-3 build made it, ending in the rowid: SQLite sorts the ties.
    const db = new Database(file);
    db.exec('DROP INDEX docs_k_rows_department_state_deadline');
    db.exec(`CREATE INDEX docs_k_rows_department_state_deadline ON docs (collection,
      json_extract(keys, '$.department'), json_extract(keys, '$.state'), json_extract(keys, '$.deadline'))
      WHERE collection = 'rows'`);
    db.close();
    expect(planOf()).toContain('TEMP B-TREE');
    store().close();
    expect(planOf()).not.toContain('TEMP B-TREE');
  });

  it('upgrades a format-1 file on open: same answers, body indexes gone, older OneThing refused', async () => {
    const reference = new MemoryDocStore();
    await fill(reference);
    const rows = await reference.find<Row>('rows');
    formatOneFile(file, INDEXES, rows);
    const docs = store();
    expect(await answers(docs)).toEqual(await answers(reference));
    // Writes after the upgrade keep both in step.
    for (const r of rows.slice(0, 10)) {
      const current = (await docs.get<Row>('rows', r.id))!;
      await docs.put('rows', { ...current, state: 'done', urgent: !current.urgent }, current.rev);
      const before = (await reference.get<Row>('rows', r.id))!;
      await reference.put('rows', { ...before, state: 'done', urgent: !before.urgent }, before.rev);
    }
    expect(await answers(docs)).toEqual(await answers(reference));

    const db = new Database(file);
    const indexes = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'docs' AND sql IS NOT NULL",
      )
      .all() as { name: string; sql: string }[];
    expect(indexes.map((i) => i.name).every((n) => n.startsWith('docs_k_rows_'))).toBe(true);
    expect(indexes.some((i) => i.sql.includes('json_extract(body'))).toBe(false);
    expect(db.prepare('SELECT max(version) AS v FROM docs_format').get()).toEqual({ v: 3 });
    expect(tableSql(db)).not.toMatch(/WITHOUT ROWID/i);
    // An older OneThing declares its body indexes first thing on open, and fails there.
    expect(() => db.exec(formatOneIndex('rows', ['urgent']))).toThrow(
      /already a table named docs_rows_urgent/,
    );
    db.close();
  });

  it('upgrades a format-2 file (WITHOUT ROWID) on open to a rowid table: same answers, same indexes', async () => {
    const reference = new MemoryDocStore();
    await fill(reference);
    const first = store();
    await fill(first);
    first.close();
    toFormatTwo(file);
    const before = new Database(file, { readonly: true });
    expect(tableSql(before)).toMatch(/WITHOUT ROWID/i);
    before.close();
    const docs = store();
    expect(await answers(docs)).toEqual(await answers(reference));
    expect(await docs.get('rows', 'r4')).toEqual(await reference.get('rows', 'r4'));
    const db = new Database(file, { readonly: true });
    expect(tableSql(db)).not.toMatch(/WITHOUT ROWID/i);
    expect(db.prepare('SELECT max(version) AS v FROM docs_format').get()).toEqual({ v: 3 });
    const names = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'docs' AND sql IS NOT NULL",
      )
      .pluck()
      .all();
    expect(names).toEqual(
      expect.arrayContaining(['docs_k_rows_department_state_deadline', 'docs_k_rows_urgent']),
    );
    db.close();
  });

  it('keeps the keys right when the writer declares fewer indexes, and fills them when fields are added', async () => {
    const reference = new MemoryDocStore();
    const first = store({ rows: [['department', 'state', 'deadline']] });
    await fill(first);
    await fill(reference);
    first.close();
    // A writer that declares nothing still writes the recorded keys.
    const bare = store({});
    for (const id of ['r3', 'r5', 'r8']) {
      const current = (await bare.get<Row>('rows', id))!;
      await bare.put('rows', { ...current, department: 'market', urgent: true }, current.rev);
      const before = (await reference.get<Row>('rows', id))!;
      await reference.put('rows', { ...before, department: 'market', urgent: true }, before.rev);
    }
    bare.close();
    // More indexed fields than recorded: the file's keys are recomputed on open.
    const full = store();
    expect(await answers(full)).toEqual(await answers(reference));
    expect(
      (await full.find<Row>('rows', { where: { department: 'market' } })).map((d) => d.id).sort(),
    ).toEqual(['r3', 'r5', 'r8']);
  });

  describe('two stores on one file, the second declaring a field more', () => {
    // The first store opened before the second recorded `b`: its writes must hold `b` too.
    const pair = () => [store({ rows: [['a']] }), store({ rows: [['a'], ['b']] })] as const;
    const doc = (id: string, rev: number, a = 1) => ({ id, rev, a, b: 'x' });

    it("an insert by the first is found by the second's index on the new field", async () => {
      const [a, b] = pair();
      await a.put('rows', doc('r1', 0), 0);
      expect(await b.find('rows', { where: { b: 'x' } })).toHaveLength(1);
    });

    it('an update by the first that leaves the new field as it was keeps it in the keys', async () => {
      const [a, b] = pair();
      await b.put('rows', doc('r1', 0), 0);
      await a.put('rows', doc('r1', 1, 2), 1);
      expect(await b.find('rows', { where: { b: 'x' } })).toHaveLength(1);
    });

    it('as do replace and writeAll by the first', async () => {
      const [a, b] = pair();
      await a.replace('rows', doc('r1', 3));
      await a.writeAll([
        { collection: 'rows', doc: doc('r2', 0), expectedRev: 0 },
        { collection: 'rows', doc: doc('r3', 5) },
      ]);
      expect((await b.find('rows', { where: { b: 'x' } })).map((d) => d.id)).toEqual(['r1', 'r2', 'r3']);
    });
  });

  it('refuses a file of a newer format', () => {
    store().close();
    const db = new Database(file);
    db.exec('UPDATE docs_format SET version = 4');
    db.close();
    expect(() => store()).toThrow(/format 4 is newer than this OneThing understands/);
  });
});
