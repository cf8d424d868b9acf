/**
 * Runs our side of an engine case for profiling, without the reference:
 *   npx tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.ts [fanout|gateways|example:<code>] [instances] [memory|sqlite]
 * then open the .cpuprofile in Chrome DevTools (Performance) or summarise it with bench/lib/profile-top.ts
 * (tsx writes two profiles; the larger one is the script's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../engine/src/index.js';
import { SqliteStore } from '../engine/src/store/sqlite/index.js';
import { fanout, gateways } from './cases/engine.js';
import { exampleScenario } from './cases/examples.js';
import { runInstances } from './lib/onething.js';

const which = process.argv[2] ?? 'fanout';
const scenario = which.startsWith('example:')
  ? await exampleScenario(which.slice('example:'.length)).then((e) => e.scenario)
  : which === 'gateways'
    ? gateways
    : fanout;
const count = Number(process.argv[3] ?? 20000);
const storeKind = process.argv[4] ?? 'memory';
const dir = mkdtempSync(path.join(os.tmpdir(), 'onething-profile-'));
const engine = createEngine(
  storeKind === 'sqlite' ? { store: new SqliteStore(path.join(dir, 'profile.db')) } : {},
);
await engine.deploy(scenario.xml);
await runInstances(engine, scenario, Math.min(2000, count)); // warm-up
const started = performance.now();
const cpu = process.cpuUsage();
await runInstances(engine, scenario, count, 2000);
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
console.log(
  `${scenario.processId} (${storeKind}): ${Math.round(count / seconds)} instances/s over ${count}, ${Math.round(count / cpuSeconds)} per CPU-second`,
);
await engine.store.close();
rmSync(dir, { recursive: true, force: true });
