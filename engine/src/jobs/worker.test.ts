import type { ClaimedJob } from './job-source.js';
import { MemoryJobSource } from './memory-job-source.js';
import { JobWorker, type WorkerOptions } from './worker.js';

const backoff = { baseMs: 1000, factor: 2, maxMs: 60_000 };

function setup(jobs: number, maxAttempts?: number) {
  let now = 0;
  const clock = { now: () => now, set: (t: number) => (now = t) };
  const source = new MemoryJobSource();
  const adding = Array.from({ length: jobs }, (_, i) =>
    source.add({
      id: `job-${i}`,
      type: 'call',
      dueAt: 0,
      instanceId: `i-${i}`,
      elementId: 'notify',
      ...(maxAttempts ? { maxAttempts } : {}),
    }),
  );
  const worker = (owner: string, handlers: WorkerOptions['handlers'], extra: Partial<WorkerOptions> = {}) =>
    new JobWorker({
      source,
      owner,
      handlers,
      clock: clock.now,
      leaseMs: 10_000,
      batchSize: 5,
      backoff,
      ...extra,
    });
  return { clock, source, worker, ready: Promise.all(adding) };
}

/** Lets other promises run, so two workers really interleave. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('JobWorker', () => {
  it('runs each job exactly once with two workers on one source', async () => {
    const { worker, ready } = setup(100);
    await ready;
    const runs = new Map<string, string[]>();
    const handler = (owner: string) => async (job: ClaimedJob) => {
      runs.set(job.id, [...(runs.get(job.id) ?? []), owner]);
      await yieldToOthers();
    };
    const [a, b] = await Promise.all([
      worker('A', { call: handler('A') }).drain(),
      worker('B', { call: handler('B') }).drain(),
    ]);
    expect(runs.size).toBe(100);
    expect([...runs.values()].every((owners) => owners.length === 1)).toBe(true);
    expect(a.completed + b.completed).toBe(100);
    expect(a.completed).toBeGreaterThan(0);
    expect(b.completed).toBeGreaterThan(0);
    expect(a.lost + b.lost).toBe(0);
  });

  it("takes over a crashed worker's job once its lease expires", async () => {
    const { clock, source, worker, ready } = setup(1);
    await ready;
    // Worker A claims and dies before doing anything.
    await source.claim(0, 'A', 10_000, 5);
    const runs: string[] = [];
    const b = worker('B', { call: (job: ClaimedJob) => void runs.push(job.id) });
    clock.set(9_999);
    expect((await b.runOnce()).claimed).toBe(0);
    clock.set(10_000);
    expect(await b.runOnce()).toMatchObject({ claimed: 1, completed: 1 });
    expect(runs).toEqual(['job-0']);
    expect(source.inspect('job-0')?.state).toBe('done');
  });

  it('does not record the outcome of a worker that was too slow and lost its lease', async () => {
    const { clock, source, worker, ready } = setup(1);
    await ready;
    let release!: () => void;
    const slow = worker('A', { call: () => new Promise<void>((resolve) => (release = resolve)) });
    const running = slow.runOnce();
    await yieldToOthers();
    clock.set(10_000);
    const fast = await worker('B', { call: () => undefined }).runOnce();
    expect(fast).toMatchObject({ claimed: 1, completed: 1 });
    release();
    expect(await running).toMatchObject({ claimed: 1, completed: 0, lost: 1 });
    expect(source.inspect('job-0')?.state).toBe('done');
  });

  it('retries a failing job after the backoff delays and completes it when it succeeds', async () => {
    const { clock, source, worker, ready } = setup(1, 5);
    await ready;
    const seen: number[] = [];
    const w = worker('A', {
      call: (job: ClaimedJob) => {
        seen.push(job.attempts);
        if (job.attempts < 2) throw new Error(`department system down (${job.attempts})`);
      },
    });
    expect(await w.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    expect(source.inspect('job-0')?.retry).toMatchObject({
      attempts: 1,
      nextRunAt: 1000,
      lastError: 'department system down (0)',
    });
    clock.set(999);
    expect((await w.runOnce()).claimed).toBe(0);
    clock.set(1000);
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    expect(source.inspect('job-0')?.retry.nextRunAt).toBe(3000); // 1000 + 2000
    clock.set(3000);
    expect(await w.runOnce()).toMatchObject({ completed: 1 });
    expect(seen).toEqual([0, 1, 2]);
  });

  it('turns a job into one incident after maxAttempts failures; a supervisor retry runs it again', async () => {
    const { clock, source, worker, ready } = setup(1, 3);
    await ready;
    const incidents: string[] = [];
    let healthy = false;
    const w = worker(
      'A',
      {
        call: () => {
          if (!healthy) throw new Error('HTTP 500');
        },
      },
      { onIncident: (job, error) => void incidents.push(`${job.id}: ${error}`) },
    );
    for (const t of [0, 1000, 3000]) {
      clock.set(t);
      await w.runOnce();
    }
    expect(incidents).toEqual(['job-0: HTTP 500']);
    clock.set(1_000_000);
    expect((await w.runOnce()).claimed).toBe(0);
    const [incident] = await source.listIncidents({ open: true });
    expect(incident).toMatchObject({
      jobId: 'job-0',
      instanceId: 'i-0',
      elementId: 'notify',
      message: 'HTTP 500',
      createdAt: 3000,
    });

    healthy = true;
    await source.retryIncident(incident!.id, 1_000_000, 'department system back');
    expect(await w.runOnce()).toMatchObject({ claimed: 1, completed: 1 });
    expect(incidents).toHaveLength(1);
  });

  it('fails a job of a type nobody handles, so it surfaces as an incident', async () => {
    const { source, worker, ready } = setup(1, 1);
    await ready;
    expect(await worker('A', {}).runOnce()).toMatchObject({ incidents: 1 });
    const [incident] = await source.listIncidents();
    expect(incident!.message).toBe('no handler for job type "call"');
  });

  it('polls until stopped, and stop waits for the round in progress', async () => {
    const { source, worker, ready } = setup(12);
    await ready;
    const done: string[] = [];
    let release: (() => void) | undefined;
    const w = worker('A', {
      call: async (job: ClaimedJob) => {
        if (job.id === 'slow') await new Promise<void>((resolve) => (release = resolve));
        done.push(job.id);
      },
    });
    w.start(5);
    for (let i = 0; i < 200 && done.length < 12; i++) await new Promise((r) => setTimeout(r, 5));
    expect(done).toHaveLength(12);

    await source.add({ id: 'slow', type: 'call', dueAt: 0 });
    for (let i = 0; i < 200 && !release; i++) await new Promise((r) => setTimeout(r, 5));
    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false); // still running 'slow'
    release!();
    await stopping;
    expect(done).toContain('slow');

    await source.add({ id: 'after-stop', type: 'call', dueAt: 0 });
    await new Promise((r) => setTimeout(r, 30));
    expect(done).not.toContain('after-stop');
  });
});
