/**
 * Durable stores: the fan-out bundle on SQLite (a file, every command one committed transaction)
 * and on the MongoDB-wire test server (FerretDB v1, test/mongo-server), each against bpmn-engine
 * in memory measured in the same case; and the department inbox query on SQLite with 1,000,000
 * open tasks.
 */
import path from 'node:path';
import type { Task } from '../../engine/src/api.js';
import type { Effect } from '../../engine/src/runtime/state.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
import { taskCursor, type Store } from '../../engine/src/store/port.js';
import type { CaseDef } from '../lib/harness.js';
import { CLIENTS, oneThingSide } from '../lib/onething.js';
import { referenceSide } from '../lib/reference.js';
import { tempDir } from '../lib/temp-dir.js';
import { fanout } from './engine.js';

/**
 * The fan-out on a SQLite file, every command committed before it returns: one client at a time,
 * or CLIENTS at once, whose commits made while others are under way are written together.
 */
function sqliteFanout(clients: number): CaseDef {
  const tmp = tempDir('sqlite');
  let n = 0;
  const alone = clients === 1;
  return {
    id: alone ? 'sqlite-fanout' : 'sqlite-fanout-clients',
    title: alone
      ? 'Durable SQLite, 7-user-task fan-out bundle (every command committed), one client at a time'
      : `Durable SQLite, 7-user-task fan-out bundle (every command committed), ${clients} clients at once`,
    kind: 'throughput',
    unit: 'instances/s',
    target: '≥ 30× bpmn-engine in memory',
    notes:
      'SqliteStore on a fresh file per round (WAL, synchronous=NORMAL: each command is committed ' +
      'before the call returns); reference: bpmn-engine in memory, one instance at a time (driving it ' +
      `${CLIENTS} at once gives the same rate). ` +
      (alone
        ? 'One instance at a time: every command its own transaction.'
        : `${clients} instances at once, each driven by its own client: a commit made while other commands are ` +
          'under way waits for the end of the event-loop turn and is written in one transaction with theirs ' +
          '(group commit), each still acknowledged only once committed.'),
    ours: oneThingSide(fanout, {
      label: 'OneThing, SqliteStore (file in the temp dir)',
      count: 400,
      warmup: 200,
      store: () => new SqliteStore(path.join(tmp.dir, `round-${n++}.db`)),
      clients,
    }),
    reference: referenceSide(fanout, { count: 30, warmup: 10 }),
    teardown: tmp.remove,
  };
}

/** Starts the test server, or says why not (no binary and no Go toolchain to build it in time). */
async function mongoServer(): Promise<{ uri: string; stop: () => Promise<void> }> {
  const { ensureMongoServerBinary, startMongoServer } = await import('../../test/mongo-server/launch.js');
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error('building the test MongoDB server took over 4 minutes')),
      240_000,
    ).unref(),
  );
  await Promise.race([ensureMongoServerBinary(), timeout]);
  return startMongoServer();
}

/**
 * The fan-out on the MongoDB-wire test server: one client at a time, or CLIENTS at once, whose
 * commits made while others are under way go to the server as one bulk write (and whose work in
 * this process overlaps the server's).
 */
function mongoFanout(clients: number): CaseDef {
  const alone = clients === 1;
  let server: { uri: string; stop: () => Promise<void> } | undefined;
  let n = 0;
  const open = async (): Promise<Store> => {
    const { MongoStore } = await import('../../engine/src/store/mongo/index.js');
    return MongoStore.open(`${server!.uri}bench_${process.pid}_${n++}`);
  };
  return {
    id: alone ? 'mongo-fanout' : 'mongo-fanout-clients',
    title: alone
      ? 'Durable MongoDB wire (FerretDB test server), 7-user-task fan-out bundle, one client at a time'
      : `Durable MongoDB wire (FerretDB test server), 7-user-task fan-out bundle, ${clients} clients at once`,
    kind: 'throughput',
    unit: 'instances/s',
    target: '≥ 5× bpmn-engine in memory',
    notes:
      'MongoStore on the MongoDB-wire test server (FerretDB v1 on SQLite, test/mongo-server), a fresh database per ' +
      `round; reference: bpmn-engine in memory.${alone ? '' : ` ${clients} instances at once, each driven by its own client; commits made while others are under way are sent as one ordered bulk write (group commit).`}`,
    setup: async () => {
      server = await mongoServer();
    },
    teardown: async () => {
      await server?.stop();
    },
    ours: oneThingSide(fanout, {
      label: 'OneThing, MongoStore (test server)',
      count: alone ? 40 : 80,
      warmup: alone ? 10 : 20,
      store: open,
      clients,
    }),
    reference: referenceSide(fanout, { count: 20, warmup: 10 }),
  };
}

const INBOX_TASKS = 1_000_000;
const DEPARTMENTS = 20;
const PAGE = 50;
const START = Date.UTC(2026, 0, 5);

/** 1,000,000 open tasks over 20 departments, written through the store's own projection path. */
async function fillInbox(store: Store): Promise<void> {
  const batch = 5000;
  for (let i = 0; i < INBOX_TASKS; i += batch) {
    const effects: Effect[] = [];
    for (let j = i; j < i + batch; j++) {
      const instanceId = `bench-${Math.floor(j / 5)}`;
      const task: Task = {
        id: `${instanceId}.w${(j % 5) + 2}`,
        instanceId,
        processId: 'fanout',
        businessKey: `app-${Math.floor(j / 5)}`,
        elementId: `dept${j % DEPARTMENTS}`,
        name: 'Department review',
        state: 'open',
        department: `dept-${j % DEPARTMENTS}`,
        item: `item-${j % DEPARTMENTS}`,
        timeLimitDays: 3,
        candidateRoles: ['reviewer'],
        createdAt: START + j * 1000,
      };
      effects.push({ type: 'task.created', task });
    }
    await store.project('', effects);
  }
}

function sqliteInbox(): CaseDef {
  const tmp = tempDir('inbox');
  let store: SqliteStore | undefined;
  const cursors: (string | undefined)[] = [];
  let q = 0;
  return {
    id: 'sqlite-inbox',
    title: 'Department inbox query, SQLite, 1,000,000 open tasks',
    kind: 'latency',
    unit: 'ms',
    target: 'p95 < 20 ms',
    notes:
      `${INBOX_TASKS.toLocaleString('en')} open tasks over ${DEPARTMENTS} departments, projected through SqliteStore.project ` +
      `(untimed); each query is store.findTasks({ department, state: 'open' }, { limit: ${PAGE}, after }) — half first ` +
      'pages, half pages after a cursor from deep in the inbox.',
    setup: async () => {
      store = new SqliteStore(path.join(tmp.dir, 'inbox.db'));
      await fillInbox(store);
      // First pages, and pages after a cursor two thirds down every department's inbox.
      const deep = taskCursor({
        id: 'bench-0.w0',
        createdAt: START + Math.floor((INBOX_TASKS * 2) / 3) * 1000,
      });
      cursors.push(undefined, deep);
    },
    teardown: async () => {
      await store?.close();
      tmp.remove();
    },
    ours: {
      label: 'SqliteStore.findTasks, one page of 50',
      count: 2000,
      warmup: 200,
      async run(count) {
        const samples: number[] = [];
        for (let i = 0; i < count; i++, q++) {
          const department = `dept-${q % DEPARTMENTS}`;
          const after = cursors[(q * 7) % cursors.length];
          const started = performance.now();
          const page = await store!.findTasks(
            { department, state: 'open' },
            after ? { limit: PAGE, after } : { limit: PAGE },
          );
          samples.push(performance.now() - started);
          if (page.length !== PAGE) throw new Error(`inbox page of ${page.length} tasks, expected ${PAGE}`);
        }
        return { ops: count, samples };
      },
    },
  };
}

export function durableCases(): CaseDef[] {
  return [sqliteFanout(1), sqliteFanout(CLIENTS), mongoFanout(1), mongoFanout(CLIENTS), sqliteInbox()];
}
