/**
 * One engine process of the timer test, run as a child process:
 *   node --import tsx test/jobs/timer-node.ts <sqlite|mongo> <file or URI> <owner> <leaseMs> [slowMs]
 *
 * Opens the store, prints READY, waits for GO on stdin, then runs engine.runDueJobs() until no
 * timer is left in the store (its own, and those another node holds or held when it died), and
 * prints DONE <timers fired by this process>. Every job it claims is printed as
 *   CLAIMED <job id> <claimed at> <lease until>
 * With slowMs, every instance save waits that long, one at a time, and `SAVED <n>` is printed
 * every 10 saves: the test kills such a node while it holds a batch of leased timers it has not
 * fired yet.
 */
import { createInterface } from 'node:readline';
import { createEngine } from '../../engine/src/index.js';
import { openStore } from '../../engine/src/store/index.js';
import type { JobQueue } from '../../engine/src/jobs/job-source.js';
import type { InstanceRecord, Store } from '../../engine/src/store/port.js';

const [kind, location, owner, leaseMs, slowMs] = process.argv.slice(2);
if ((kind !== 'sqlite' && kind !== 'mongo') || !location || !owner || !leaseMs) {
  process.stderr.write('usage: timer-node.ts <sqlite|mongo> <location> <owner> <leaseMs> [slowMs]\n');
  process.exit(64);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The store, its claims printed and, with ms, every instance save slow and one at a time (see above). */
function watched(store: Store, ms: number | undefined): Store {
  let inLine = Promise.resolve();
  let saved = 0;
  const slow =
    <A extends unknown[]>(save: (...args: A) => Promise<void>) =>
    (...args: A): Promise<void> => {
      const run = inLine.then(async () => {
        await sleep(ms ?? 0);
        await save(...args);
        if (++saved % 10 === 0) process.stdout.write(`SAVED ${saved}\n`);
      });
      inLine = run.catch(() => undefined);
      return run;
    };
  const queue = new Proxy(store.queue, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'claim')
        return async (...args: Parameters<JobQueue['claim']>) => {
          const jobs = await target.claim(...args);
          for (const j of jobs) process.stdout.write(`CLAIMED ${j.id} ${args[0]} ${j.leaseUntil}\n`);
          return jobs;
        };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'queue') return queue;
      if (ms === undefined)
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      if (prop === 'commit' && target.commit)
        return slow((r: InstanceRecord, rev: number | null) => target.commit!(r, rev));
      if (prop === 'saveInstance')
        return slow((r: InstanceRecord, rev: number) => target.saveInstance(r, rev));
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const opened = await openStore(kind === 'mongo' ? { MONGODB_URI: location } : { ONETHING_DB: location });
const store = watched(opened, slowMs ? Number(slowMs) : undefined);
const engine = createEngine({ store, owner, jobLeaseMs: Number(leaseMs), jobBatch: 50 });

process.stdout.write('READY\n');
await new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'GO') {
      lines.close();
      resolve();
    }
  });
});

let fired = 0;
for (;;) {
  fired += await engine.runDueJobs();
  // Timers still in the store are held by the other node, or were held by a node that died:
  // theirs come back when the lease runs out.
  if ((await opened.dueTimers(Date.now(), 1)).length === 0) break;
  await sleep(100);
}
process.stdout.write(`DONE ${fired}\n`);
await opened.close();
