/**
 * Drives the example bundles through the service centre (engine/src/applications/centre.ts) the
 * way a window clerk and the departments would: create, submit, accept with a material list,
 * then every department decides what the process opens for it, until the results reach the
 * window. A fake clock starts on Monday 2026-11-23 09:00 CST.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
import { httpCentre } from './http-centre.js';
import { samples } from '../../forms/src/testing/samples.js';
import type { BundleDefinition } from '../../forms/src/bundle/index.js';
import type { CommitmentInput, MaterialInput } from '../../engine/src/applications/api.js';
import { Centre } from '../../engine/src/applications/centre.js';
import { commitmentLetters } from '../../engine/src/applications/materials.js';
import type { Applicant, Application, ItemCase } from '../../engine/src/applications/types.js';
import { workingTimeLimits } from '../../engine/src/applications/working-time.js';
import { MemoryDocStore, type DocStore } from '../../engine/src/domain/docs.js';
import { createEngine, type Engine } from '../../engine/src/index.js';
import type { Store } from '../../engine/src/store/port.js';
import { createModdle } from '../../engine/src/model/parse.js';
import { path } from '../../engine/src/testing/harness.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';

export const CODES = [
  'business-startup',
  'newborn',
  'flexible-employment',
  'restaurant',
  'utility-connection',
] as const;
export type Code = (typeof CODES)[number];

import { analyst, applicantActor, clerk, dept, T0 } from '../../engine/src/testing/centre-fixtures.js';

export { analyst, applicantActor, clerk, dept, T0 };
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface ExamplePackage {
  bundle: BundleDefinition;
  xml: string;
}

/** examples/<code>/bundle.json and process.bpmn, read fresh (tests may change their copy). */
export function example(code: Code): ExamplePackage {
  const read = (file: string) =>
    readFileSync(new URL(`../../examples/${code}/${file}`, import.meta.url), 'utf8');
  return { bundle: JSON.parse(read('bundle.json')) as BundleDefinition, xml: read('process.bpmn') };
}

/** The forms engineer's valid sample of a bundle: situation answers and unified-form data. */
export function sample(code: Code): { answers: Record<string, unknown>; data: Record<string, unknown> } {
  const { situation, ...data } = structuredClone(samples[code]!);
  return { answers: situation ?? {}, data };
}

/** Who applies for each bundle: a person, or the organisation by its credit code. */
export const APPLICANTS: Record<Code, Applicant> = {
  'business-startup': {
    kind: 'person',
    name: '张三',
    idNumber: '440402199003071232',
    phone: '13800138000',
    userId: 'zhangsan',
  },
  newborn: {
    kind: 'person',
    name: '张三',
    idNumber: '440402199003071232',
    phone: '13800138000',
    userId: 'zhangsan',
  },
  'flexible-employment': {
    kind: 'person',
    name: '王芳',
    idNumber: '440403199206150025',
    phone: '15012345678',
    userId: 'zhangsan',
  },
  restaurant: {
    kind: 'person',
    name: '陈六',
    idNumber: '440402199003071232',
    phone: '13600001111',
    userId: 'zhangsan',
  },
  'utility-connection': {
    kind: 'organisation',
    name: '珠海市某某实业有限公司',
    idNumber: '91350100M000100Y43',
    phone: '18912345678',
    userId: 'zhangsan',
  },
};

export interface DeskOptions {
  /** Bundles to deploy; default all five. */
  codes?: readonly Code[];
  /** Change a bundle's copy before it is deployed (e.g. mark a material deferrable). */
  tweak?: (code: Code, pkg: ExamplePackage) => void;
  /** The engine's store (default in memory) and the centre's document store. */
  store?: Store;
  docs?: DocStore;
  defaultDeferralDays?: number;
  /** Drive the centre through the real HTTP API, on a SQLite store in a temp directory. */
  http?: boolean;
}

/** HTTP servers and SQLite files opened by desks, closed and removed after the test file. */
const opened: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of opened.splice(0)) await close();
});

/** One service centre on a fake clock with the example bundles deployed. */
export class Desk {
  now = T0;
  readonly engine: Engine;
  centre: Centre;

  private constructor(options: DeskOptions) {
    const clock = () => this.now;
    this.engine = createEngine({ clock, ...(options.store ? { store: options.store } : {}) });
    this.centre = new Centre({
      engine: this.engine,
      docs: options.docs ?? new MemoryDocStore(),
      timeLimits: workingTimeLimits(),
      clock,
      defaultDeferralDays: options.defaultDeferralDays ?? 5,
    });
  }

  static async open(options: DeskOptions = {}): Promise<Desk> {
    if (options.http) {
      const dir = mkdtempSync(join(tmpdir(), 'desk-'));
      const store = new SqliteStore(join(dir, 'engine.db'));
      const docs = new SqliteDocStore(join(dir, 'docs.db'));
      const desk = await Desk.open({ ...options, http: false, store, docs });
      const remote = await httpCentre(desk.centre, desk.engine, docs);
      desk.centre = remote.centre;
      opened.push(async () => {
        await remote.close();
        await store.close();
        docs.close();
        rmSync(dir, { recursive: true, force: true });
      });
      return desk;
    }
    const desk = new Desk(options);
    for (const code of options.codes ?? CODES) {
      const pkg = example(code);
      options.tweak?.(code, pkg);
      await desk.centre.deployBundle(analyst, pkg);
    }
    return desk;
  }

  advance(ms: number): number {
    return (this.now += ms);
  }

  /** Created and submitted at the window (situation answers and form data as given, else the sample's). */
  async submitted(
    code: Code,
    answers: Record<string, unknown> = sample(code).answers,
    data: Record<string, unknown> = sample(code).data,
    applicant: Applicant = APPLICANTS[code],
  ): Promise<Application> {
    const app = await this.centre.createApplication(clerk, { bundleCode: code, answers, data, applicant });
    return this.centre.submit(clerk, app.id);
  }

  /**
   * Front-desk acceptance: every required material not covered by `materials` is shown on paper
   * ('provided'), and every commitment letter no commitment names is signed (告知承诺); shared
   * data, generated forms and earlier items' outputs are never asked for.
   */
  async accept(
    app: Application,
    materials: MaterialInput[] = [],
    commitments: CommitmentInput[] = [],
  ): Promise<Application> {
    const given = new Set(materials.map((m) => m.id));
    const rest: MaterialInput[] = app.materials
      .filter((m) => m.required && m.status === 'missing' && !given.has(m.id))
      .map((m) => ({ id: m.id, status: 'provided' }));
    const bundle = await this.centre.getBundle(clerk, app.bundleCode, app.bundleVersion);
    const letters = commitmentLetters(app, bundle.definition.materials).filter(
      (id) => !commitments.some((c) => c.materials?.includes(id)),
    );
    const signed: CommitmentInput[] = letters.length
      ? [{ kind: 'licence', materials: letters, signer: app.applicant.name, text: '本人承诺符合许可条件' }]
      : [];
    return this.centre.accept(clerk, app.id, {
      materials: [...materials, ...rest],
      commitments: [...commitments, ...signed],
    });
  }

  /** Submitted and accepted in one go. */
  async accepted(
    code: Code,
    answers?: Record<string, unknown>,
    data?: Record<string, unknown>,
    applicant?: Applicant,
  ): Promise<Application> {
    return this.accept(await this.submitted(code, answers, data, applicant));
  }

  async get(id: string): Promise<Application> {
    return this.centre.getApplication(clerk, id);
  }

  /** Items whose department has an open task now. */
  async openItems(id: string): Promise<ItemCase[]> {
    return (await this.get(id)).items.filter((i) => i.status === 'reviewing' && i.taskId);
  }

  /**
   * Every department decides what is open for it, round after round, until nothing is open:
   * approve unless `decisions` says reject. Checks on every round that no item's task opened
   * before the items it comes after (bundle.json `after`) were decided.
   */
  async decideAll(id: string, decisions: Record<string, 'approve' | 'reject'> = {}): Promise<Application> {
    const app = await this.get(id);
    const bundle = (await this.centre.getBundle(clerk, app.bundleCode, app.bundleVersion)).definition;
    for (let round = 0; round < 20; round++) {
      const open = await this.openItems(id);
      if (!open.length) return this.get(id);
      const current = await this.get(id);
      for (const item of open) expectAfterDecided(bundle, current, item);
      for (const item of open) {
        const task = `${id}:${item.item}`;
        if (decisions[item.item] === 'reject') {
          await this.centre.reject(dept(item.department), task, {
            reason: '不符合法定条件 / conditions not met',
          });
        } else {
          await this.centre.approve(dept(item.department), task, approvalOf(item.item));
        }
      }
    }
    throw new Error('the process kept opening tasks after 20 rounds');
  }

  /** Element ids the process instance completed, in order. */
  async path(app: Application): Promise<string[]> {
    return path(await this.engine.instance(app.instanceId!));
  }

  async instanceStatus(app: Application): Promise<string> {
    return (await this.engine.instance(app.instanceId!)).status;
  }
}

function expectAfterDecided(bundle: BundleDefinition, app: Application, item: ItemCase): void {
  const definition = bundle.items.find((i) => i.code === item.item)!;
  for (const before of definition.after ?? []) {
    const earlier = app.items.find((i) => i.item === before);
    if (earlier && (earlier.status === 'reviewing' || earlier.status === 'needs-supplement')) {
      throw new Error(`${item.item} opened before ${before} was decided`);
    }
  }
}

/** Item codes of an application by status. */
export function itemsBy(app: Application, status: ItemCase['status']): string[] {
  return app.items
    .filter((i) => i.status === status)
    .map((i) => i.item)
    .sort();
}

/** Ids of the sequence flows an instance took. */
export async function flowsTaken(desk: Desk, app: Application): Promise<string[]> {
  const view = await desk.engine.instance(app.instanceId!);
  return view.history.filter((h) => h.type === 'flow.taken' && h.elementId).map((h) => h.elementId!);
}

/** Every situation (and decision) branch of a process: the outgoing flows of its splitting gateways. */
export async function branchFlows(xml: string): Promise<string[]> {
  const { rootElement } = await createModdle().fromXML(xml, 'bpmn:Definitions');
  const process = rootElement.rootElements.find((r: { $type: string }) => r.$type === 'bpmn:Process');
  const flows = (
    process.flowElements as { $type: string; id: string; sourceRef: { $type: string; id: string } }[]
  ).filter((f) => f.$type === 'bpmn:SequenceFlow');
  const outgoing = (id: string) => flows.filter((f) => f.sourceRef.id === id).length;
  return flows
    .filter((f) => /Gateway$/.test(f.sourceRef.$type) && outgoing(f.sourceRef.id) > 1)
    .map((f) => f.id)
    .sort();
}
