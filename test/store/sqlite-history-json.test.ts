/**
 * SqliteStore writes a history entry whose id and instanceId its row implies field by field,
 * without those two keys, and stores every other entry whole. Whatever the shape, a store that
 * kept nothing reads back what was written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryEntry } from '../../engine/src/api.js';
import type { Effect } from '../../engine/src/runtime/state.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'onething-history-json-'));
const file = join(dir, 'history.db');
const store = new SqliteStore(file);

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const AT = 1_796_543_470_993;
const entry = (instanceId: string, seq: number, rest: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id: `${instanceId}:${seq}`,
  instanceId,
  seq,
  at: AT,
  type: 'element.entered',
  ...rest,
});
const effects = (entries: HistoryEntry[]): Effect[] => entries.map((e) => ({ type: 'history', entry: e }));

async function readCold(instanceId: string): Promise<HistoryEntry[]> {
  const cold = new SqliteStore(file);
  try {
    return await cold.history(instanceId);
  } finally {
    await cold.close();
  }
}

function storedRows(): string[] {
  return (store.db.prepare('SELECT entries FROM history ORDER BY n').all() as { entries: string }[]).map(
    (r) => r.entries,
  );
}

test('entries as the runtime writes them lose the implied keys and come back whole', async () => {
  const id = 'plain-1';
  const entries = [
    entry(id, 1, { type: 'instance.started', data: { processId: 'p', version: 1 } }),
    entry(id, 2, { elementId: 'start', elementType: 'startEvent' }),
    entry(id, 3, { type: 'flow.taken', elementId: 'f1', elementType: 'sequenceFlow' }),
    entry(id, 4, {
      type: 'incident.raised',
      elementId: 'x',
      elementType: 'serviceTask',
      data: { code: 'E' },
    }),
    entry(id, 5, { type: 'instance.completed' }),
  ];
  await store.project(id, effects(entries));
  expect(await readCold(id)).toEqual(entries);
  const row = storedRows().find((r) => r.includes('"f1"'))!;
  expect(row).not.toContain('instanceId');
  expect(row).not.toContain(`${id}:`);
  expect(JSON.parse(row)[0]).toEqual({
    seq: 1,
    at: AT,
    type: 'instance.started',
    data: { processId: 'p', version: 1 },
  });
});

test('awkward text in ids, types and data round-trips', async () => {
  const id = 'odd "id" \\ é \u2028 ✓';
  const entries = [
    entry(id, 1, { type: 'type "quoted"\n', elementId: 'élément\u2029', elementType: '\\' }),
    // data that looks like an entry head, as text and as an object
    entry(id, 2, { data: { id: `${id}:2`, instanceId: id, note: '{"id":"x","instanceId":"y",' } }),
    entry(id, 3, { data: { nested: [{ id: `${id}:3`, instanceId: id }], when: '2026-12-06T00:00:00Z' } }),
  ];
  await store.project(id, effects(entries));
  expect(await readCold(id)).toEqual(entries);
});

test('entries the row does not imply, or with keys it does not know, are stored whole', async () => {
  const id = 'whole-1';
  const entries: HistoryEntry[] = [
    { ...entry(id, 1), id: 'another-id' }, // an id that is not <instance>:<seq>
    { ...entry('someone-else', 2) }, // another instance's entry, projected here
    { ...entry(id, 3), extra: 'kept' } as HistoryEntry, // a key this store does not know
    { instanceId: id, id: `${id}:4`, type: 'x', at: AT, seq: 4 }, // keys in another order
    { ...entry(id, 5), elementId: undefined }, // a key present but undefined
  ];
  await store.project(id, effects(entries));
  const read = await readCold(id);
  expect(read).toEqual(entries);
  expect((read[2] as HistoryEntry & { extra?: string }).extra).toBe('kept');
});

test('a commit writes its entries once, in seq order, whatever order they came in', async () => {
  const id = 'commit-1';
  const record = {
    id,
    processId: 'p',
    version: 1,
    deploymentId: 'd',
    status: 'active' as const,
    rev: 1,
    state: { id, seq: 3 } as never,
    startedAt: AT,
    updatedAt: AT,
    outbox: effects([entry(id, 3), entry(id, 1), entry(id, 2), entry(id, 1)]),
  };
  await store.commit(record, null);
  expect((await readCold(id)).map((e) => e.seq)).toEqual([1, 2, 3]);
  expect(await store.history(id, 1)).toEqual([entry(id, 1), entry(id, 2), entry(id, 3)]);
});
