/**
 * Test harness around createEngine: a fake clock and small readers of an InstanceView.
 */
import { createEngine } from '../index.js';
import type { HistoryEntry, InstanceView, Job, Variables } from '../api.js';
import { SqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/port.js';

/**
 * The store behind test engines: in memory by default; ONETHING_TEST_STORE=sqlite runs the same
 * behaviour tests on an in-memory SQLite database (serialisation round trips included).
 */
function testStore(): Store | undefined {
  return process.env['ONETHING_TEST_STORE'] === 'sqlite' ? new SqliteStore(':memory:') : undefined;
}

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0); // Monday 2026-01-05 09:00Z
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface FakeClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): number;
}

export function fakeClock(start = T0): FakeClock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => (t += ms),
  };
}

export type Engine = ReturnType<typeof createEngine>;

export interface Harness {
  engine: Engine;
  clock: FakeClock;
  /** Advance the fake clock and fire what is due at the new time; returns runDueJobs' count. */
  tick(ms: number): Promise<number>;
}

export function harness(services?: Record<string, (job: Job) => Variables | Promise<Variables>>): Harness {
  const clock = fakeClock();
  const store = testStore();
  const engine = createEngine({
    clock: clock.now,
    ...(services ? { services } : {}),
    ...(store ? { store } : {}),
  });
  return {
    engine,
    clock,
    tick: (ms) => engine.runDueJobs(clock.advance(ms)),
  };
}

/** Deploy one model and return a harness with it deployed. */
export async function deployed(
  xml: string,
  services?: Record<string, (job: Job) => Variables | Promise<Variables>>,
): Promise<Harness> {
  const h = harness(services);
  await h.engine.deploy(xml);
  return h;
}

/** Element ids in the order they completed (history type 'element.completed'), the process itself left out. */
export function path(view: InstanceView): string[] {
  return view.history
    .filter(
      (h: HistoryEntry) => h.type === 'element.completed' && h.elementId && h.elementId !== view.processId,
    )
    .map((h) => h.elementId!);
}

/** How many times an element completed. */
export function timesCompleted(view: InstanceView, elementId: string): number {
  return path(view).filter((id) => id === elementId).length;
}

/** Element ids of the open tasks, sorted. */
export function openTaskIds(view: InstanceView): string[] {
  return view.openTasks.map((t) => t.elementId).sort();
}

/** Fails (instead of hanging until the jest timeout) when a promise does not settle in time. */
export async function within<T>(promise: Promise<T>, what: string, ms = 3000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (hang/deadlock)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
