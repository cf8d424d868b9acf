/** One contract for every DocStore adapter: memory (reference), SQLite file, MongoDB wire server. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import {
  DocConflictError,
  MemoryDocStore,
  encodeCursor,
  type Doc,
  type DocStore,
} from '../../engine/src/domain/docs.js';
import { DomainError } from '../../engine/src/domain/errors.js';
import { MongoDocStore } from '../../engine/src/domain/docs-mongo.js';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { RevCachedDocStore } from '../../engine/src/domain/rev-cache.js';
import { freshDbUri } from '../support/mongo.js';

interface Item extends Doc {
  department: string;
  state: string;
  deadline: number;
  urgent: boolean;
  note: string | null;
  data: Record<string, unknown>;
}

const adapters: [string, () => Promise<{ docs: DocStore; close(): Promise<void> }>][] = [
  ['memory', async () => ({ docs: new MemoryDocStore(), close: async () => {} })],
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'docs-'));
      const docs = new SqliteDocStore(path.join(dir, 'docs.db'), DOC_INDEXES);
      return { docs, close: async () => (docs.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
  [
    // The server's wrapping (rev-cache.ts): every collection of this contract remembered.
    'sqlite, read back by rev',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'docs-'));
      const inner = new SqliteDocStore(path.join(dir, 'docs.db'), DOC_INDEXES);
      const collections = new Set(['departmentTasks', 'race', 'inbox', 'projection', 'owned']);
      const docs = new RevCachedDocStore(inner, collections);
      return { docs, close: async () => (inner.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
  [
    'mongo',
    async () => {
      const connection = await mongoose.createConnection(freshDbUri('docs_contract')).asPromise();
      return { docs: new MongoDocStore(connection, DOC_INDEXES), close: () => connection.close() };
    },
  ],
];

const item = (id: string, department: string, deadline: number, extra: Partial<Item> = {}): Item => ({
  id,
  rev: 0,
  department,
  state: 'open',
  deadline,
  urgent: false,
  note: null,
  // User data may hold keys MongoDB forbids in field names.
  data: { 'a.b': 1, $weird: 'x', nested: { deep: [1, 2] } },
  ...extra,
});

describe.each(adapters)('DocStore contract: %s', (_name, open) => {
  let docs: DocStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ docs, close } = await open());
  });
  afterAll(async () => close());

  it('inserts with rev 0, replaces only at the expected rev, and returns what it stored', async () => {
    const saved = await docs.put('departmentTasks', item('t1', 'tax', 10), 0);
    expect(saved.rev).toBe(1);
    await expect(docs.put('departmentTasks', item('t1', 'tax', 10), 0)).rejects.toBeInstanceOf(
      DocConflictError,
    );
    const changed = await docs.put('departmentTasks', { ...saved, state: 'claimed' }, 1);
    expect(changed.rev).toBe(2);
    await expect(docs.put('departmentTasks', { ...saved, state: 'done' }, 1)).rejects.toBeInstanceOf(
      DocConflictError,
    );
    expect(await docs.get<Item>('departmentTasks', 't1')).toEqual({
      ...item('t1', 'tax', 10),
      state: 'claimed',
      rev: 2,
    });
    expect(await docs.get('departmentTasks', 'nope')).toBeUndefined();
  });

  it('hands out objects the caller owns: changing what get, find or put returned changes nothing stored', async () => {
    const saved = await docs.put('owned', item('o1', 'tax', 5), 0);
    saved.state = 'changed by the caller';
    const got = (await docs.get<Item>('owned', 'o1'))!;
    got.note = 'changed';
    (got.data.nested as { deep: number[] }).deep.push(3);
    const [found] = await docs.find<Item>('owned');
    (found!.data.nested as { deep: number[] }).deep.push(4);
    found!.department = 'hrss';
    expect(await docs.get<Item>('owned', 'o1')).toEqual({ ...item('o1', 'tax', 5), rev: 1 });
    expect(await docs.find<Item>('owned')).toEqual([{ ...item('o1', 'tax', 5), rev: 1 }]);
  });

  it('of two concurrent saves at the same rev exactly one wins', async () => {
    const base = await docs.put('race', item('r', 'tax', 1), 0);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => docs.put('race', { ...base, note: `writer ${i}` }, base.rev)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('filters on top-level fields (equality, any-of, booleans, null), sorts and pages with a cursor', async () => {
    const c = 'inbox';
    for (let i = 0; i < 7; i++) {
      await docs.put(
        c,
        item(`x${i}`, i % 2 ? 'tax' : 'hrss', 100 - (i % 3), { urgent: i === 3, note: i === 4 ? 'n' : null }),
        0,
      );
    }
    expect((await docs.find<Item>(c, { where: { department: 'tax' } })).map((d) => d.id).sort()).toEqual([
      'x1',
      'x3',
      'x5',
    ]);
    expect(await docs.count(c, { department: ['tax', 'hrss'] })).toBe(7);
    expect((await docs.find<Item>(c, { where: { urgent: true } })).map((d) => d.id)).toEqual(['x3']);
    expect((await docs.find<Item>(c, { where: { note: null } })).length).toBe(6);
    const all = await docs.find<Item>(c, { orderBy: 'deadline' });
    expect(all.map((d) => [d.deadline, d.id])).toEqual(
      [...all]
        .sort((a, b) => a.deadline - b.deadline || (a.id < b.id ? -1 : 1))
        .map((d) => [d.deadline, d.id]),
    );
    const pages: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await docs.find<Item>(c, {
        orderBy: 'deadline',
        desc: true,
        limit: 3,
        ...(after ? { after } : {}),
      });
      pages.push(...page.map((d) => d.id));
      if (page.length < 3) break;
      const last = page[page.length - 1]!;
      after = encodeCursor(last.deadline, last.id);
    }
    expect(pages).toEqual([...all].reverse().map((d) => d.id));
  });

  it('reads only documents whose orderBy value is at most `until` (at least, descending), none without it, across pages', async () => {
    // sweepAt is indexed on applications (the sweep's query), so the SQLite adapter seeks it.
    for (let i = 0; i < 9; i++) {
      const doc = { ...item(`d${i}`, 'tax', i), ...(i === 4 ? {} : { sweepAt: 100 + (i % 5) * 10 }) };
      await docs.put('applications', doc, 0);
    }
    const ids = (found: Doc[]) => found.map((d) => d.id);
    // 100: d0, d5; 110: d1, d6; 120: d2, d7; 130: d3, d8; d4 has none.
    expect(ids(await docs.find('applications', { orderBy: 'sweepAt', until: 115 }))).toEqual([
      'd0',
      'd5',
      'd1',
      'd6',
    ]);
    expect(
      ids(await docs.find('applications', { orderBy: 'sweepAt', until: 120, desc: false, limit: 3 })),
    ).toEqual(['d0', 'd5', 'd1']);
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await docs.find<Item & { sweepAt: number }>('applications', {
        orderBy: 'sweepAt',
        until: 120,
        limit: 2,
        ...(after ? { after } : {}),
      });
      paged.push(...ids(page));
      if (page.length < 2) break;
      const last = page[page.length - 1]!;
      after = encodeCursor(last.sweepAt, last.id);
    }
    expect(paged).toEqual(['d0', 'd5', 'd1', 'd6', 'd2', 'd7']);
    expect(ids(await docs.find('applications', { orderBy: 'sweepAt', until: 125, desc: true }))).toEqual([
      'd8',
      'd3',
    ]);
    expect(await docs.find('applications', { orderBy: 'sweepAt', until: 99 })).toEqual([]);
    await expect(docs.find('applications', { until: 120 })).rejects.toThrow(/until needs orderBy/);
  });

  it('returns only the fields asked for (with id and rev), as stored: null kept, absent left out', async () => {
    const c = 'picked';
    const { note: _none, ...withoutNote } = item('f2', 'tax', 7, { rev: 4 });
    await docs.replace(c, item('f1', 'hrss', 9, { note: null, data: { nested: { deep: [1, { x: 'y' }] } } }));
    await docs.replace(c, withoutNote);
    await docs.replace(c, item('f3', 'tax', 8, { urgent: true }));
    const fields = ['note', 'data', 'deadline', 'urgent'] as const;
    expect(await docs.find<Item>(c, { fields })).toEqual([
      {
        id: 'f1',
        rev: 0,
        note: null,
        data: { nested: { deep: [1, { x: 'y' }] } },
        deadline: 9,
        urgent: false,
      },
      { id: 'f2', rev: 4, data: item('f2', 'tax', 7).data, deadline: 7, urgent: false },
      { id: 'f3', rev: 0, note: null, data: item('f3', 'tax', 8).data, deadline: 8, urgent: true },
    ]);
    // With a filter, an order and a cursor, as without fields.
    const first = await docs.find<Item>(c, {
      where: { department: 'tax' },
      orderBy: 'deadline',
      limit: 1,
      fields: ['state'],
    });
    expect(first).toEqual([{ id: 'f2', rev: 4, state: 'open' }]);
    const next = await docs.find<Item>(c, {
      where: { department: 'tax' },
      orderBy: 'deadline',
      after: encodeCursor(7, 'f2'),
      fields: ['state'],
    });
    expect(next).toEqual([{ id: 'f3', rev: 0, state: 'open' }]);
    expect(await docs.find<Item>(c, { fields: [] })).toEqual([
      { id: 'f1', rev: 0 },
      { id: 'f2', rev: 4 },
      { id: 'f3', rev: 0 },
    ]);
  });

  it('projects a document nested deeper than SQLite reads JSON, and a field named __proto__, as JSON.parse has them', async () => {
    const c = 'deep';
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1100; i++) deep = [deep];
    await docs.replace(c, item('d1', 'tax', 1, { data: { deep } }));
    const odd = JSON.parse('{"id":"d2","rev":0,"state":"open","__proto__":{"polluted":true}}') as Doc;
    await docs.replace(c, odd);
    const found = await docs.find<Item>(c, { fields: ['state', '__proto__'] });
    expect(found).toEqual([
      { id: 'd1', rev: 0, state: 'open' },
      JSON.parse('{"id":"d2","rev":0,"state":"open","__proto__":{"polluted":true}}'),
    ]);
    expect(Object.hasOwn(found[1]!, '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((found[1] as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('refuses a cursor that holds no scalar key, or is no cursor, naming `after`', async () => {
    const c = 'cursors';
    for (const [i, urgent] of [false, true, false].entries())
      await docs.replace(c, item(`k${i}`, 'tax', 10 + i, { urgent }));
    const raw = (value: string) => Buffer.from(value).toString('base64url');
    const bad = [
      raw('[[[1]],"k0"]'),
      raw('[{"a":1},"k0"]'),
      raw('[1]'),
      raw('[1,2]'),
      raw('not json'),
      'AAAA',
    ];
    for (const after of bad)
      for (const orderBy of ['deadline', undefined]) {
        const refused = await docs.find<Item>(c, { ...(orderBy ? { orderBy } : {}), limit: 2, after }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(DomainError);
        expect((refused as DomainError).status).toBe(400);
        expect((refused as DomainError).fieldErrors.map((f) => f.field)).toEqual(['after']);
      }
    // A boolean key pages as any other.
    const byFlag = await docs.find<Item>(c, { orderBy: 'urgent', after: encodeCursor(false, 'k0') });
    expect(byFlag.map((d) => d.id)).toEqual(['k2', 'k1']);
  });

  it('replace writes a derived document whatever its rev', async () => {
    await docs.replace('projection', item('p', 'tax', 1, { rev: 5 }));
    await docs.replace('projection', item('p', 'tax', 2, { rev: 3 }));
    expect((await docs.get<Item>('projection', 'p'))!.deadline).toBe(2);
  });
});
