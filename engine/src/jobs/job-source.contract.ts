/**
 * The behaviour every JobSource + IncidentAdmin must have, as a jest suite to run against each
 * implementation (memory here; the sqlite and mongo stores once they carry jobs):
 *
 *   describeJobSourceContract('sqlite', async () => ({ source, add: (job) => … }));
 */
import type { JobQueue, NewJob } from './job-source.js';

export interface JobSourceFixture {
  source: JobQueue;
  add(job: NewJob): Promise<void>;
  close?(): Promise<void>;
}

export function describeJobSourceContract(name: string, make: () => Promise<JobSourceFixture>): void {
  describe(`JobSource contract: ${name}`, () => {
    let f: JobSourceFixture;
    beforeEach(async () => {
      f = await make();
    });
    afterEach(async () => {
      await f.close?.();
    });
    const job = (id: string, dueAt: number, extra: Partial<NewJob> = {}): NewJob => ({
      id,
      type: 'call',
      dueAt,
      ...extra,
    });
    const ids = (jobs: { id: string }[]) => jobs.map((j) => j.id);

    it('claims only due jobs, oldest first, up to the limit, with their data', async () => {
      await f.add(job('b', 200, { payload: { n: 1 }, instanceId: 'i1', elementId: 'task', maxAttempts: 4 }));
      await f.add(job('a', 100));
      await f.add(job('c', 300));
      await f.add(job('later', 10_000));
      const claimed = await f.source.claim(300, 'w1', 1000, 2);
      expect(ids(claimed)).toEqual(['a', 'b']);
      expect(claimed[1]).toEqual({
        id: 'b',
        type: 'call',
        payload: { n: 1 },
        instanceId: 'i1',
        elementId: 'task',
        attempts: 0,
        maxAttempts: 4,
        lastError: null,
        leaseUntil: 1300,
      });
      expect(ids(await f.source.claim(300, 'w2', 1000, 10))).toEqual(['c']);
    });

    it('claims only the types asked for, when asked', async () => {
      await f.add(job('t1', 0, { type: 'bpmn:timer' }));
      await f.add(job('c1', 1, { type: 'call' }));
      await f.add(job('m1', 2, { type: 'mail' }));
      expect(ids(await f.source.claim(10, 'w1', 1000, 10, ['bpmn:timer', 'mail']))).toEqual(['t1', 'm1']);
      expect(await f.source.claim(10, 'w1', 1000, 10, [])).toEqual([]);
      expect(ids(await f.source.claim(10, 'w1', 1000, 10))).toEqual(['c1']);
    });

    it('keeps a leased job from others until the lease expires, then lets another owner take it over', async () => {
      await f.add(job('a', 0));
      expect(ids(await f.source.claim(0, 'w1', 1000, 10))).toEqual(['a']);
      expect(await f.source.claim(999, 'w2', 1000, 10)).toEqual([]);
      expect(ids(await f.source.claim(1000, 'w2', 1000, 10))).toEqual(['a']);
      // The first owner comes back late: its outcome is refused, the new owner's counts.
      expect(await f.source.complete('a', 'w1', 1001)).toBe(false);
      expect(await f.source.fail('a', 'w1', 'late', 5000, 1001)).toBe(false);
      expect(await f.source.complete('a', 'w2', 1002)).toBe(true);
      expect(await f.source.claim(99_999, 'w3', 1000, 10)).toEqual([]);
    });

    it('a job its instance finished is never claimed again; the worker holding it may still record its outcome', async () => {
      await f.add(job('a', 0));
      await f.add(job('b', 0));
      await f.source.claim(0, 'w1', 1000, 10);
      await f.add(job('c', 0));
      await f.source.finish('a');
      await f.source.finish('b');
      await f.source.finish('c');
      expect(await f.source.claim(99_999, 'w2', 1000, 10)).toEqual([]);
      expect(await f.source.complete('a', 'w2', 1)).toBe(false);
      expect(await f.source.complete('a', 'w1', 1)).toBe(true);
      expect(await f.source.complete('a', 'w1', 2)).toBe(false);
      expect(await f.source.fail('b', 'w1', 'timeout', 500, 2)).toBe(true);
      expect(await f.source.claim(99_999, 'w1', 1000, 10)).toEqual([]);
      expect(await f.source.listIncidents()).toEqual([]);
    });

    it('completes once: a done job is never claimed or completed again', async () => {
      await f.add(job('a', 0));
      await f.source.claim(0, 'w1', 1000, 10);
      expect(await f.source.complete('a', 'w1', 1)).toBe(true);
      expect(await f.source.complete('a', 'w1', 2)).toBe(false);
      expect(await f.source.claim(5000, 'w1', 1000, 10)).toEqual([]);
    });

    it('runs a failed job again at nextRunAt, counting the attempt and keeping the error', async () => {
      await f.add(job('a', 0, { maxAttempts: 3 }));
      await f.source.claim(0, 'w1', 1000, 10);
      expect(await f.source.fail('a', 'w1', 'HTTP 503', 500, 10)).toBe(true);
      expect(await f.source.claim(499, 'w1', 1000, 10)).toEqual([]);
      const [again] = await f.source.claim(500, 'w2', 1000, 10);
      expect(again).toMatchObject({ id: 'a', attempts: 1, lastError: 'HTTP 503' });
    });

    it('turns a job that gives up into an incident that can be listed, retried and resolved with a comment', async () => {
      await f.add(job('a', 0, { instanceId: 'i1', elementId: 'notifyTax' }));
      await f.add(job('b', 0, { instanceId: 'i2' }));
      await f.source.claim(0, 'w1', 1000, 10);
      await f.source.fail('a', 'w1', 'HTTP 500', null, 10);
      await f.source.fail('b', 'w1', 'refused', null, 11);
      expect(await f.source.claim(99_999, 'w1', 1000, 10)).toEqual([]);

      const open = await f.source.listIncidents({ open: true });
      expect(open.map((i) => [i.jobId, i.instanceId, i.elementId, i.message, i.createdAt])).toEqual([
        ['a', 'i1', 'notifyTax', 'HTTP 500', 10],
        ['b', 'i2', null, 'refused', 11],
      ]);
      expect((await f.source.listIncidents({ instanceId: 'i2' })).map((i) => i.jobId)).toEqual(['b']);
      const [incA, incB] = open;

      const retried = await f.source.retryIncident(incA!.id, 20);
      expect(retried).toMatchObject({ resolvedAt: 20, comment: 'retried' });
      const [again] = await f.source.claim(20, 'w2', 1000, 10);
      expect(again).toMatchObject({ id: 'a', attempts: 0, lastError: 'HTTP 500' });

      const resolved = await f.source.resolveIncident(incB!.id, 'registered by hand at the tax office', 30);
      expect(resolved).toMatchObject({ resolvedAt: 30, comment: 'registered by hand at the tax office' });
      await expect(f.source.retryIncident(incB!.id, 31)).rejects.toThrow(/already resolved/);
      expect(await f.source.claim(31, 'w3', 1000, 10)).toEqual([]); // a is leased by w2 until 1020, b is cancelled
      expect(await f.source.complete('a', 'w2', 40)).toBe(true);
      expect(await f.source.claim(99_999, 'w3', 1000, 10)).toEqual([]);
      expect(await f.source.listIncidents({ open: true })).toEqual([]);
      expect(await f.source.listIncidents()).toHaveLength(2);
    });

    it('gives each job to one of many owners claiming at once', async () => {
      for (let i = 0; i < 60; i++) await f.add(job(`j${String(i).padStart(2, '0')}`, i));
      const rounds = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => f.source.claim(100, w, 1000, 20)));
      const all = rounds.flatMap(ids);
      expect(all).toHaveLength(60);
      expect(new Set(all).size).toBe(60);
    });
  });
}
