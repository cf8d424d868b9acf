import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DocConflictError, type Doc } from './docs.js';
import { SqliteDocStore } from './docs-sqlite.js';
import { RevCachedDocStore } from './rev-cache.js';

interface Case extends Doc {
  status: string;
  items: { name: string; done: boolean }[];
}

const draft = (id: string): Case => ({ id, rev: 0, status: 'open', items: [{ name: 'a', done: false }] });

describe('RevCachedDocStore', () => {
  let dir: string;
  let file: string;
  let stores: SqliteDocStore[];
  const open = () => {
    const store = new SqliteDocStore(file, { cases: [['status']] });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rev-cache-'));
    file = path.join(dir, 'docs.db');
    stores = [];
  });
  afterEach(() => {
    for (const s of stores) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a read of what it committed last, and the answer is a copy', async () => {
    const inner = open();
    const docs = new RevCachedDocStore(inner, new Set(['cases']));
    const saved = await docs.put<Case>('cases', draft('c1'), 0);
    saved.items[0]!.done = true; // the writer's object, changed after the write
    const innerGet = inner.get.bind(inner);
    let bodiesRead = 0;
    inner.get = (collection, id) => (bodiesRead++, innerGet(collection, id));
    const read = await docs.get<Case>('cases', 'c1');
    expect(bodiesRead).toBe(0);
    expect(read).toEqual({ ...draft('c1'), rev: 1 });
    read!.items.push({ name: 'b', done: false });
    expect(await docs.get<Case>('cases', 'c1')).toEqual({ ...draft('c1'), rev: 1 });
    expect(await docs.get<Case>('cases', 'c1')).toEqual(await inner.get<Case>('cases', 'c1'));
  });

  it('reads the store when another writer moved the document on', async () => {
    const docs = new RevCachedDocStore(open(), new Set(['cases']));
    const other = open();
    await docs.put<Case>('cases', draft('c1'), 0);
    await other.put<Case>('cases', { ...draft('c1'), status: 'closed' }, 1);
    expect(await docs.get<Case>('cases', 'c1')).toMatchObject({ rev: 2, status: 'closed' });
    // A stale write still conflicts: the compare-and-set is the store's.
    await expect(docs.put<Case>('cases', draft('c1'), 1)).rejects.toBeInstanceOf(DocConflictError);
    expect(await docs.get<Case>('cases', 'c1')).toMatchObject({ rev: 2, status: 'closed' });
  });

  it('remembers batch writes, forgets a failed batch and a replace', async () => {
    const inner = open();
    const docs = new RevCachedDocStore(inner, new Set(['cases']));
    await docs.writeAll!([{ collection: 'cases', doc: draft('c1'), expectedRev: 0 }]);
    expect(await docs.get<Case>('cases', 'c1')).toMatchObject({ rev: 1, status: 'open' });
    await expect(
      docs.writeAll!([
        { collection: 'cases', doc: { ...draft('c1'), status: 'lost' } as Case, expectedRev: 1 },
        { collection: 'cases', doc: draft('c2'), expectedRev: 5 },
      ]),
    ).rejects.toBeInstanceOf(DocConflictError);
    expect(await docs.get<Case>('cases', 'c1')).toMatchObject({ rev: 1, status: 'open' });
    await docs.replace<Case>('cases', { ...draft('c1'), rev: 1, status: 'replaced' });
    expect(await docs.get<Case>('cases', 'c1')).toMatchObject({ rev: 1, status: 'replaced' });
  });

  it('keeps only the collections it is given, and at most its bound', async () => {
    const docs = new RevCachedDocStore(open(), new Set(['cases']), { kept: 2 });
    for (const id of ['c1', 'c2', 'c3']) await docs.put<Case>('cases', draft(id), 0);
    await docs.put<Case>('other', draft('o1'), 0);
    for (const id of ['c1', 'c2', 'c3'])
      expect(await docs.get<Case>('cases', id)).toMatchObject({ id, rev: 1 });
    expect(await docs.get<Case>('other', 'o1')).toMatchObject({ id: 'o1', rev: 1 });
    expect(await docs.get<Case>('cases', 'missing')).toBeUndefined();
  });

  it('drops a case unused for forgetAfterMs: data purged by another process does not stay in memory', async () => {
    let now = 0;
    const inner = open();
    let innerReads = 0;
    const counting = Object.assign(Object.create(inner) as SqliteDocStore, {
      get: (collection: string, id: string) => (innerReads++, inner.get(collection, id)),
    });
    const docs = new RevCachedDocStore(counting, new Set(['cases']), { forgetAfterMs: 1000, now: () => now });
    const personal = { ...draft('c1'), idNumber: '440402199001011234' };
    await docs.put<Case>('cases', personal, 0);
    now = 900;
    expect(await docs.get<Case>('cases', 'c1')).toMatchObject({ idNumber: personal.idNumber });
    expect(innerReads).toBe(0); // answered from memory, and now used at 900
    await open().put<Case>('cases', { ...draft('c1'), status: 'purged' }, 1); // the purge CLI's own store
    now = 1800;
    docs.sweep();
    expect(innerReads).toBe(0);
    expect(
      JSON.stringify([...(docs as unknown as { remembered: Map<string, unknown> }).remembered]),
    ).toContain(personal.idNumber); // used 900 ms ago: kept
    now = 1901;
    docs.sweep();
    expect([...(docs as unknown as { remembered: Map<string, unknown> }).remembered]).toEqual([]);
    expect(await docs.get<Case>('cases', 'c1')).toMatchObject({ rev: 2, status: 'purged' });
    expect(innerReads).toBe(1);
    docs.close();
  });
});
