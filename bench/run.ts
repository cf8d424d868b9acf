/**
 * npm run bench [-- --quick] [--only=id,id] [--rounds=N] [--model=ours.bpmn[,reference.bpmn]]… [--vars=<json>] [--probes]
 * Runs every case, prints the table, writes bench/results/latest.json and the generated section
 * of BENCHMARKS.md (a full run only; partial runs write bench/results/partial.json).
 *
 * --model: a BPMN file of your own, measured like the fan-out bundle: in memory and on SQLite, each
 *   against bpmn-engine in memory (cases model-<file name>-memory and -sqlite). The process is the
 *   file's first executable one; the user tasks per instance are found by running one instance on
 *   each engine (they must agree, and so must the other waits answered: service tasks, messages,
 *   timer catches; see BENCHMARKS.md). A second file after a comma is what bpmn-engine runs
 *   instead (e.g. the same model with `${environment.variables.flag}` conditions in place of FEEL).
 *   Repeat --model for more files. --vars: the start variables (a JSON object) for every --model.
 *   With --model only those cases run (add --only to pick others too); results go to partial.json.
 * --probes: --model for every model in bench/models/probes (patterns we did not tune for: a chain,
 *   parallel and sequential multi-instance, a sub-process, a loop, boundary timers, message boundaries, other
 *   waits (a service task, a receive task, a message catch, a timer catch), a mix) with
 *   probes/vars.json. Alone, it writes bench/results/probes.json and its own section of BENCHMARKS.md.
 *
 * Each case runs in a process of its own (this script again, with --case=<id>): how fast
 * bpmn-engine runs depends on what the process ran before (JIT warmth, what else is loaded), so a
 * case measured after others, or alone, or by someone else's script, would not give the same
 * figures. Each side also warms up for a few seconds (harness.ts WARMUP_SECONDS).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { designerCases } from './cases/designer.js';
import { durableCases } from './cases/durable.js';
import { engineCases } from './cases/engine.js';
import { exampleCases } from './cases/examples.js';
import { figuresCases } from './cases/figures.js';
import { formCases } from './cases/forms.js';
import { httpCases } from './cases/http.js';
import { sweepCases } from './cases/sweep.js';
import { modelCasesOf } from './cases/model-file.js';
import { fmt, measure, type CaseDef, type CaseResult } from './lib/harness.js';
import { consoleTable, machine, updateBenchmarksMd, writeJson, type Report } from './lib/report.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
/** The text after `--name=` (a path may hold '=' itself); none for a bare `--name`. */
const value = (name: string) => {
  const given = flag(name);
  return given?.startsWith(`--${name}=`) ? given.slice(name.length + 3) : undefined;
};

const quick = flag('quick') !== undefined;
const rounds = Number(value('rounds') ?? (quick ? 3 : 7));
const only = value('only')?.split(',');
/** Why a case could not be measured, in one line, from what was thrown. */
const reasonOf = (err: unknown) =>
  ((err instanceof Error ? err.message || err.name : String(err)) || 'unknown error').split('\n')[0]!;

/** Internal: measure this one case here and write its outcome to --outcome=<file> (see runInOwnProcess). */
const oneCase = value('case');
if (oneCase) {
  // Whatever stops this case's process is written down as its reason for being skipped.
  const leave = (err: unknown) => {
    console.error(err); // Node no longer prints it once a handler is set
    try {
      writeFileSync(value('outcome')!, JSON.stringify({ skipped: reasonOf(err) }));
    } finally {
      process.exit(1);
    }
  };
  process.on('uncaughtException', leave);
  process.on('unhandledRejection', leave);
}

const modelCases = await modelCasesOf(args, oneCase).catch((err: Error) => {
  console.error(err.message);
  return process.exit(2);
});

const all: CaseDef[] = [
  ...modelCases,
  ...engineCases(),
  ...(await exampleCases()),
  ...durableCases(),
  ...formCases(),
  ...figuresCases(),
  ...sweepCases(),
  ...httpCases(),
  ...designerCases(),
];
const selected = oneCase
  ? all.filter((c) => c.id === oneCase)
  : only
    ? all.filter((c) => only.some((o) => c.id.includes(o)))
    : modelCases.length
      ? modelCases
      : all;
// Each case's process finds its case by id: two model files of one name would measure one twice.
const ids = all.map((c) => c.id);
const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
if (twice.length) {
  console.error(`cases with the same id (model files of the same name?): ${[...new Set(twice)].join(', ')}`);
  process.exit(2);
}
if (selected.length === 0) {
  console.error(`no case matches ${oneCase ?? only?.join(',')}; cases: ${all.map((c) => c.id).join(', ')}`);
  process.exit(2);
}

/** What measuring one case came to: its result, or why it could not be measured. */
type Outcome = { result: CaseResult } | { skipped: string };

/** JSON has no NaN or Infinity (a ratio of nothing): they travel as `{ nonFinite: 'NaN' }`. */
const keepNonFinite = (_key: string, v: unknown) =>
  typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v;
const readNonFinite = (_key: string, v: unknown) =>
  v !== null && typeof v === 'object' && typeof (v as { nonFinite?: unknown }).nonFinite === 'string'
    ? Number((v as { nonFinite: string }).nonFinite)
    : v;

async function measureHere(def: CaseDef): Promise<Outcome> {
  try {
    return {
      result: await measure(def, {
        rounds,
        forceRounds: quick || value('rounds') !== undefined,
        log: (line) => console.log(line),
      }),
    };
  } catch (err) {
    // A case that cannot run here (e.g. no test MongoDB server) is reported, not fatal.
    return { skipped: reasonOf(err) };
  }
}

if (oneCase) {
  writeFileSync(value('outcome')!, JSON.stringify(await measureHere(selected[0]!), keepNonFinite));
  process.exit(0);
}

/** A case's process is stopped after this long (a full case takes well under a minute). */
const CASE_TIMEOUT_MS = 15 * 60_000;

/**
 * Runs this script for one case in a fresh process (same Node options, e.g. tsx's loader). A
 * process that fails, hangs or leaves no outcome makes the case skipped, not the run lost.
 */
async function runInOwnProcess(def: CaseDef): Promise<Outcome> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onething-bench-case-'));
  const outcome = path.join(dir, 'outcome.json');
  try {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        ...args,
        `--case=${def.id}`,
        `--outcome=${outcome}`,
      ],
      { stdio: 'inherit' },
    );
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, CASE_TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (exitCode, signal) => resolve(signal ? null : exitCode));
    }).finally(() => clearTimeout(timer));
    if (timedOut) return { skipped: `its process was stopped after ${CASE_TIMEOUT_MS / 60_000} minutes` };
    let written: Outcome | undefined;
    try {
      written = JSON.parse(readFileSync(outcome, 'utf8'), readNonFinite) as Outcome;
    } catch (err) {
      if (code === 0) return { skipped: `its process left no outcome: ${(err as Error).message}` };
    }
    if (code === 0 || (written && 'skipped' in written)) return written!;
    return { skipped: `its process ended with ${code === null ? 'a signal' : `code ${code}`}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const root = fileURLToPath(new URL('../', import.meta.url));
const started = performance.now();
const report: Report = {
  command: ['npm run bench', ...(args.length ? ['--', ...args] : [])].join(' '),
  date: new Date().toISOString(),
  machine: machine(),
  rounds,
  seconds: 0,
  cases: [],
  skipped: [],
};
console.log(
  `${report.machine.cpu} × ${report.machine.cores}, node ${report.machine.node}, load ${report.machine.loadAverageAtStart.join(' ')}`,
);

for (const def of selected) {
  console.log(`\n${def.id}: ${def.title}`);
  const outcome = await runInOwnProcess(def);
  if ('skipped' in outcome) {
    console.log(`  → not measured: ${outcome.skipped}`);
    report.skipped.push({ id: def.id, title: def.title, reason: outcome.skipped });
    continue;
  }
  const result = outcome.result;
  const ratio = result.ratio ? `, ratio ${fmt(result.ratio.median)}×` : '';
  console.log(
    `  → ours ${fmt(result.ours.value.median)} ${result.unit}${ratio} (${Math.round(result.seconds)} s)`,
  );
  report.cases.push(result);
}

report.seconds = (performance.now() - started) / 1000;
report.machine.loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
console.log('\n' + consoleTable(report));

mkdirSync(`${root}bench/results`, { recursive: true });
// A full run, or the probes alone at the default rounds, writes its own section of BENCHMARKS.md.
const probesOnly = args.length === 1 && args[0] === '--probes';
const partial = only !== undefined || value('rounds') !== undefined || quick || modelCases.length > 0;
const file = probesOnly ? 'probes' : partial ? 'partial' : 'latest';
writeJson(`${root}bench/results/${file}.json`, report);
if (probesOnly) await updateBenchmarksMd(`${root}BENCHMARKS.md`, report, 'probes');
else if (!partial) await updateBenchmarksMd(`${root}BENCHMARKS.md`, report);
console.log(
  `\n${Math.round(report.seconds)} s; wrote bench/results/${file}.json${probesOnly || !partial ? ' and BENCHMARKS.md' : ''}`,
);
