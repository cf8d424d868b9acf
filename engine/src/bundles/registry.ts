/**
 * Bundle packages: process.bpmn + bundle.json deployed, validated and versioned together.
 * A bundle version pins its process version; running applications stay on theirs.
 */
import { createHash } from 'node:crypto';
import { BundleError, loadBundle, type BundleDefinition } from '../../../forms/src/bundle/index.js';
import { compileForm, MergeConflictError } from '../../../forms/src/merge/index.js';
import { patternProblem, tryLinearRegExp } from '../../../forms/src/validate/safe-regexp.js';
import type { Problem } from '../api.js';
import type { Actor } from '../domain/actor.js';
import { DocConflictError, type Doc, type DocStore } from '../domain/docs.js';
import { DomainError, type FieldProblem, notFound, type Text } from '../domain/errors.js';
import type { Engine } from '../index.js';
import { ValidationError } from '../index.js';
import { parseAndCompile, problemZh } from '../model/index.js';
import type { Plan, PlanNode } from '../model/plan.js';
import { outputProblems } from './outputs.js';

/** The comprehensive window (综合窗口): tasks for clerks, not for a department. */
export const WINDOW = 'window';
/** Version numbers a deploy tries when other deploys of the bundle keep taking the next one. */
const MAX_VERSION_ATTEMPTS = 10;

export const BUNDLES = 'bundles';
/** Which bundle owns each process id: one document per id (see claimProcessIds). */
export const PROCESS_OWNERS = 'processOwners';

/** A process id's owner; `bundle` null once a deploy that claimed it failed and let it go. */
interface ProcessOwner extends Doc {
  bundle: string | null;
}

export interface BundleRecord extends Doc {
  code: string;
  version: number;
  status: 'active' | 'retired';
  processId: string;
  processVersion: number;
  deploymentId: string;
  definition: BundleDefinition;
  xml: string;
  sha256: string;
  createdAt: number;
  createdBy: string;
}

export interface BundleSummary {
  code: string;
  version: number;
  status: BundleRecord['status'];
  name: BundleDefinition['name'];
  leadDepartment: string;
  promisedDays: number;
  items: { code: string; name: BundleDefinition['name']; department: string }[];
  createdAt: number;
}

export function summarise(record: BundleRecord): BundleSummary {
  const d = record.definition;
  return {
    code: record.code,
    version: record.version,
    status: record.status,
    name: d.name,
    leadDepartment: d.leadDepartment,
    promisedDays: d.promisedDays,
    items: d.items.map((i) => ({ code: i.code, name: i.name, department: i.department })),
    createdAt: record.createdAt,
  };
}

const problemToField = (p: Problem): FieldProblem => ({
  field: p.elementId ? `bpmn:${p.elementId}` : 'bpmn',
  message: {
    zh: `${p.elementType} ${p.elementId}：${problemZh(p) ?? p.message}`,
    en: `${p.elementType} ${p.elementId}: ${p.message}`,
  },
});

function invalid(en: string, zh: string, fieldErrors: FieldProblem[]): DomainError {
  return new DomainError('invalid', { zh, en }, fieldErrors);
}

/** Checks the BPMN against the bundle: items, departments, the bundle code. */
export function crossCheck(definition: BundleDefinition, plans: Plan[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const items = new Set(definition.items.map((i) => i.code));
  const departments = new Set(definition.departments.map((d) => d.code));
  const add = (elementId: string, zh: string, en: string) =>
    problems.push({ field: `bpmn:${elementId}`, message: { zh, en } });
  const main = mainPlan(definition, plans);
  if (!main) {
    add(
      '',
      `没有可执行流程声明 gov:bundle="${definition.code}"`,
      `no executable process declares gov:bundle="${definition.code}"`,
    );
  }
  for (const plan of plans) {
    for (const node of plan.nodes) {
      if (node.kind !== 'userTask') continue;
      const dept = node.gov?.department;
      const item = node.gov?.item;
      if (!dept)
        add(
          node.id,
          `用户任务 ${node.id} 未指定部门 (gov:department)`,
          `user task ${node.id} has no gov:department`,
        );
      else if (dept !== WINDOW && !departments.has(dept)) {
        add(
          node.id,
          `用户任务 ${node.id} 的部门 "${dept}" 不在事项包中`,
          `user task ${node.id}: department "${dept}" is not in the bundle`,
        );
      }
      if (dept && dept !== WINDOW && !item) {
        add(
          node.id,
          `部门任务 ${node.id} 未指定事项 (gov:item)`,
          `department task ${node.id} has no gov:item`,
        );
      }
      if (item && !items.has(item)) {
        add(
          node.id,
          `用户任务 ${node.id} 的事项 "${item}" 不在事项包中`,
          `user task ${node.id}: item "${item}" is not in the bundle`,
        );
      }
      const owner = item ? definition.items.find((i) => i.code === item) : undefined;
      if (owner && dept && owner.department !== dept) {
        add(
          node.id,
          `事项 "${item}" 属于 ${owner.department}，任务却分派给 ${dept}`,
          `item "${item}" belongs to ${owner.department}, but the task goes to ${dept}`,
        );
      }
    }
  }
  if (main) problems.push(...startProblems(main), ...windowProblems(main));
  // An item no task handles could never be decided: it would wait in its department's inbox for
  // ever, then be ended at delivery as if a preceding item had failed.
  const handled = new Set(
    plans.flatMap((p) => p.nodes.map((n) => (n.kind === 'userTask' ? n.gov?.item : undefined))),
  );
  for (const item of definition.items) {
    if (handled.has(item.code)) continue;
    problems.push({
      field: `bundle.items.${item.code}`,
      message: {
        zh: `事项 "${item.code}"（${item.name.zh}）在流程中没有办理任务（gov:item="${item.code}" 的用户任务）`,
        en: `item "${item.code}" (${item.name.en}) has no task in the process (a user task with gov:item="${item.code}")`,
      },
    });
  }
  const late = main && promiseTooShort(definition, main);
  if (late) problems.push(late);
  return problems;
}

/**
 * The bundle's process starts when the window accepts a case, by its one none start event: a
 * message start could never be started so (every acceptance would fail), and a timer start would
 * start instances of its own, with no case behind them, that no inbox shows.
 */
function startProblems(main: Plan): FieldProblem[] {
  const problem = (index: number | undefined, zh: string, en: string): FieldProblem => ({
    field: `bpmn:${index === undefined ? '' : main.nodes[index]!.id}`,
    message: { zh, en },
  });
  const problems = [...main.messageStarts, ...main.timerStarts].map((i) =>
    problem(
      i,
      `事项包流程 ${main.processId} 的开始事件 ${main.nodes[i]!.id} 须为无触发的开始事件：流程在窗口受理时启动`,
      `start event ${main.nodes[i]!.id} of the bundle's process ${main.processId} must be a none start event: the process starts when the window accepts a case`,
    ),
  );
  if (main.starts.length !== 1) {
    problems.push(
      problem(
        main.starts[1],
        `事项包流程 ${main.processId} 须恰有一个无触发的开始事件（现有 ${main.starts.length} 个）`,
        `the bundle's process ${main.processId} needs exactly one none start event (it has ${main.starts.length})`,
      ),
    );
  }
  return problems;
}

/**
 * The longest chain of item time limits (gov:timeLimit, else the item's promisedDays) from the
 * start of the process, in working days, with its tasks. A loop is walked once; a call activity
 * counts nothing (its process is not the bundle's), nor does a special step (特殊环节: its days
 * stop the clocks, and its own limit is not part of the promise).
 */
export function longestItemChain(definition: BundleDefinition, plan: Plan): Chain {
  const itemDays = new Map(definition.items.map((i) => [i.code, i.promisedDays]));
  const daysOf = (n: PlanNode) =>
    n.kind === 'userTask' && n.gov?.item && !n.gov.specialStep
      ? (n.gov.timeLimitDays ?? itemDays.get(n.gov.item) ?? 0)
      : 0;
  const next = (n: PlanNode) => successors(plan, n);
  const best = new Map<number, Chain>();
  const walking = new Set<number>();
  const from = (i: number): Chain => {
    const known = best.get(i);
    if (known) return known;
    if (walking.has(i)) return { days: 0, tasks: [] }; // back along a loop
    walking.add(i);
    const node = plan.nodes[i]!;
    let tail: Chain = { days: 0, tasks: [] };
    for (const j of next(node)) {
      const chain = from(j);
      if (chain.days > tail.days) tail = chain;
    }
    walking.delete(i);
    const own = daysOf(node);
    const chain = own ? { days: own + tail.days, tasks: [{ node, days: own }, ...tail.tasks] } : tail;
    best.set(i, chain);
    return chain;
  };
  return plan.starts.map(from).reduce((a, b) => (b.days > a.days ? b : a), { days: 0, tasks: [] });
}

/** The nodes a token at `n` can move to next (a sub-process's inside and what follows it included). */
function successors(plan: Plan, n: PlanNode): number[] {
  const out = [...n.outgoing.map((f) => plan.flows[f]!.target), ...n.boundaries];
  if (n.kind === 'subProcess') out.push(...n.starts);
  // The end of a sub-process's inside carries on after the sub-process.
  if (!n.outgoing.length && n.parent >= 0)
    out.push(...plan.nodes[n.parent]!.outgoing.map((f) => plan.flows[f]!.target));
  return out;
}

/** Every node reachable from `from` (itself not included unless on a loop). */
function reachableFrom(plan: Plan, from: number): Set<number> {
  const seen = new Set<number>();
  const todo = successors(plan, plan.nodes[from]!);
  while (todo.length) {
    const i = todo.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    todo.push(...successors(plan, plan.nodes[i]!));
  }
  return seen;
}

const isDepartmentTask = (n: PlanNode) =>
  n.kind === 'userTask' && !!n.gov?.department && n.gov.department !== WINDOW;

/**
 * The window's tasks are the acceptance (before any department) and the delivery (after every
 * department): the Centre reads any other window task as the delivery, and ends every item not
 * yet routed — a window step between departments silently ended the items after it.
 */
function windowProblems(plan: Plan): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const windowTasks = plan.nodes
    .map((n, i) => ({ n, i }))
    .filter(({ n }) => n.kind === 'userTask' && n.gov?.department === WINDOW);
  if (!windowTasks.length) return problems;
  const afterDepartment = new Set(
    plan.nodes.flatMap((n, i) => (isDepartmentTask(n) ? [...reachableFrom(plan, i)] : [])),
  );
  for (const { n, i } of windowTasks) {
    const view = n.gov?.formView;
    const add = (zh: string, en: string) => problems.push({ field: `bpmn:${n.id}`, message: { zh, en } });
    if (view !== 'acceptance' && view !== 'delivery')
      add(
        `窗口任务 ${n.id} 须为受理 (gov:formView="acceptance") 或出件 (gov:formView="delivery")`,
        `window task ${n.id} must be the acceptance (gov:formView="acceptance") or the delivery (gov:formView="delivery")`,
      );
    else if (view === 'acceptance' && afterDepartment.has(i))
      add(
        `受理任务 ${n.id} 须在所有部门任务之前：部门任务之后只能是出件`,
        `acceptance task ${n.id} must come before every department task: after one, only the delivery may follow`,
      );
    else if (view === 'delivery' && [...reachableFrom(plan, i)].some((j) => isDepartmentTask(plan.nodes[j]!)))
      add(
        `出件任务 ${n.id} 之后不能再有部门任务：出件时尚未流转的事项都会终止`,
        `delivery task ${n.id} must come after every department task: items not yet routed end at the delivery`,
      );
  }
  return problems;
}

/** Tasks one after another and their time limits, in working days. */
export interface Chain {
  days: number;
  tasks: { node: PlanNode; days: number }[];
}

/**
 * A promise shorter than a chain of item limits makes the case overdue while every department is
 * on time: refused, naming the chain.
 */
function promiseTooShort(definition: BundleDefinition, plan: Plan): FieldProblem | undefined {
  const chain = longestItemChain(definition, plan);
  if (chain.days <= definition.promisedDays) return undefined;
  const steps = chain.tasks.map((t) => `${t.node.id} (${t.node.gov!.item}: ${t.days})`);
  return {
    field: 'bundle.promisedDays',
    message: {
      zh: `事项包承诺时限 ${definition.promisedDays} 个工作日，短于流程中最长的事项时限链 ${chain.days} 个工作日：${steps.join(' → ')}；各部门按时办结整件也会超期，请延长承诺时限或缩短这些事项的时限`,
      en: `the bundle promises ${definition.promisedDays} working day(s), but the longest chain of item time limits through the process takes ${chain.days}: ${steps.join(' → ')}; the case would be overdue with every department on time, so lengthen the promise or shorten those items' limits`,
    },
  };
}
function mainPlan(definition: BundleDefinition, plans: Plan[]): Plan | undefined {
  return (
    plans.find((p) => p.bundle === definition.code) ??
    (plans.length === 1 && !plans[0]!.bundle ? plans[0] : undefined)
  );
}

/** A regular expression of a bundle version: an item field's constraint, or an item output's. */
export interface BundlePattern {
  item: string;
  /** The field it constrains (field) or the output it checks (output). */
  field?: string;
  output?: string;
  pattern: string;
}

/** Every pattern of a bundle definition, where it is. */
export function bundlePatterns(definition: BundleDefinition): BundlePattern[] {
  return definition.items.flatMap((item) => [
    ...item.fields.flatMap((f) =>
      f.constraints?.pattern === undefined
        ? []
        : [{ item: item.code, field: f.field, pattern: f.constraints.pattern }],
    ),
    ...(item.outputs ?? []).flatMap((o) =>
      o.pattern === undefined ? [] : [{ item: item.code, output: o.key, pattern: o.pattern }],
    ),
  ]);
}

/**
 * Whether the server can run a pattern at all. One that is only too large for deploy still runs
 * (slower); one with lookaround or a back-reference does not compile, nor the form holding it.
 */
export function patternRuns(pattern: string): boolean {
  return tryLinearRegExp(pattern) !== undefined;
}

/** A pattern of an active version that deploy refuses now: which version to change and redeploy. */
export interface PatternToRedeploy extends BundlePattern {
  code: string;
  version: number;
  /** Whether it still runs (only too large): if not, forms or approvals using it answer a 422. */
  runs: boolean;
  message: Text;
}

/**
 * The warning for a pattern deploy refuses now. The newest version is redeployed with it changed;
 * an older one cannot be (cases keep their version): its applications are started again on the
 * newest.
 */
function patternToRedeploy(
  record: BundleRecord,
  newest: number,
  p: BundlePattern,
  problem: Text,
): PatternToRedeploy {
  const runs = patternRuns(p.pattern);
  const where = p.field
    ? { zh: `字段“${p.field}”`, en: `field "${p.field}"` }
    : { zh: `办理结果“${p.output}”`, en: `output "${p.output}"` };
  const effect = runs
    ? { zh: '目前仍能校验，但部署时会被拒绝', en: 'it still runs, but a deploy refuses it now' }
    : p.field
      ? {
          zh: '该版本的申请无法提交、受理或补正',
          en: 'applications on this version cannot be submitted, accepted or supplemented',
        }
      : { zh: '部门无法准予该版本的此事项', en: 'the department cannot approve this item on this version' };
  const todo =
    newest === record.version
      ? {
          zh: `请配置员修改该 pattern 后重新部署事项包 ${record.code}`,
          en: `the analyst should change the pattern and redeploy bundle ${record.code}`,
        }
      : {
          zh: `已有第${newest}版：仍在第${record.version}版上的申请请在最新版本上重新申请`,
          en: `version ${newest} is deployed: applications still on version ${record.version} are to be started again on the newest version`,
        };
  return {
    code: record.code,
    version: record.version,
    ...p,
    runs,
    message: {
      zh: `事项包 ${record.code} 第${record.version}版事项“${p.item}”${where.zh}的格式 pattern ${JSON.stringify(p.pattern)} ${problem.zh}：${effect.zh}；${todo.zh}`,
      en: `bundle ${record.code} version ${record.version}, item "${p.item}" ${where.en}: the pattern ${JSON.stringify(p.pattern)} ${problem.en}; ${effect.en}; ${todo.en}`,
    },
  };
}

/** Bundle records kept parsed (bundles are few; the bound only guards against misuse). */
export const CACHED_BUNDLES = 500;

/**
 * How many versions there are, and how many of them are active. Versions are only ever added
 * (active) and retired all together, so the pair changes whenever what is newest or active can
 * have changed: two small counts, read from the store every time (other processes deploy too),
 * instead of reading and parsing whole records (definition and BPMN, ~30 kB each) per request.
 */
interface VersionCounts {
  total: number;
  active: number;
}

const sameCounts = (a: VersionCounts, b: VersionCounts) => a.total === b.total && a.active === b.active;

export class BundleRegistry {
  /**
   * One definition object per bundle content: compiled forms and validators are cached on the
   * definition's identity, so records read back from the store must share it.
   */
  private readonly definitions = new Map<string, BundleDefinition>();
  /** The newest active record per bundle code, with the counts it was read at (see VersionCounts). */
  private readonly newestActive = new Map<string, VersionCounts & { record: BundleRecord | undefined }>();
  /** The newest version of every bundle, summarised, with the collection's counts it was read at. */
  private listed?: VersionCounts & { summaries: BundleSummary[] };

  constructor(
    private readonly engine: Engine,
    private readonly docs: DocStore,
    private readonly clock: () => number,
  ) {}

  async deploy(actor: Actor, input: { bundle: unknown; xml: unknown }): Promise<BundleRecord> {
    let definition: BundleDefinition;
    try {
      definition = loadBundle(input.bundle);
      compileForm(definition);
    } catch (err) {
      if (err instanceof BundleError || err instanceof MergeConflictError) {
        throw invalid(
          `bundle.json is invalid: ${err.message}`,
          `bundle.json 有误：${err.message}`,
          bundleFieldErrors(err),
        );
      }
      throw err;
    }
    const outputs = outputProblems(definition);
    if (outputs.length)
      throw invalid("the items' outputs do not fit the bundle", '事项办理结果的声明有误', outputs);
    const { plans, problems } = await parseAndCompile(input.xml, {
      deploymentId: 'check',
      versionOf: () => 1,
      isKnownProcess: () => true,
    });
    if (problems.length) {
      throw invalid('the process model has problems', '流程模型有误', problems.map(problemToField));
    }
    const cross = crossCheck(definition, plans);
    if (cross.length) throw invalid('the process does not match the bundle', '流程与事项包不一致', cross);
    const taken = await this.takenProcessIds(definition.code, plans);
    if (taken.length) throw processIdsTaken(taken);
    const claimed = await this.claimProcessIds(definition.code, plans);
    let deployed;
    try {
      deployed = await this.engine.deploy(input.xml as string, { bundle: definition.code });
    } catch (err) {
      await this.release(claimed);
      if (err instanceof ValidationError)
        throw invalid('the process model has problems', '流程模型有误', err.problems.map(problemToField));
      throw err;
    }
    const main = mainPlan(definition, plans)!;
    const process = deployed.processes.find((p) => p.id === main.processId)!;
    // Another process may deploy the bundle meanwhile and take the next number: the engine's
    // deployment stands, so this one takes the number after (else the engine would keep a
    // version no bundle record names).
    for (let attempt = 1; ; attempt++) {
      const latest = await this.latest(definition.code, true);
      const version = (latest?.version ?? 0) + 1;
      try {
        return await this.saveVersion(actor, definition, input.xml as string, version, process, deployed.id);
      } catch (err) {
        if (!(err instanceof DocConflictError) || attempt >= MAX_VERSION_ATTEMPTS) throw err;
      }
    }
  }

  private async saveVersion(
    actor: Actor,
    definition: BundleDefinition,
    xml: string,
    version: number,
    process: { id: string; version: number },
    deploymentId: string,
  ): Promise<BundleRecord> {
    const record: BundleRecord = {
      id: `${definition.code}@${version}`,
      rev: 0,
      code: definition.code,
      version,
      status: 'active',
      processId: process.id,
      processVersion: process.version,
      deploymentId,
      definition,
      xml,
      sha256: createHash('sha256').update(xml).update(JSON.stringify(definition)).digest('hex'),
      createdAt: this.clock(),
      createdBy: actor.userId,
    };
    return this.canonical(await this.docs.put(BUNDLES, record, 0));
  }

  /**
   * Process ids of the model that another bundle has deployed. Process ids are global: a bundle
   * deploying another's id would make its new version the one that bundle's call activities and
   * new cases start. Read from the engine's deployments, which record every process each bundle
   * deployed (the bundle records name only the main one).
   */
  private async takenProcessIds(code: string, plans: Plan[]): Promise<FieldProblem[]> {
    const ids = new Set(plans.map((p) => p.processId));
    const owners = new Map<string, string>();
    for (const deployment of await this.engine.store.listDeployments()) {
      const owner = deployment.meta?.bundle;
      if (typeof owner !== 'string' || owner === code) continue;
      for (const p of deployment.processes) if (ids.has(p.id) && !owners.has(p.id)) owners.set(p.id, owner);
    }
    return [...owners].map(([id, owner]) => ownedElsewhere(id, owner));
  }

  /**
   * Claims the model's process ids for the bundle before the engine deploys them: each claim is a
   * compare-and-set write of the id's owner document, so of two bundles deploying one id at once
   * exactly one gets it (both may pass takenProcessIds, which sees a deploy only once the engine
   * has stored it). Returns the claims this deploy wrote, to release should the deploy fail; when
   * another bundle holds an id, releases them and throws the ownership problem.
   */
  private async claimProcessIds(code: string, plans: Plan[]): Promise<ProcessOwner[]> {
    const written: ProcessOwner[] = [];
    const taken: FieldProblem[] = [];
    for (const id of new Set(plans.map((p) => p.processId))) {
      const { owner, claim } = await this.claim(id, code);
      if (claim) written.push(claim);
      if (owner !== code) taken.push(ownedElsewhere(id, owner));
    }
    if (taken.length) {
      await this.release(written);
      throw processIdsTaken(taken);
    }
    return written;
  }

  /** The owner of a process id, claimed for `code` if it has none (`claim`: the document written then). */
  private async claim(processId: string, code: string): Promise<{ owner: string; claim?: ProcessOwner }> {
    const current = await this.docs.get<ProcessOwner>(PROCESS_OWNERS, processId);
    if (current?.bundle) return { owner: current.bundle };
    const rev = current?.rev ?? 0;
    try {
      const claim = await this.docs.put<ProcessOwner>(
        PROCESS_OWNERS,
        { id: processId, rev, bundle: code },
        rev,
      );
      return { owner: code, claim };
    } catch (err) {
      if (!(err instanceof DocConflictError)) throw err;
      return this.claim(processId, code); // another deploy claimed (or let go of) it meanwhile
    }
  }

  /** Lets go of the process ids a failed deploy claimed: no bundle deployed them. */
  private async release(claims: ProcessOwner[]): Promise<void> {
    for (const claim of claims) await this.docs.put(PROCESS_OWNERS, { ...claim, bundle: null }, claim.rev);
  }

  private canonical(record: BundleRecord): BundleRecord {
    const known = this.definitions.get(record.sha256);
    if (known) return { ...record, definition: known };
    this.definitions.set(record.sha256, record.definition);
    return record;
  }

  /**
   * The total first, then the active ones, never at once: a deploy between the two then shows in
   * the total it raised, or in both. Read the other way round (as two requests on a pool may be),
   * a deploy in between could pair the old active count with the new total, which the retirement
   * of that version would bring back while its record stayed cached as active.
   */
  private async counts(where: { code?: string } = {}): Promise<VersionCounts> {
    const total = await this.docs.count(BUNDLES, where);
    const active = await this.docs.count(BUNDLES, { ...where, status: 'active' });
    return { total, active };
  }

  /**
   * The newest version of a bundle (active only unless `anyStatus`). The active one is shared
   * between callers and read again only when the bundle's versions changed (VersionCounts):
   * applications start from it and the public guide shows it, so it is read on most requests.
   * Callers must not change it.
   */
  async latest(code: string, anyStatus = false): Promise<BundleRecord | undefined> {
    if (anyStatus) return this.newest(code, true);
    const counts = await this.counts({ code });
    if (counts.total === 0) return undefined; // no such bundle: nothing to read, nothing to keep
    const known = this.newestActive.get(code);
    if (known && sameCounts(known, counts)) return known.record;
    const record = await this.newest(code, false);
    if (this.newestActive.size >= CACHED_BUNDLES) this.newestActive.clear();
    this.newestActive.set(code, { ...counts, record });
    return record;
  }

  private async newest(code: string, anyStatus: boolean): Promise<BundleRecord | undefined> {
    const where: Record<string, string> = { code };
    if (!anyStatus) where.status = 'active';
    const [record] = await this.docs.find<BundleRecord>(BUNDLES, {
      where,
      orderBy: 'version',
      desc: true,
      limit: 1,
    });
    return record && this.canonical(record);
  }

  async get(code: string, version?: number): Promise<BundleRecord> {
    const record =
      version === undefined
        ? await this.latest(code, true)
        : await this.docs.get<BundleRecord>(BUNDLES, `${code}@${version}`);
    if (!record)
      throw notFound({
        zh: `事项包 ${code}${version ? ` 第${version}版` : ''}`,
        en: `bundle ${code}${version ? ` version ${version}` : ''}`,
      });
    return this.canonical(record);
  }

  /**
   * The newest version of each bundle, summarised, by code. The public guide lists these on every
   * visit, so the summaries are read again (every version's whole record) only when the versions
   * changed (VersionCounts over the whole collection).
   */
  async list(): Promise<BundleSummary[]> {
    const counts = await this.counts();
    if (!this.listed || !sameCounts(this.listed, counts)) {
      const all = await this.docs.find<BundleRecord>(BUNDLES, { orderBy: 'code' });
      const newest = new Map<string, BundleRecord>();
      for (const r of all) if ((newest.get(r.code)?.version ?? 0) < r.version) newest.set(r.code, r);
      this.listed = { ...counts, summaries: [...newest.values()].map(summarise) };
    }
    return structuredClone(this.listed.summaries);
  }

  async versions(code: string): Promise<BundleSummary[]> {
    return (await this.docs.find<BundleRecord>(BUNDLES, { where: { code }, orderBy: 'version' })).map(
      summarise,
    );
  }

  /**
   * Whether a version was withdrawn. Read from the store every time, not from a record read
   * before: another process may have retired it since (a count on the code + version index).
   */
  async isRetired(code: string, version: number): Promise<boolean> {
    return (await this.docs.count(BUNDLES, { code, version, status: 'retired' })) > 0;
  }

  /**
   * The patterns of active versions that deploy refuses now (patternProblem, as at deploy): a
   * version deployed before bundle patterns ran on the linear-time engine may hold lookaround, a
   * back-reference or one too large. Read at start-up, so the operator knows what to redeploy.
   */
  async patternsToRedeploy(): Promise<PatternToRedeploy[]> {
    const active = await this.docs.find<BundleRecord>(BUNDLES, { where: { status: 'active' } });
    const newest = new Map<string, number>();
    for (const r of active) newest.set(r.code, Math.max(newest.get(r.code) ?? 0, r.version));
    return active
      .sort((a, b) => a.code.localeCompare(b.code) || a.version - b.version)
      .flatMap((record) =>
        bundlePatterns(record.definition).flatMap((p) => {
          const problem = patternProblem(p.pattern);
          return problem ? [patternToRedeploy(record, newest.get(record.code)!, p, problem)] : [];
        }),
      );
  }

  /**
   * Retires (withdraws) every version: no new applications, and drafts on it are neither submitted
   * nor accepted (Centre.expectTakenIn); accepted cases finish on their version.
   */
  async retire(code: string): Promise<BundleSummary[]> {
    const versions = await this.docs.find<BundleRecord>(BUNDLES, { where: { code } });
    if (!versions.length) throw notFound({ zh: `事项包 ${code}`, en: `bundle ${code}` });
    for (const v of versions)
      if (v.status !== 'retired') await this.docs.put(BUNDLES, { ...v, status: 'retired' }, v.rev);
    return this.versions(code);
  }
}

function ownedElsewhere(id: string, owner: string): FieldProblem {
  return {
    field: `bpmn:${id}`,
    message: {
      zh: `流程标识 "${id}" 已属于事项包 ${owner}：流程标识全局唯一，请改用其他标识`,
      en: `process id "${id}" already belongs to bundle ${owner}: process ids are global, choose another id`,
    },
  };
}

const processIdsTaken = (taken: FieldProblem[]) =>
  invalid(
    'a process id in the model belongs to another bundle',
    '流程模型中的流程标识已属于其他事项包',
    taken,
  );

function bundleFieldErrors(err: Error): FieldProblem[] {
  // A broken reference names its place and reads in both languages (forms/src/bundle/references.ts).
  if (err instanceof BundleError && err.references.length)
    return err.references.map((p) => ({ field: p.field, message: p.message }));
  const problems = err instanceof BundleError ? err.problems : [err.message];
  return problems.map((message) => {
    const at = /^(item|material|question|department) "([^"]+)"/.exec(message);
    return { field: at ? `bundle.${at[1]}s.${at[2]}` : 'bundle', message: { zh: message, en: message } };
  });
}
