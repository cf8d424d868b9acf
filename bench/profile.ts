/**
 * Runs our side of an engine case for profiling, without the reference:
 *   npx tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.ts [fanout|gateways|example:<code>|probe:<name>] [instances] [memory|sqlite|mongo] [--round=N]
 * then open the .cpuprofile in Chrome DevTools (Performance) or summarise it with bench/lib/profile-top.ts
 * (tsx writes two profiles; the larger one is the script's).
 *
 * `--clients=N` drives N instances at once, each by its own client (the bench's 16-client cases).
 *
 * `--round=N` starts a fresh engine and store every N instances, as `npm run bench` does (3,000 for
 * the in-memory fan-out): without it one store holds every instance, so its share of the profile
 * grows with the count (140,000 tasks at 20,000 fan-out instances) beyond what the bench measures.
 *
 * `probe:<name>` runs bench/models/probes/<name>.bpmn with the probes' start variables.
 *
 * `mongo` runs MongoStore on the test MongoDB-wire server (test/mongo-server, a fresh database per
 * engine) and also reports the server's CPU time (from /proc/<pid>/stat), since it does most of the
 * work; with ONETHING_MONGO_SERVER_ARGS (e.g. `-cpuprofile=/tmp/server.pprof`) passed to it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, type Engine, type Store } from '../engine/src/index.js';
import { SqliteStore } from '../engine/src/store/sqlite/index.js';
import { fanout, gateways } from './cases/engine.js';
import { exampleScenario } from './cases/examples.js';
import { firstExecutableProcess, probeModels } from './cases/model-file.js';
import { runInstance, runInstances, type Scenario } from './lib/onething.js';

const roundOption = process.argv.find((arg) => arg.startsWith('--round='));
const clientsOption = process.argv.find((arg) => arg.startsWith('--clients='));
const clients = clientsOption ? Number(clientsOption.slice('--clients='.length)) : 1;
if (!(Number.isInteger(clients) && clients > 0))
  throw new Error(`--clients needs a positive whole number, got ${clientsOption}`);
const [which = 'fanout', countArg, storeKind = 'memory'] = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith('--'));
const scenario = which.startsWith('example:')
  ? await exampleScenario(which.slice('example:'.length)).then((e) => e.scenario)
  : which.startsWith('probe:')
    ? await probeScenario(which.slice('probe:'.length))
    : which === 'gateways'
      ? gateways
      : fanout;
const count = Number(countArg ?? 20000);
const round = roundOption ? Number(roundOption.slice('--round='.length)) : Infinity;
if (!(round > 0)) throw new Error(`--round needs a positive number of instances, got ${roundOption}`);
const dir = mkdtempSync(path.join(os.tmpdir(), 'onething-profile-'));
let engines = 0;
const mongo = storeKind === 'mongo' ? await startMongo() : undefined;

/** A probe model as a scenario; its user tasks per instance counted by running one. */
async function probeScenario(name: string): Promise<Scenario> {
  const { models, variables } = probeModels();
  const file = models.find((m) => path.basename(m.ours) === `${name}.bpmn`);
  if (!file) throw new Error(`no probe ${name}.bpmn in bench/models/probes`);
  const xml = readFileSync(file.ours, 'utf8');
  const scenario: Scenario = { processId: firstExecutableProcess(xml), xml, referenceXml: xml, variants: [] };
  const engine = createEngine();
  await engine.deploy(xml);
  const { tasks } = await runInstance(engine, scenario, variables, 'probe');
  scenario.variants.push({ variables, tasks });
  return scenario;
}

async function startMongo() {
  const { startMongoServer } = await import('../test/mongo-server/launch.js');
  const extra = process.env.ONETHING_MONGO_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
  return startMongoServer({ args: extra });
}

/** User + system CPU seconds of a process so far (Linux: fields 14 and 15 of /proc/<pid>/stat). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** A process's peak resident set size so far, MiB (VmHWM in /proc/<pid>/status). */
function peakRssMiB(pid: number): number {
  const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kib) / 1024);
}

async function freshStore(): Promise<Store | undefined> {
  const name = `profile-${engines++}`;
  if (storeKind === 'sqlite') return new SqliteStore(path.join(dir, `${name}.db`));
  if (!mongo) return undefined;
  const { MongoStore } = await import('../engine/src/store/mongo/index.js');
  return MongoStore.open(`${mongo.uri}${name}`);
}

async function freshEngine(previous?: Engine): Promise<Engine> {
  await previous?.store.close();
  const store = await freshStore();
  const engine = createEngine(store ? { store } : {});
  await engine.deploy(scenario.xml);
  return engine;
}

let engine = await freshEngine();
await runInstances(engine, scenario, Math.min(mongo ? 100 : 2000, count)); // warm-up
let cpuSeconds = 0;
let serverSeconds = 0;
let seconds = 0;
for (let done = 0; done < count;) {
  if (Number.isFinite(round)) engine = await freshEngine(engine); // untimed, as the bench's prepare()
  const batch = Math.min(round, count - done);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const serverBefore = mongo ? processCpuSeconds(mongo.pid) : 0;
  await runInstances(engine, scenario, batch, 2000 + done, clients);
  const used = process.cpuUsage(cpu);
  if (mongo) serverSeconds += processCpuSeconds(mongo.pid) - serverBefore;
  seconds += (performance.now() - started) / 1000;
  cpuSeconds += (used.user + used.system) / 1e6;
  done += batch;
}
const rounds =
  (Number.isFinite(round) ? `, a fresh engine every ${round}` : '') +
  (clients > 1 ? `, ${clients} clients` : '');
console.log(
  `${scenario.processId} (${storeKind}${rounds}): ${Math.round(count / seconds)} instances/s over ${count}, ${Math.round(count / cpuSeconds)} per CPU-second` +
    (mongo
      ? `; CPU per instance: client ${((cpuSeconds / count) * 1000).toFixed(2)} ms, server ${((serverSeconds / count) * 1000).toFixed(2)} ms` +
        `; server peak RSS ${peakRssMiB(mongo.pid)} MiB`
      : ''),
);
await engine.store.close();
await mongo?.stop();
rmSync(dir, { recursive: true, force: true });
