/**
 * Cases for BPMN files given on the command line (`--model=ours.bpmn[,reference.bpmn]`), so that
 * anyone can check the figures on models that are not in the repository. Each file gets the
 * fan-out case's drives, unchanged: in memory, on SQLite one client at a time, and (a model that
 * sends no message) on SQLite with CLIENTS at once, each against bpmn-engine in memory (one
 * instance at a time; start, then complete the open tasks until none is left; every wait
 * signalled in-process on bpmn-engine).
 * - process: the model's first executable process;
 * - start variables: `--vars=<json>` (the same for both engines), else none;
 * - user tasks per instance: found by running one instance on each engine; they must agree;
 * - the optional second file is what bpmn-engine runs (for conditions in its own expression
 *   language), otherwise it runs the same file;
 * - counts per round: about one second per side, scaled from a short timed calibration run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { calledInstanceId, createEngine } from '../../engine/src/index.js';
import type { Engine, InstanceView, Store, Variables } from '../../engine/src/index.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
import type { CaseDef, Side } from '../lib/harness.js';
import {
  CLIENTS,
  completion,
  oneThingSide,
  runInstance,
  runInstances,
  type Scenario,
} from '../lib/onething.js';
import { referenceOnce, referenceSide, type Signalled } from '../lib/reference.js';
import { attribute, withoutComments } from '../lib/reference-waits.js';
import { tempDir } from '../lib/temp-dir.js';

export interface ModelFile {
  /** What OneThing runs. */
  ours: string;
  /** What bpmn-engine runs (default: the same file). */
  reference: string;
}

export interface ModelOptions {
  models: ModelFile[];
  variables: Variables;
}

/** Models we did not tune the engine for (bench/models/probes): `<name>.bpmn`, with `<name>.ref.bpmn` for bpmn-engine where its conditions differ. */
const PROBES = new URL('../models/probes/', import.meta.url);

/** The probe models and the start variables they share (probes/vars.json). */
export function probeModels(dir: URL = PROBES): ModelOptions {
  const file = (name: string) => new URL(name, dir).pathname;
  const models = readdirSync(dir)
    .filter((name) => name.endsWith('.bpmn') && !name.endsWith('.ref.bpmn'))
    .sort()
    .map((name) => {
      const reference = name.replace(/\.bpmn$/, '.ref.bpmn');
      return { ours: file(name), reference: file(existsSync(file(reference)) ? reference : name) };
    });
  return { models, variables: JSON.parse(readFileSync(file('vars.json'), 'utf8')) as Variables };
}

/**
 * `--model=a.bpmn[,a.reference.bpmn]` (repeatable), `--vars=<json object>`, and `--probes`: every
 * model in bench/models/probes with its variables (an explicit --vars wins).
 */
export function modelOptions(args: readonly string[]): ModelOptions {
  const rest = (a: string, name: string) =>
    a.startsWith(`--${name}=`) ? a.slice(name.length + 3) : undefined;
  // npm runs scripts in the package root; INIT_CWD is where `npm run bench` was typed.
  const file = (f: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), f);
  const models: ModelFile[] = [];
  let variables: Variables = {};
  if (args.includes('--probes')) {
    const probes = probeModels();
    models.push(...probes.models);
    variables = probes.variables;
  }
  for (const a of args) {
    const model = rest(a, 'model');
    if (model !== undefined) {
      const files = model.split(',').filter(Boolean);
      if (files.length < 1 || files.length > 2)
        throw new Error(
          `--model=${model}: give one file, or ours and the reference's: --model=ours.bpmn,ref.bpmn`,
        );
      models.push({ ours: file(files[0]!), reference: file(files[1] ?? files[0]!) });
    }
    const vars = rest(a, 'vars');
    if (vars !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(vars);
      } catch (err) {
        throw new Error(`--vars is not JSON: ${(err as Error).message}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('--vars must be a JSON object of start variables');
      variables = parsed as Variables;
    }
  }
  return { models, variables };
}

/** The ids of the `<process isExecutable="true">` elements, whatever the namespace prefix or quotes, comments aside. */
export function executableProcesses(xml: string): string[] {
  const ids: string[] = [];
  for (const m of withoutComments(xml).matchAll(/<(?:[\w-]+:)?process\b([^>]*)>/g)) {
    const id = attribute(m[1]!, 'id');
    if (id && attribute(m[1]!, 'isExecutable') === 'true') ids.push(id);
  }
  return ids;
}

/** The id of the first `<process isExecutable="true">`. */
export function firstExecutableProcess(xml: string): string {
  const id = executableProcesses(xml)[0];
  if (id === undefined) throw new Error('no executable process (<process isExecutable="true">) in the model');
  return id;
}

const described = (s: Signalled, withOthers: boolean) =>
  `${s.tasks} user tasks` + (withOthers ? ` and answered ${s.otherWaits} other waits` : '');

/**
 * What one instance did on each engine: user tasks completed and other waits answered (service
 * tasks, messages, timer catches). Both must be the same, or the two engines did different work.
 */
export function agreedWork(name: string, ours: Signalled, reference: Signalled, others = false): Signalled {
  if (ours.tasks !== reference.tasks || ours.otherWaits !== reference.otherWaits) {
    const withOthers = ours.otherWaits + reference.otherWaits > 0;
    throw new Error(
      `${name}: one instance completed ${described(ours, withOthers)} on OneThing but ` +
        `${described(reference, withOthers)} on bpmn-engine; the two models do not do the same work ` +
        '(give bpmn-engine its own copy: --model=ours.bpmn,reference.bpmn' +
        (others
          ? '; bpmn-engine also starts every other executable process in the file on its own, so mark them ' +
            '(the called ones too) isExecutable="false" in its copy'
          : '') +
        ')',
    );
  }
  if (ours.tasks + ours.otherWaits === 0)
    throw new Error(`${name}: an instance completes no user task and answers no wait; nothing to measure`);
  return ours;
}

/**
 * The user tasks one instance completed on each engine, in any order (parallel branches open in
 * different orders), must be the same: equal counts can still hide two different paths.
 */
export function samePath(name: string, ours: readonly string[], reference: readonly string[]): void {
  const a = [...ours].sort().join(', ');
  const b = [...reference].sort().join(', ');
  if (a !== b)
    throw new Error(
      `${name}: one instance completed different user tasks on the two engines (OneThing: ${a || 'none'}; ` +
        `bpmn-engine: ${b || 'none'}); the model takes different paths on them (conditions in bpmn-engine's ` +
        'expression language need its own copy: --model=ours.bpmn,reference.bpmn)',
    );
}

/** How many user tasks and other waits the first instance may take: a model can loop for ever. */
const PROBE_LIMIT = 10_000;

/** What OneThing does in one instance, which must complete; else why it did not. */
async function oursOnce(name: string, scenario: Scenario, variables: Variables): Promise<Signalled> {
  const engine = await engineOn(undefined, scenario.xml);
  try {
    const run = await runInstance(engine, scenario, variables, 'probe', PROBE_LIMIT);
    if (run.status === 'completed') return run;
    if (run.tasks + run.otherWaits >= PROBE_LIMIT)
      throw new Error(
        `${name}: one instance did not end after ${described(run, run.otherWaits > 0)}: ` +
          'the model loops with these variables (check --vars)',
      );
    throw new Error(
      `${name}: one instance ended ${run.status} on OneThing after ${described(run, true)}` +
        (await unfinished(engine, run.view)),
    );
  } finally {
    await engine.store.close();
  }
}

/** Conditions that fail like this when a start variable is missing or misspelt. */
const VARIABLE_INCIDENTS = new Set(['feel.notBoolean', 'gateway.noPath']);

/**
 * Why an instance did not complete, from its view and record: its incidents, the open wait the
 * drive did not answer (a called instance: why that one did not complete), else where its tokens
 * rest (a join whose other branch never came).
 */
async function unfinished(engine: Engine, view: InstanceView): Promise<string> {
  // An incident's message starts with its element's id.
  if (view.status === 'incident')
    return `: ${view.incidents
      .map((i) => i.message + (VARIABLE_INCIDENTS.has(i.code) ? ' (missing --vars?)' : ''))
      .join('; ')}`;
  const record = view.status === 'active' ? await engine.store.getInstance(view.id) : undefined;
  if (!record) return '';
  const plan = await engine.plan(view.processId, view.version);
  const element = (node: number) => plan.nodes[node]!;
  // Boundary events wait beside their activity for ever; the drives never answer them.
  const wait = Object.values(record.state.waits).find((w) => element(w.node).attachedTo === -1);
  if (wait?.kind === 'call') {
    const called = await engine.instance(calledInstanceId(wait.id));
    return `; the instance called at \`${element(wait.node).id}\` ended ${called.status}${await unfinished(engine, called)}`;
  }
  if (wait) return `; it waits at ${wait.kind} \`${element(wait.node).id}\`, which the drive does not answer`;
  const rests = new Set<string>();
  for (const token of Object.values(record.state.tokens)) {
    const { kind, id } = element(token.node);
    if (token.rest === 'join')
      rests.add(`${kind.replace('Gateway', '')} join \`${id}\`: a branch it waits for was never taken`);
    else if (token.rest !== 'scope') rests.add(`${kind} \`${id}\``);
  }
  return `; stuck at ${[...rests].join('; ') || 'no element'}`;
}

/** What bpmn-engine signals in one instance (it must end within 10 s). */
async function referenceSignals(scenario: Scenario, variables: Variables): Promise<Signalled> {
  let guard: NodeJS.Timeout | undefined;
  // Not unref'd: a stalled bpmn-engine may leave nothing else pending, and Node would then exit
  // (code 13, an unsettled top-level await) before this could say why.
  const stalled = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error('it did not end one instance within 10 s')), 10_000);
  });
  try {
    return await Promise.race([referenceOnce(scenario, variables), stalled]);
  } catch (err) {
    throw new Error(`bpmn-engine could not run one instance: ${(err as Error).message}`);
  } finally {
    clearTimeout(guard);
  }
}

/** Operations per second of `run(1)` over `ms` milliseconds, after as long again to warm up. */
async function calibrate(run: (offset: number) => unknown, ms = 300): Promise<number> {
  let offset = 0;
  for (const measured of [false, true]) {
    const started = performance.now();
    let ops = 0;
    while (performance.now() - started < ms) {
      await run(offset++);
      ops++;
    }
    if (measured) return (ops * 1000) / (performance.now() - started);
  }
  return NaN;
}

/** A round of about one second at `perSecond`; warm-up half that. */
const sized = (perSecond: number) => {
  const count = Math.max(2, Math.round(perSecond));
  return { count, warmup: Math.ceil(count / 2) };
};

async function engineOn(store: Store | undefined, xml: string): Promise<Engine> {
  const engine = createEngine(store ? { store } : {});
  await engine.deploy(xml);
  return engine;
}

/** Our rate on a fresh engine over `store` (memory when none), instances of the scenario's variant. */
async function ourRate(scenario: Scenario, store?: Store): Promise<number> {
  const engine = await engineOn(store, scenario.xml);
  try {
    return await calibrate((offset) => runInstances(engine, scenario, 1, offset));
  } finally {
    await engine.store.close();
  }
}

/** The memory and SQLite cases of one model file. */
export async function modelFileCases(file: ModelFile, variables: Variables): Promise<CaseDef[]> {
  const name = modelName(file.ours);
  const xml = readFileSync(file.ours, 'utf8');
  const referenceXml = file.reference === file.ours ? xml : readFileSync(file.reference, 'utf8');
  const processId = firstExecutableProcess(xml);
  const scenario: Scenario = { processId, xml, referenceXml, variants: [] };

  const completed = { ours: [] as string[], reference: [] as string[] };
  const recording = (seen: string[]): Scenario => ({
    ...scenario,
    complete: (elementId) => (seen.push(elementId), completion(elementId)),
  });
  const ours = await oursOnce(name, recording(completed.ours), variables);
  // bpmn-engine starts them all (a called process is one of them), not just processId.
  const others = executableProcesses(referenceXml).length > 1;
  const signalled = await referenceSignals(recording(completed.reference), variables);
  const { tasks, otherWaits } = agreedWork(name, ours, signalled, others);
  samePath(name, completed.ours, completed.reference);
  scenario.variants.push({ variables, tasks, otherWaits });
  const work = described({ tasks, otherWaits }, otherWaits > 0);

  const reference = referenceSide(scenario, { count: 1, warmup: 0 });
  await reference.prepare!(1);
  const calibrationDir = tempDir(`model-${name}`);
  const rates = {
    memory: await ourRate(scenario),
    sqlite: await ourRate(scenario, new SqliteStore(path.join(calibrationDir.dir, 'calibration.db'))),
    reference: await calibrate(() => reference.run(1)),
  };
  calibrationDir.remove();
  const referenceFor = (): Side => referenceSide(scenario, sized(rates.reference));
  const source = file.reference === file.ours ? file.ours : `${file.ours} (bpmn-engine: ${file.reference})`;
  const notes = `${source}, process ${processId}, ${work} per instance, start variables ${JSON.stringify(variables)}.`;
  /** On SQLite, one client at a time or CLIENTS at once (their commits grouped). */
  const onSqlite = (clients: number): CaseDef => {
    let tmp: ReturnType<typeof tempDir> | undefined;
    let n = 0;
    const alone = clients === 1;
    return {
      id: alone ? `model-${name}-sqlite` : `model-${name}-sqlite-clients`,
      title: `Durable SQLite, model file ${name} (${work}, every command committed${alone ? '' : `, ${clients} clients at once`})`,
      kind: 'throughput',
      unit: 'instances/s',
      target: '≥ 30× bpmn-engine in memory',
      notes:
        `${notes} SqliteStore on a fresh file per round; reference: bpmn-engine in memory` +
        (alone ? '.' : `; ${clients} instances at once, each driven by its own client, commits grouped.`),
      ours: oneThingSide(scenario, {
        label: 'OneThing, SqliteStore (file in the temp dir)',
        ...sized(rates.sqlite),
        store: () => new SqliteStore(path.join(tmp!.dir, `round-${n++}.db`)),
        clients,
      }),
      reference: referenceFor(),
      setup: () => {
        tmp = tempDir(`model-${name}`);
      },
      teardown: () => tmp?.remove(),
    };
  };
  return [
    {
      id: `model-${name}-memory`,
      title: `In-memory, model file ${name} (${work})`,
      kind: 'throughput',
      unit: 'instances/s',
      target: '≥ 200× bpmn-engine',
      notes,
      ours: oneThingSide(scenario, {
        label: 'OneThing, MemoryStore, start + completeTask views',
        ...sized(rates.memory),
      }),
      reference: referenceFor(),
    },
    onSqlite(1),
    // The drive answers each wait by its id, but a message the model itself sends goes to every
    // instance waiting for its name and key: instances driven at once could take each other's.
    ...((await sendsMessages(xml)) ? [] : [onSqlite(CLIENTS)]),
  ];
}

/** Whether a process of the model sends a message (a send task, or a message throw or end event). */
async function sendsMessages(xml: string): Promise<boolean> {
  const engine = createEngine();
  for (const { id, version } of (await engine.deploy(xml)).processes) {
    const plan = await engine.plan(id, version);
    if (
      plan.nodes.some(
        (n) =>
          n.kind === 'sendTask' ||
          ((n.kind === 'intermediateThrowEvent' || n.kind === 'endEvent') && n.event.kind === 'message'),
      )
    )
      return true;
  }
  return false;
}

/** The cases of every `--model` in `args` (none without one); errors name the file. */
/**
 * The cases of every --model (or --probes) file; with `onlyCase`, of the file that case is of alone
 * (a case's own process builds only its model: each is run and calibrated first, ~1 s apiece).
 */
export async function modelCasesOf(args: readonly string[], onlyCase?: string): Promise<CaseDef[]> {
  const { models, variables } = modelOptions(args);
  const cases: CaseDef[] = [];
  for (const file of models) {
    if (onlyCase !== undefined && !onlyCase.startsWith(`model-${modelName(file.ours)}-`)) continue;
    try {
      cases.push(...(await modelFileCases(file, variables)));
    } catch (err) {
      throw new Error(`--model=${file.ours}: ${(err as Error).message}`);
    }
  }
  return cases;
}

/** A model file's name in its case ids (`model-<name>-memory`…). */
function modelName(file: string): string {
  return path.basename(file).replace(/\.bpmn$/i, '');
}
