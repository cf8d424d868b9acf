/**
 * The checks every example bundle must pass, driven through the service centre: the happy path
 * to delivery and evaluation, one supplement round, one department rejecting, one 容缺
 * acceptance whose material arrives late, a time limit turning yellow then red on the fake
 * clock, and every branch of the process taken by some answer set.
 */
import type { MaterialInput } from '../../engine/src/applications/api.js';
import type { Applicant, Application, NoticeEntry } from '../../engine/src/applications/types.js';
import { MATERIAL_FILE } from '../../engine/src/testing/centre-fixtures.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import {
  applicantActor,
  branchFlows,
  clerk,
  DAY,
  Desk as DeskClass,
  dept,
  example,
  flowsTaken,
  itemsBy,
  sample,
  type Code,
  type DeskOptions,
  type ExamplePackage,
} from './support.js';

/** One answer set and what it must do. */
export interface Variant {
  name: string;
  /** Changes to the sample's situation answers and form data. */
  answers?: Record<string, unknown>;
  data?: Record<string, unknown>;
  applicant?: Applicant;
  /** Department decisions other than approval. */
  decisions?: Record<string, 'approve' | 'reject'>;
  /** The items of the application (sorted). */
  items: string[];
  /** Process elements that must be on the path, and elements that must not. */
  visits?: string[];
  avoids?: string[];
  /** Items ended as not handled when the results reach the window. */
  terminated?: string[];
}

export interface BundleScenarios {
  code: Code;
  /** Answer sets that together take every branch of the process. */
  variants: Variant[];
  /** A department asks for a supplement; the applicant answers with this. */
  supplement: {
    item: string;
    entries: NoticeEntry[];
    data?: Record<string, unknown>;
    materials?: MaterialInput[];
  };
  /** An item whose department rejects, and the items that then end as not handled. */
  rejection: { item: string; terminated: string[] };
  /** 容缺: a material accepted missing (marked deferrable in the test's copy when `tweak`). */
  deferral: { material: string; answers?: Record<string, unknown>; tweak?: boolean };
}

const answersOf = (code: Code, v: { answers?: Record<string, unknown> }) => ({
  ...sample(code).answers,
  ...(v.answers ?? {}),
});
const dataOf = (code: Code, v: { data?: Record<string, unknown> }) => ({
  ...sample(code).data,
  ...(v.data ?? {}),
});

/** Runs one answer set from the window to the results and checks what it did. */
export async function runVariant(desk: DeskClass, code: Code, v: Variant): Promise<Application> {
  try {
    return await checkVariant(desk, code, v);
  } catch (err) {
    throw new Error(`${code} / ${v.name}: ${(err as Error).message}`);
  }
}

async function checkVariant(desk: DeskClass, code: Code, v: Variant): Promise<Application> {
  const app = await desk.accepted(code, answersOf(code, v), dataOf(code, v), v.applicant);
  expect(app.items.map((i) => i.item).sort()).toEqual([...v.items].sort());
  const done = await desk.decideAll(app.id, v.decisions);
  expect(done.status).toBe('results-ready');
  expect(itemsBy(done, 'terminated')).toEqual([...(v.terminated ?? [])].sort());
  const path = await desk.path(done);
  for (const element of v.visits ?? []) expect(path).toContain(element);
  for (const element of v.avoids ?? []) expect(path).not.toContain(element);
  return done;
}

/** Every scenario twice: on the domain in process, and through the HTTP API on SQLite. */
export function describeBundle(s: BundleScenarios): void {
  describeScenarios(s, false);
  describeScenarios(s, true);
}

function describeScenarios(s: BundleScenarios, http: boolean): void {
  const { code } = s;
  const Desk = { open: (options: DeskOptions) => DeskClass.open({ ...options, http }) };

  describe(`${code}: through the service centre${http ? ' over HTTP on SQLite' : ''}`, () => {
    it('happy path: accepted, every department approves, delivered at the window, evaluated', async () => {
      const desk = await Desk.open({ codes: [code] });
      const app = await desk.accepted(code);
      expect(app.status).toBe('in-progress');
      expect(app.deadline).toBeGreaterThan(desk.now);
      const done = await desk.decideAll(app.id);
      expect(done.status).toBe('results-ready');
      expect(itemsBy(done, 'approved')).toEqual(app.items.map((i) => i.item).sort());
      const delivered = await desk.centre.deliver(clerk, app.id, { channel: 'window' });
      expect(delivered.status).toBe('delivered');
      expect(await desk.instanceStatus(delivered)).toBe('completed');
      expect((await desk.centre.evaluate(applicantActor, app.id, { channel: 'app', level: 5 })).status).toBe(
        'evaluated',
      );
    });

    it(`one supplement round: ${s.supplement.item} asks, one notice, the clock pauses, the applicant answers`, async () => {
      const desk = await Desk.open({ codes: [code] });
      const app = await desk.accepted(code);
      // Departments before it decide first, so its task is open.
      for (let round = 0; round < 10; round++) {
        const open = await desk.openItems(app.id);
        if (open.some((i) => i.item === s.supplement.item)) break;
        for (const item of open)
          await desk.centre.approve(dept(item.department), `${app.id}:${item.item}`, approvalOf(item.item));
      }
      const target = (await desk.openItems(app.id)).find((i) => i.item === s.supplement.item)!;
      expect(target).toBeDefined();
      await desk.centre.requestSupplement(dept(target.department), `${app.id}:${target.item}`, {
        entries: s.supplement.entries,
      });
      let current = await desk.get(app.id);
      if (current.status === 'in-progress') current = await desk.centre.issueNotice(clerk, app.id); // others still reviewing
      expect(current.status).toBe('awaiting-supplement');
      expect(current.notices).toHaveLength(1);
      expect(current.notices[0]!.entries.map((e) => e.item)).toEqual(
        s.supplement.entries.map(() => s.supplement.item),
      );
      const deadline = current.deadline!;
      desk.advance(2 * DAY);
      // A material counts as provided only with its file: the applicant uploads it first (in
      // process also over HTTP: the upload route needs an upload store, test/http/uploads.test.ts).
      for (const m of s.supplement.materials ?? []) {
        if (m.status === 'provided')
          await desk.centre.attachMaterialFile(applicantActor, app.id, m.id, MATERIAL_FILE);
      }
      current = await desk.centre.supplement(applicantActor, app.id, {
        ...(s.supplement.data ? { data: s.supplement.data } : {}),
        ...(s.supplement.materials ? { materials: s.supplement.materials } : {}),
      });
      expect(current.status).toBe('in-progress');
      expect(current.pauses.find((p) => p.reason === 'supplement')!.to).toBe(desk.now);
      expect(current.deadline!).toBeGreaterThan(deadline); // the paused days do not count
      const done = await desk.decideAll(app.id);
      expect(done.status).toBe('results-ready');
      expect(done.items.find((i) => i.item === s.supplement.item)!.status).toBe('approved');
      expect((await desk.centre.deliver(clerk, app.id, { channel: 'post' })).status).toBe('delivered');
    });

    it(`one department rejecting: ${s.rejection.item}`, async () => {
      const desk = await Desk.open({ codes: [code] });
      const app = await desk.accepted(code);
      const done = await desk.decideAll(app.id, { [s.rejection.item]: 'reject' });
      expect(done.status).toBe('results-ready');
      expect(itemsBy(done, 'rejected')).toEqual([s.rejection.item]);
      expect(itemsBy(done, 'terminated')).toEqual([...s.rejection.terminated].sort());
      const others = app.items
        .map((i) => i.item)
        .filter((i) => i !== s.rejection.item && !s.rejection.terminated.includes(i));
      expect(itemsBy(done, 'approved')).toEqual(others.sort());
      const delivered = await desk.centre.deliver(clerk, app.id, { channel: 'window' });
      expect(delivered.timeline.at(-1)!.data!.results).toContainEqual(
        expect.objectContaining({ item: s.rejection.item, status: 'rejected', reason: expect.any(String) }),
      );
      expect(await desk.instanceStatus(delivered)).toBe('completed');
    });

    it(`容缺: ${s.deferral.material} accepted missing, arrives after the decisions, then delivery`, async () => {
      const tweak = (c: Code, pkg: ExamplePackage) => {
        if (!s.deferral.tweak || c !== code) return;
        pkg.bundle.materials.find((m) => m.id === s.deferral.material)!.deferrable = true;
        for (const item of pkg.bundle.items) {
          for (const m of item.materials) if (m.material === s.deferral.material) delete m.deferrable;
        }
      };
      const desk = await Desk.open({ codes: [code], tweak });
      const submitted = await desk.submitted(code, answersOf(code, { answers: s.deferral.answers }));
      expect(submitted.materials.find((m) => m.id === s.deferral.material)?.deferrable).toBe(true);
      const app = await desk.accept(
        submitted,
        [{ id: s.deferral.material, status: 'deferred' }],
        [
          {
            kind: 'deferral',
            materials: [s.deferral.material],
            signer: submitted.applicant.name,
            text: '五个工作日内补交',
          },
        ],
      );
      const deferral = app.materials.find((m) => m.id === s.deferral.material)!.deferral!;
      expect(deferral.status).toBe('pending');
      const done = await desk.decideAll(app.id);
      expect(done.status).toBe('results-ready');
      await expect(desk.centre.deliver(clerk, app.id, { channel: 'window' })).rejects.toMatchObject({
        code: 'stateInvalid',
      });
      desk.advance(3 * DAY); // Thursday: late, but before the due date
      expect(desk.now).toBeLessThan(deferral.dueAt);
      expect(await desk.centre.sweep()).toMatchObject({ terminated: 0 });
      // With the results out the applicant brings it to the window: the clerk records its file.
      // (Online, the applicant's "provided" needs the file attached first.)
      const late = { materials: [{ id: s.deferral.material, status: 'provided' as const }] };
      await expect(desk.centre.supplement(applicantActor, app.id, late)).rejects.toMatchObject({
        code: 'invalid',
      });
      await desk.centre.attachMaterialFile(clerk, app.id, s.deferral.material, MATERIAL_FILE);
      const supplied = await desk.centre.supplement(clerk, app.id, late);
      expect(supplied.materials.find((m) => m.id === s.deferral.material)!.deferral).toMatchObject({
        status: 'supplied',
        suppliedAt: desk.now,
      });
      expect((await desk.centre.deliver(clerk, app.id, { channel: 'window' })).status).toBe('delivered');
    });

    it('time limit: normal or yellow at first, yellow before red, each crossing recorded once', async () => {
      const desk = await Desk.open({ codes: [code] });
      const app = await desk.accepted(code);
      const colours: string[] = [];
      // A few days past red, whatever the promise (flexible employment promises 17 working days).
      for (let day = 0; colours.filter((c) => c === 'red').length < 3 && day <= 40; day++) {
        await desk.centre.sweep();
        colours.push((await desk.get(app.id)).timeStatus!);
        desk.advance(DAY);
      }
      const first = colours.indexOf('yellow');
      expect(first).toBeGreaterThanOrEqual(0);
      expect(colours.indexOf('red')).toBeGreaterThan(first);
      expect(colours.slice(0, first).every((c) => c === 'normal')).toBe(true);
      const current = await desk.get(app.id);
      expect(current.timeline.filter((e) => e.type === 'timeLimit.yellow' && !e.data?.item)).toHaveLength(1);
      expect(current.timeline.filter((e) => e.type === 'timeLimit.red' && !e.data?.item)).toHaveLength(1);
      const late = current.items.find((i) => i.taskId)!;
      const inbox = await desk.centre.listTasks(dept(late.department), { timeStatus: 'red' });
      expect(inbox.items.map((t) => t.item)).toContain(late.item);
    });

    it('every branch of the process is taken by some answer set', async () => {
      const desk = await Desk.open({ codes: [code] });
      const taken = new Set<string>();
      for (const v of s.variants) {
        const done = await runVariant(desk, code, v);
        for (const flow of await flowsTaken(desk, done)) taken.add(flow);
      }
      expect((await branchFlows(example(code).xml)).filter((f) => !taken.has(f))).toEqual([]);
    });
  });
}
