/**
 * The sweep reads only the cases due by now (their stored `sweepAt`), and `sweepAt` is the first
 * instant the sweep has work on a case: one millisecond earlier a full pass (every open case, as
 * the sweep read them all before) finds nothing to do, at it the case changes colour or its 容缺
 * material falls overdue. Every ten minutes a full pass still reads every open case.
 */
import { samples } from '../../../forms/src/testing/samples.js';
import { MemoryDocStore, type Doc, type DocQuery } from '../domain/docs.js';
import { createEngine } from '../index.js';
import {
  analyst,
  clerk,
  deferred as deferredPremises,
  example,
  externalLicence,
  HOLDER,
  T0,
} from '../testing/centre-fixtures.js';
import { APPLICATIONS, Centre } from './centre.js';
import { sweepDueAt, sweepHasWork } from './sweep-due.js';
import type { Application } from './types.js';
import { workingTimeLimits } from './working-time.js';

const CODE = 'business-startup';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
type Stored = Application & { sweepAt?: number | null };

/** A memory store that remembers which cases each read of the case records returned. */
class CountingDocStore extends MemoryDocStore {
  reads: string[][] = [];
  override async find<T extends Doc>(collection: string, query?: DocQuery): Promise<T[]> {
    const found = await super.find<T>(collection, query);
    if (collection === APPLICATIONS) this.reads.push(found.map((d) => d.id));
    return found;
  }
}

async function setUp() {
  let now = T0;
  const docs = new CountingDocStore();
  const options = () => ({
    engine: createEngine({ clock: () => now }),
    docs,
    timeLimits: workingTimeLimits(),
    clock: () => now,
  });
  // Only its first sweep reads every open case: the others read what is due.
  const centre = new Centre({ ...options(), fullSweepEveryMs: Infinity });
  const pkg = example(CODE);
  // Deferrable (容缺), as a bundle may declare the premises proof.
  pkg.bundle.materials.find((m: { id: string }) => m.id === 'premisesProof').deferrable = true;
  await centre.deployBundle(analyst, pkg);
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  const { situation, ...data } = samples[CODE]!;
  const accept = async (deferred = false) => {
    const app = await centre.createApplication(clerk, {
      bundleCode: CODE,
      answers: situation!,
      data,
      applicant: { kind: 'person', name: '张三', idNumber: HOLDER, phone: '13800138000' },
    });
    return centre.accept(clerk, (await centre.submit(clerk, app.id)).id, {
      materials: [
        { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
        deferred ? { id: 'premisesProof', status: 'deferred' } : { id: 'premisesProof', status: 'provided' },
      ],
      ...(deferred ? { commitments: deferredPremises().commitments } : {}),
    });
  };
  /** The stored sweepAt; undefined when nothing will come due (null) or the field is absent. */
  const sweepAt = async (id: string) => (await docs.get<Stored>(APPLICATIONS, id))!.sweepAt ?? undefined;
  return {
    docs,
    centre,
    accept,
    sweepAt,
    at: (t: number) => (now = t),
    /** Another node's Centre on the same records: its first sweep reads every open case. */
    fullPass: () => new Centre(options()),
  };
}

test('sweepAt is the first instant the sweep has work: a full pass finds nothing a millisecond before and a change at it', async () => {
  const { centre, accept, sweepAt, at, fullPass } = await setUp();
  const app = await accept();
  await centre.sweep(T0);
  let due = await sweepAt(app.id);
  const colours: (string | undefined)[] = [];
  // Follow the case through its colour changes (each item's and the case's), to red everywhere.
  for (let change = 0; due !== undefined; change++) {
    expect(change).toBeLessThan(20);
    expect(due).toBeGreaterThan(T0);
    expect((await fullPass().sweep(due - 1)).recoloured).toBe(0);
    at(due);
    expect((await centre.sweep(due)).recoloured).toBeGreaterThan(0);
    colours.push((await centre.getApplication(clerk, app.id)).timeStatus);
    due = await sweepAt(app.id);
  }
  expect(colours).toContain('yellow');
  expect(colours.at(-1)).toBe('red');
  // Red everywhere, nothing left to come due: the case is no longer in the index's due reads.
  expect((await fullPass().sweep(T0 + 60 * DAY)).recoloured).toBe(0);
});

test('a deferred (容缺) material is due the instant after its due date', async () => {
  const { centre, accept, sweepAt, at, fullPass } = await setUp();
  const app = await accept(true);
  await centre.sweep(T0);
  const material = (await centre.getApplication(clerk, app.id)).materials.find(
    (m) => m.id === 'premisesProof',
  )!;
  const dueAt = material.deferral!.dueAt;
  // Clock changes before the deferral's due date are due first; the deferral no later than just after it.
  expect(await sweepAt(app.id)).toBeLessThanOrEqual(dueAt + 1);
  // The clock changes on the way, each at its sweepAt.
  for (let due = await sweepAt(app.id); due !== undefined && due <= dueAt + 1; due = await sweepAt(app.id)) {
    at(due);
    await centre.sweep(due);
  }
  const after = await centre.getApplication(clerk, app.id);
  expect(after.materials.find((m) => m.id === 'premisesProof')!.deferral!.status).toBe('overdue');
  // Ended with the items it served, the rest handed over: nothing left for the sweep.
  expect(await sweepAt(app.id)).toBeUndefined();
  expect((await fullPass().sweep(dueAt + 30 * DAY)).terminated).toBe(0);
});

test('a tick reads only the cases due by now; every ten minutes a full pass reads every open case', async () => {
  const { docs, accept, sweepAt, at, fullPass } = await setUp();
  const ticking = fullPass(); // the default: a full pass every ten minutes
  const a = await accept();
  at(T0 + 2 * HOUR);
  const b = await accept();
  const read = async (t: number) => {
    docs.reads = [];
    at(t);
    await ticking.sweep(t);
    return docs.reads.flat().sort();
  };
  // The first sweep reads every open case.
  expect(await read(T0 + 2 * HOUR)).toEqual([a.id, b.id].sort());
  // Five minutes later, before either is due: the tick reads no case.
  expect(await read(T0 + 2 * HOUR + 5 * 60_000)).toEqual([]);
  // At the first sweepAt, the cases due then and no other.
  const due = { [a.id]: (await sweepAt(a.id))!, [b.id]: (await sweepAt(b.id))! };
  const first = Math.min(...Object.values(due));
  const late = T0 + 2 * HOUR + 9 * 60_000;
  expect(first).toBeGreaterThan(late);
  // A case whose sweepAt is wrong (here: moved to the far future by hand, as a calendar changed
  // after its save could leave it) is not read by a tick, but by the full pass ten minutes after the last.
  const stored = (await docs.get<Stored>(APPLICATIONS, b.id))!;
  await docs.replace(APPLICATIONS, { ...stored, sweepAt: T0 + 365 * DAY });
  expect(await read(late)).toEqual([]);
  expect(await read(first)).toEqual([a.id, b.id].sort());
  expect((await ticking.getApplication(clerk, b.id)).timeStatus).toBe(
    (await ticking.getApplication(clerk, a.id)).timeStatus,
  );
  expect(due[b.id]).toBe(first);
});

test('a case saved by an older version (no sweepAt) gets one at the first full pass, and the ticks find it after', async () => {
  const { docs, centre, accept, sweepAt, at } = await setUp();
  const app = await accept();
  const due = (await sweepAt(app.id))!;
  const { sweepAt: _dropped, ...legacy } = (await docs.get<Stored>(APPLICATIONS, app.id))!;
  await docs.replace(APPLICATIONS, legacy);
  expect('sweepAt' in (await docs.get<Stored>(APPLICATIONS, app.id))!).toBe(false);
  expect((await centre.sweep(T0)).recoloured).toBe(0); // the first sweep: a full pass
  expect(await sweepAt(app.id)).toBe(due);
  at(due);
  expect((await centre.sweep(due)).recoloured).toBeGreaterThan(0); // a tick: due reads only
});

describe('a clock that cannot tell when it changes next (no nextChangeAt)', () => {
  /** Limits whose arithmetic says where a clock stands, never when that changes. */
  const untold = (status: 'normal' | 'yellow') => ({
    state: () => ({ deadline: T0 + DAY, remainingWorkingDays: 1, status }),
    addWorkingDays: (from: number, n: number) => from + n * DAY,
  });
  const running = {
    status: 'in-progress',
    acceptedAt: T0,
    promisedDays: 2,
    pauses: [],
    timeStatus: 'normal',
    items: [],
    materials: [],
  } as unknown as Application;

  it('is stored as due now, so every tick reads the case from the index', () => {
    expect(sweepDueAt(untold('normal'), running, T0 + HOUR)).toBe(T0 + HOUR);
  });

  it('is work for the sweep only once its colour differs from the recorded one', () => {
    expect(sweepHasWork(untold('normal'), running, T0 + HOUR)).toBe(false);
    expect(sweepHasWork(untold('yellow'), running, T0 + HOUR)).toBe(true);
  });
});
