/**
 * SqliteStore keeps what it committed or read (parsed records, history rows, instance keys) to
 * skip parsing it again. Two stores on one file (as two processes on one database) must still
 * read each other's writes: a kept record is used only while the row's rev is unchanged, and
 * history is read from the file after the last entry kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HistoryEntry } from '../../engine/src/api.js';
import type { Effect, InstanceState } from '../../engine/src/runtime/state.js';
import type { InstanceRecord } from '../../engine/src/store/port.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';

const T0 = Date.UTC(2026, 0, 5, 9);

function record(
  id: string,
  rev: number,
  vars: Record<string, unknown>,
  outbox: Effect[] = [],
): InstanceRecord {
  const state = {
    id,
    processId: 'p',
    deploymentId: 'd1',
    version: 1,
    status: 'active',
    tokens: {},
    scopes: { root: { id: 'root', node: -1, parent: null, token: null, kind: 'process', vars } },
    waits: {},
    tasks: {},
    jobs: {},
    seq: rev,
    startedAt: T0,
  } as unknown as InstanceState;
  const { processId, version, deploymentId, status } = state;
  return {
    id,
    processId,
    version,
    deploymentId,
    status,
    rev,
    state,
    startedAt: T0,
    updatedAt: T0 + rev,
    outbox,
  };
}

const entry = (instanceId: string, seq: number): Effect => ({
  type: 'history',
  entry: { id: `${instanceId}:${seq}`, instanceId, seq, at: T0 + seq, type: 'step' } satisfies HistoryEntry,
});

let dir: string;
let a: SqliteStore;
let b: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'onething-shared-'));
  const file = path.join(dir, 'shared.db');
  a = new SqliteStore(file);
  b = new SqliteStore(file);
});
afterEach(async () => {
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('two SqliteStores on one file', () => {
  it('reads the record the other one saved since, not the one it committed or read', async () => {
    await a.commit!(record('i1', 1, { n: 1 }, [entry('i1', 1)]), null);
    expect((await a.getInstance('i1'))!.state.scopes.root!.vars).toEqual({ n: 1 });

    await b.commit!(record('i1', 2, { n: 2 }, [entry('i1', 2)]), 1);
    const seen = await a.getInstance('i1');
    expect(seen!.rev).toBe(2);
    expect(seen!.state.scopes.root!.vars).toEqual({ n: 2 });
    expect((await a.history('i1')).map((e) => e.seq)).toEqual([1, 2]);

    // And back: a saves on what it read, b sees it.
    await a.commit!(record('i1', 3, { n: 3 }, [entry('i1', 3)]), 2);
    expect((await b.getInstance('i1'))!.rev).toBe(3);
    expect((await b.history('i1')).map((e) => e.id)).toEqual(['i1:1', 'i1:2', 'i1:3']);
  });

  it('sees an outbox the other one cleared (same rev)', async () => {
    const followUp: Effect = {
      type: 'message.published',
      messageName: 'm',
      correlationKey: null,
      variables: {},
    };
    await a.commit!(record('i1', 1, {}, [followUp]), null);
    expect((await a.getInstance('i1'))!.outbox).toHaveLength(1);
    await b.clearOutbox('i1', 1);
    expect((await a.getInstance('i1'))!.outbox).toEqual([]);
  });

  it('finds tasks of an instance whose key the other store created', async () => {
    await a.project('i1', [entry('i1', 1)]);
    expect(await b.findTasks({ instanceId: 'i2' })).toEqual([]);
    await a.project('i2', [
      {
        type: 'task.created',
        task: { id: 'i2.w1', instanceId: 'i2', processId: 'p', elementId: 'e', state: 'open', createdAt: T0 },
      } as Effect,
    ]);
    expect((await b.findTasks({ instanceId: 'i2', state: 'open' })).map((t) => t.id)).toEqual(['i2.w1']);
    expect((await b.history('i1')).map((e) => e.id)).toEqual(['i1:1']);
  });

  it('a commit that lost the race keeps nothing it tried to write', async () => {
    await a.commit!(record('i1', 1, { n: 1 }), null);
    await b.commit!(record('i1', 2, { n: 2 }), 1);
    await expect(a.commit!(record('i1', 2, { n: 'lost' }, [entry('i1', 2)]), 1)).rejects.toThrow(
      'changed concurrently',
    );
    expect((await a.getInstance('i1'))!.state.scopes.root!.vars).toEqual({ n: 2 });
    expect(await a.history('i1')).toEqual([]);
    expect(await b.history('i1')).toEqual([]);
  });
});

describe('SqliteStore history rows', () => {
  it('give back entries whose id or instanceId are not the ones their row implies, as written', async () => {
    const written: HistoryEntry[] = [
      { id: 'i1:1', instanceId: 'i1', seq: 1, at: T0, type: 'implied' },
      { id: 'i1:12', instanceId: 'i1', seq: 2, at: T0, type: 'id of another seq' },
      { id: 'elsewhere', instanceId: 'i1', seq: 3, at: T0, type: 'own id' },
      { id: 'i1:4', instanceId: 'i2', seq: 4, at: T0, type: 'other instance' },
      {
        id: 'i1:5',
        instanceId: 'i1',
        seq: 5,
        at: T0,
        type: 'nested',
        data: { id: 'i1:5', instanceId: 'i1' },
      },
    ];
    await a.project(
      'i1',
      written.map((entry): Effect => ({ type: 'history', entry })),
    );
    expect(await b.history('i1')).toEqual(written);
    expect(JSON.stringify(await b.history('i1'))).toBe(JSON.stringify(written)); // key order too
  });
});
