/**
 * Runs our side of an engine case for profiling, without the reference:
 *   npx tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.ts [fanout|gateways|example:<code>] [instances] [memory|sqlite] [--round=N]
 * then open the .cpuprofile in Chrome DevTools (Performance) or summarise it with bench/lib/profile-top.ts
 * (tsx writes two profiles; the larger one is the script's).
 *
 * `--round=N` starts a fresh engine and store every N instances, as `npm run bench` does (3,000 for
 * the in-memory fan-out): without it one store holds every instance, so its share of the profile
 * grows with the count (140,000 tasks at 20,000 fan-out instances) beyond what the bench measures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, type Engine } from '../engine/src/index.js';
import { SqliteStore } from '../engine/src/store/sqlite/index.js';
import { fanout, gateways } from './cases/engine.js';
import { exampleScenario } from './cases/examples.js';
import { runInstances } from './lib/onething.js';

const roundOption = process.argv.find((arg) => arg.startsWith('--round='));
const [which = 'fanout', countArg, storeKind = 'memory'] = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith('--'));
const scenario = which.startsWith('example:')
  ? await exampleScenario(which.slice('example:'.length)).then((e) => e.scenario)
  : which === 'gateways'
    ? gateways
    : fanout;
const count = Number(countArg ?? 20000);
const round = roundOption ? Number(roundOption.slice('--round='.length)) : Infinity;
if (!(round > 0)) throw new Error(`--round needs a positive number of instances, got ${roundOption}`);
const dir = mkdtempSync(path.join(os.tmpdir(), 'onething-profile-'));
let engines = 0;

async function freshEngine(previous?: Engine): Promise<Engine> {
  await previous?.store.close();
  const file = path.join(dir, `profile-${engines++}.db`);
  const engine = createEngine(storeKind === 'sqlite' ? { store: new SqliteStore(file) } : {});
  await engine.deploy(scenario.xml);
  return engine;
}

let engine = await freshEngine();
await runInstances(engine, scenario, Math.min(2000, count)); // warm-up
let cpuSeconds = 0;
let seconds = 0;
for (let done = 0; done < count;) {
  if (Number.isFinite(round)) engine = await freshEngine(engine); // untimed, as the bench's prepare()
  const batch = Math.min(round, count - done);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await runInstances(engine, scenario, batch, 2000 + done);
  const used = process.cpuUsage(cpu);
  seconds += (performance.now() - started) / 1000;
  cpuSeconds += (used.user + used.system) / 1e6;
  done += batch;
}
const rounds = Number.isFinite(round) ? `, a fresh engine every ${round}` : '';
console.log(
  `${scenario.processId} (${storeKind}${rounds}): ${Math.round(count / seconds)} instances/s over ${count}, ${Math.round(count / cpuSeconds)} per CPU-second`,
);
await engine.store.close();
rmSync(dir, { recursive: true, force: true });
