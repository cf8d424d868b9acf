/**
 * onething CLI.
 *
 *   onething validate <file.bpmn>...
 *     One JSON line per problem: {file, elementId, elementType, code, message}. Files named
 *     together may call each other's processes (as if deployed together).
 *     Exit 0 when every file is valid, 1 when any is not.
 *
 *   onething run <file.bpmn> [--deploy <other.bpmn>]... [--process <id>] [--complete-all]
 *                            [--business-key <k>] [--variables <json>] [--max-steps <n>]
 *     --deploy deploys other models first (the processes the file's call activities call).
 *     Deploys the file into an in-memory engine with a fake clock and starts one instance of the
 *     top-level process (by its none start; else by sending its start message; else by letting
 *     the fake clock run until its start timer fires).
 *     With --complete-all it then drives the instance: completes every open user task and every
 *     service job with empty variables, and when nothing else can move advances the fake clock
 *     (1 minute, growing fourfold, up to ~50 years) and fires due timers. The number of steps is
 *     bounded, so a model can never hang the CLI.
 *     Prints one JSON line: {file, processId, instanceId, status, path, incident?, waiting?, ...}.
 *     Exit 0 when the instance completed, 1 when the model is invalid, 2 when it ran but did not
 *     complete (incident, waiting for a message, step limit), 3 when the engine threw.
 *
 * main() has no side effects on import; bin/onething.js calls it.
 */
import { readFile } from 'node:fs/promises';
import type { InstanceView, Problem } from './api.js';
import { createEngine } from './index.js';
import { type Plan, validate } from './model/index.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

export const EXIT = { ok: 0, invalid: 1, incomplete: 2, engineError: 3, usage: 64 } as const;

const USAGE = `usage:
  onething validate <file.bpmn>...
  onething run <file.bpmn> [--deploy <other.bpmn>]... [--process <id>] [--complete-all] [--business-key <key>]
               [--variables <json>] [--max-steps <n>]`;

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return await validateCommand(rest, io);
      case 'run':
        return await runCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.err(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        io.err(`unknown command "${command}"\n${USAGE}`);
        return EXIT.usage;
    }
  } catch (e) {
    io.err(`onething: ${describe(e)}`);
    return EXIT.engineError;
  }
}

// ---------------------------------------------------------------- validate

async function validateCommand(files: string[], io: Io): Promise<number> {
  if (files.length === 0) {
    io.err(`validate needs at least one file\n${USAGE}`);
    return EXIT.usage;
  }
  // Files validated together may call each other's processes (one deployment of several files).
  const sources = new Map<string, string | Error>();
  for (const file of files) sources.set(file, await readFile(file, 'utf8').catch((e: Error) => e));
  const known = new Set<string>();
  for (const xml of sources.values())
    if (typeof xml === 'string') for (const id of processIdsIn(xml)) known.add(id);

  let invalid = 0;
  let crashed = 0;
  for (const file of files) {
    const problems = await problemsOf(sources.get(file)!, known);
    if (problems.length) invalid++;
    if (problems.some((p) => p.code === 'engine.crash')) crashed++;
    for (const p of problems) io.out(problemLine(file, p));
  }
  io.err(
    `${files.length} file(s): ${files.length - invalid} valid, ${invalid} invalid${crashed ? `, ${crashed} crashed` : ''}`,
  );
  return invalid ? EXIT.invalid : EXIT.ok;
}

async function problemsOf(xml: string | Error, known: ReadonlySet<string>): Promise<Problem[]> {
  if (xml instanceof Error) return [fileProblem('file.unreadable', describe(xml))];
  try {
    return await validate(xml, { isKnownProcess: (id) => known.has(id) });
  } catch (e) {
    return [fileProblem('engine.crash', `validation threw: ${describe(e)}`)];
  }
}

/** Ids of the executable processes declared in a model (a cheap scan; the real parse happens in validate). */
function processIdsIn(xml: string): string[] {
  const ids: string[] = [];
  for (const [tag] of xml.matchAll(/<(?:[\w.-]+:)?process\b[^>]*>/g)) {
    const id = /\sid\s*=\s*"([^"]+)"/.exec(tag)?.[1];
    if (id && /\sisExecutable\s*=\s*"true"/.test(tag)) ids.push(id);
  }
  return ids;
}

/** One problem as a JSON line; every field is a string even if a problem arrives incomplete. */
function problemLine(file: string, p: Problem): string {
  return JSON.stringify({
    file,
    elementId: String(p.elementId ?? ''),
    elementType: String(p.elementType ?? ''),
    code: String(p.code ?? ''),
    message: String(p.message ?? ''),
  });
}

function fileProblem(code: string, message: string): Problem {
  return { elementId: '', elementType: 'file', code, message };
}

// ---------------------------------------------------------------- run

interface RunOptions {
  file: string;
  /** Models deployed before the file (e.g. the processes its call activities call). */
  deploy: string[];
  processId?: string;
  completeAll: boolean;
  businessKey?: string;
  variables: Record<string, unknown>;
  maxSteps: number;
}

function parseRunArgs(args: string[]): RunOptions | string {
  const opts: Partial<RunOptions> & { variables: Record<string, unknown>; deploy: string[] } = {
    completeAll: false,
    deploy: [],
    variables: {},
    maxSteps: 2000,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => args[++i];
    switch (a) {
      case '--complete-all':
        opts.completeAll = true;
        break;
      case '--process': {
        const v = value();
        if (!v) return '--process needs a process id';
        opts.processId = v;
        break;
      }
      case '--deploy': {
        const v = value();
        if (!v) return '--deploy needs a file';
        opts.deploy.push(v);
        break;
      }
      case '--business-key': {
        const v = value();
        if (!v) return '--business-key needs a value';
        opts.businessKey = v;
        break;
      }
      case '--variables': {
        const v = value();
        try {
          const parsed: unknown = JSON.parse(v ?? '');
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
            return '--variables needs a JSON object';
          opts.variables = parsed as Record<string, unknown>;
        } catch {
          return '--variables needs a JSON object';
        }
        break;
      }
      case '--max-steps': {
        const n = Number(value());
        if (!Number.isInteger(n) || n <= 0) return '--max-steps needs a positive integer';
        opts.maxSteps = n;
        break;
      }
      default:
        if (a.startsWith('--')) return `unknown option ${a}`;
        if (opts.file) return `run takes one file (got ${opts.file} and ${a})`;
        opts.file = a;
    }
  }
  if (!opts.file) return 'run needs a file';
  return opts as RunOptions;
}

const MINUTE = 60_000;
const HORIZON = 50 * 366 * 24 * 60 * MINUTE; // give up waiting for timers after ~50 fake years of idling
const START = Date.UTC(2026, 0, 5, 9, 0, 0);
/** A runaway loop can complete thousands of elements; print only the first ones and the count. */
const MAX_PATH = 500;

interface RunReport {
  file: string;
  processId?: string;
  instanceId?: string;
  status: InstanceView['status'] | 'invalid' | 'not-started';
  /** How the instance was started: 'none', 'message:<name>' or 'timer'. */
  startedBy?: string;
  path: string[];
  /** Set when the path was cut to its first MAX_PATH entries: the full length. */
  pathLength?: number;
  incident?: InstanceView['incident'];
  waiting?: { elementId: string; elementType?: string }[];
  children?: { instanceId: string; processId: string; status: string; path: string[] }[];
  steps: number;
  tasksCompleted: number;
  jobsCompleted: number;
  timersFired: number;
  fakeMsElapsed: number;
  stopped?: string;
  errors?: { elementId?: string; code: string; message: string }[];
}

async function runCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseRunArgs(args);
  if (typeof parsed === 'string') {
    io.err(`${parsed}\n${USAGE}`);
    return EXIT.usage;
  }
  const { file } = parsed;
  let xml: string;
  try {
    xml = await readFile(file, 'utf8');
  } catch (e) {
    io.out(JSON.stringify({ file, ...fileProblem('file.unreadable', describe(e)) }));
    return EXIT.invalid;
  }

  let now = START;
  const engine = createEngine({ clock: () => now });
  const report: RunReport = {
    file,
    processId: undefined,
    instanceId: undefined,
    startedBy: undefined,
    status: 'not-started',
    path: [],
    steps: 0,
    tasksCompleted: 0,
    jobsCompleted: 0,
    timersFired: 0,
    fakeMsElapsed: 0,
  };
  const errors: NonNullable<RunReport['errors']> = [];
  const emit = (code: number): number => {
    if (errors.length) report.errors = errors;
    report.fakeMsElapsed = now - START;
    io.out(JSON.stringify(report));
    return code;
  };

  // deploy: a model with problems is reported per element, exactly like `validate`
  let deployed: Awaited<ReturnType<typeof engine.deploy>>;
  let current = file;
  try {
    for (const dependency of parsed.deploy) {
      current = dependency;
      await engine.deploy(await readFile(dependency, 'utf8'));
    }
    current = file;
    deployed = await engine.deploy(xml);
  } catch (e) {
    const problems = (e as { problems?: Problem[] }).problems;
    if (Array.isArray(problems)) {
      for (const p of problems) io.out(problemLine(current, p));
      report.status = 'invalid';
      return emit(EXIT.invalid);
    }
    if (current !== file) {
      io.out(problemLine(current, fileProblem('file.unreadable', describe(e))));
      report.status = 'invalid';
      return emit(EXIT.invalid);
    }
    errors.push({ code: 'engine.deployFailed', message: describe(e) });
    return emit(EXIT.engineError);
  }

  const plans = new Map<string, Plan>();
  for (const p of deployed.processes) plans.set(p.id, await engine.plan(p.id));
  const processId = parsed.processId ?? pickProcess([...plans.values()]);
  if (!processId) {
    report.stopped = 'the model has no executable process';
    return emit(EXIT.incomplete);
  }
  report.processId = processId;
  const plan = plans.get(processId);

  let view: InstanceView;
  try {
    if (!plan || plan.starts.length > 0) {
      // none start (or an unknown --process, which start() rejects)
      report.startedBy = 'none';
      view = await engine.start(processId, {
        variables: parsed.variables,
        ...(parsed.businessKey !== undefined ? { businessKey: parsed.businessKey } : {}),
      });
    } else if (plan.messageStarts.length > 0) {
      // only message starts: send the first start message
      const event = plan.nodes[plan.messageStarts[0]!]!.event;
      const name = event.kind === 'message' ? event.messageName : '';
      report.startedBy = `message:${name}`;
      const result = await engine.correlate(name, { variables: parsed.variables });
      const id = result.instanceIds[0];
      if (!id) throw new Error(`message "${name}" started no instance`);
      view = await engine.instance(id);
    } else if (plan.timerStarts.length > 0) {
      // only timer starts: let the fake clock run until one fires
      report.startedBy = 'timer';
      let step = MINUTE;
      for (let idle = 0; ; idle += step, step *= 4) {
        if (idle >= HORIZON) throw new Error('no start timer fired within the horizon');
        now += step;
        const fired = await engine.runDueJobs(now);
        report.timersFired += fired;
        if (fired > 0) break;
      }
      const [record] = await engine.store.listInstances({ processId });
      if (!record) throw new Error('the start timer fired but no instance was found');
      view = await engine.instance(record.id);
    } else {
      throw new Error(`process ${processId} has no start event the CLI can trigger`);
    }
  } catch (e) {
    report.stopped = `start failed: ${describe(e)}`;
    return emit(EXIT.incomplete);
  }
  report.instanceId = view.id;

  if (parsed.completeAll) {
    let step = MINUTE;
    let idle = 0;
    for (; report.steps < parsed.maxSteps; report.steps++) {
      view = await engine.instance(view.id);
      if (view.status !== 'active') break;

      const [task] = await engine.tasks({ state: 'open' });
      if (task) {
        step = MINUTE;
        idle = 0;
        try {
          await engine.completeTask(task.id, {});
          report.tasksCompleted++;
        } catch (e) {
          errors.push({ elementId: task.elementId, code: 'task.completeFailed', message: describe(e) });
          break;
        }
        continue;
      }
      const [job] = await engine.jobs({});
      if (job) {
        step = MINUTE;
        idle = 0;
        try {
          await engine.completeJob(job.id, {});
          report.jobsCompleted++;
        } catch (e) {
          errors.push({ elementId: job.elementId, code: 'job.completeFailed', message: describe(e) });
          break;
        }
        continue;
      }
      if (idle >= HORIZON) {
        report.stopped = 'nothing left to complete and no timer due within the horizon';
        break;
      }
      now += step;
      idle += step;
      const fired = await engine.runDueJobs(now);
      if (fired > 0) {
        report.timersFired += fired;
        step = MINUTE;
        idle = 0;
      } else {
        step *= 4;
      }
    }
    if (report.steps >= parsed.maxSteps) report.stopped = `step limit ${parsed.maxSteps} reached`;
  }

  view = await engine.instance(view.id);
  report.status = view.status;
  const fullPath = pathOf(view);
  report.path = fullPath.length > MAX_PATH ? fullPath.slice(0, MAX_PATH) : fullPath;
  if (fullPath.length > MAX_PATH) report.pathLength = fullPath.length;
  if (view.incident) report.incident = view.incident;
  if (view.status === 'active') report.waiting = waitingIn(view);
  const children = await childrenOf(engine, view.id);
  if (children.length) report.children = children;

  if (errors.length) return emit(EXIT.engineError);
  return emit(view.status === 'completed' ? EXIT.ok : EXIT.incomplete);
}

/**
 * The top level: a process no call activity calls, preferring one with a none start event, then a
 * message start, then a timer start; else the first process.
 */
function pickProcess(plans: Plan[]): string | undefined {
  const called = new Set(plans.flatMap((p) => p.nodes.map((n) => n.calledElement).filter(Boolean)));
  const top = plans.filter((p) => !called.has(p.processId));
  const candidates = top.length ? top : plans;
  const first =
    candidates.find((p) => p.starts.length > 0) ??
    candidates.find((p) => p.messageStarts.length > 0) ??
    candidates.find((p) => p.timerStarts.length > 0) ??
    candidates[0];
  return first?.processId;
}

function pathOf(view: InstanceView): string[] {
  return view.history
    .filter((h) => h.type === 'element.completed' && h.elementId && h.elementId !== view.processId)
    .map((h) => h.elementId!);
}

const LEFT = /^element\.(completed|terminated|cancell?ed|interrupted|left)$/;

/** Elements entered and not yet left, from the history: where an active instance is waiting. */
function waitingIn(view: InstanceView): { elementId: string; elementType?: string }[] {
  const open = new Map<string, { n: number; type?: string }>();
  for (const h of view.history) {
    if (!h.elementId || h.elementId === view.processId) continue;
    const e = open.get(h.elementId) ?? { n: 0 };
    if (h.elementType) e.type = h.elementType;
    if (h.type === 'element.entered') e.n++;
    else if (LEFT.test(h.type)) e.n--;
    open.set(h.elementId, e);
  }
  return [...open]
    .filter(([, e]) => e.n > 0)
    .map(([elementId, e]) => (e.type ? { elementId, elementType: e.type } : { elementId }));
}

async function childrenOf(
  engine: ReturnType<typeof createEngine>,
  rootId: string,
): Promise<NonNullable<RunReport['children']>> {
  const ids = new Set<string>();
  for (const t of await engine.tasks({})) if (t.instanceId !== rootId) ids.add(t.instanceId);
  const out: NonNullable<RunReport['children']> = [];
  for (const id of ids) {
    const v = await engine.instance(id);
    out.push({ instanceId: id, processId: v.processId, status: v.status, path: pathOf(v) });
  }
  return out;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
