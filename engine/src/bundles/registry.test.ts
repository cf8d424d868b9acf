import { readFileSync } from 'node:fs';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore, type Doc, type DocQuery, type DocStore } from '../domain/docs.js';
import { SqliteDocStore } from '../domain/docs-sqlite.js';
import { DOC_INDEXES } from '../domain/open-docs.js';
import type { DomainError } from '../domain/errors.js';
import { createEngine } from '../index.js';
import { BUNDLES, BundleRegistry } from './registry.js';

const example = (code: string) => ({
  bundle: JSON.parse(readFileSync(new URL(`../../../examples/${code}/bundle.json`, import.meta.url), 'utf8')),
  xml: readFileSync(new URL(`../../../examples/${code}/process.bpmn`, import.meta.url), 'utf8'),
});
const analyst: Actor = { userId: 'ana', name: '配置员', role: 'analyst' };
const CODE = 'business-startup';

/** A document store that counts the whole-record reads of bundles (finds, not counts), as the registry's cost. */
class CountingDocs extends MemoryDocStore {
  bundleFinds = 0;
  private inCount = false;
  override find<T extends Doc>(collection: string, query?: DocQuery): Promise<T[]> {
    if (collection === BUNDLES && !this.inCount) this.bundleFinds++;
    return super.find<T>(collection, query);
  }
  // MemoryDocStore counts by finding; a real store counts in its index.
  override async count(collection: string, where?: DocQuery['where']): Promise<number> {
    this.inCount = true;
    try {
      return await super.count(collection, where);
    } finally {
      this.inCount = false;
    }
  }
}

/**
 * A store whose first count of all versions waits for `gate` while a count of active ones would
 * not: as two requests on a MongoDB connection pool may be answered, with a deploy in between.
 */
class GatedDocs extends MemoryDocStore {
  gate?: Promise<void>;
  override async count(collection: string, where?: DocQuery['where']): Promise<number> {
    if (collection === BUNDLES && this.gate && !where?.status) {
      const gate = this.gate;
      this.gate = undefined;
      await gate;
    }
    return super.count(collection, where);
  }
}

/** Two registries over one store: two server processes on one database. */
async function twoProcesses() {
  const docs = new CountingDocs();
  const engine = createEngine();
  const here = new BundleRegistry(engine, docs, () => 1);
  const there = new BundleRegistry(engine, docs, () => 1);
  await here.deploy(analyst, example(CODE));
  await here.deploy(analyst, example('newborn'));
  return { docs, here, there };
}

describe('BundleRegistry: the newest versions, read again only when versions change', () => {
  it('lists and finds the newest active version without reading records again while nothing changed', async () => {
    const { docs, here } = await twoProcesses();
    const first = await here.list();
    expect(first.map((b) => [b.code, b.version, b.status])).toEqual([
      [CODE, 1, 'active'],
      ['newborn', 1, 'active'],
    ]);
    const record = await here.latest(CODE);
    expect(record?.version).toBe(1);
    const reads = docs.bundleFinds;
    for (let i = 0; i < 5; i++) {
      expect(await here.list()).toEqual(first);
      expect(await here.latest(CODE)).toBe(record);
    }
    expect(docs.bundleFinds).toBe(reads);
  });

  it('sees a version another process deployed, and a retirement, on the next read', async () => {
    const { here, there } = await twoProcesses();
    await here.list();
    await here.latest(CODE);
    await there.deploy(analyst, example(CODE));
    expect((await here.latest(CODE))?.version).toBe(2);
    expect((await here.list()).find((b) => b.code === CODE)?.version).toBe(2);

    await there.retire(CODE);
    expect(await here.latest(CODE)).toBeUndefined();
    expect((await here.list()).find((b) => b.code === CODE)?.status).toBe('retired');
    // Any status: the newest record, retired or not, is still there.
    expect((await here.latest(CODE, true))?.version).toBe(2);
  });

  it('does not serve a retired version as active when another process deployed it while the counts were read', async () => {
    const docs = new GatedDocs();
    const engine = createEngine();
    const here = new BundleRegistry(engine, docs, () => 1);
    const there = new BundleRegistry(engine, docs, () => 1);
    let deployed!: () => void;
    docs.gate = new Promise<void>((resolve) => (deployed = resolve));
    const reading = here.latest(CODE); // its count of all versions waits at the gate
    await new Promise((resolve) => setImmediate(resolve));
    await there.deploy(analyst, example(CODE));
    deployed();
    expect((await reading)?.version).toBe(1);
    await there.retire(CODE);
    expect(await here.latest(CODE)).toBeUndefined();
  });

  it('hands out a list its caller may change without changing the next one', async () => {
    const { here } = await twoProcesses();
    const list = await here.list();
    list[0]!.items.length = 0;
    list.reverse();
    const again = await here.list();
    expect(again[0]!.code).toBe(CODE);
    expect(again[0]!.items.length).toBeGreaterThan(0);
  });
});

/** A store on which another process's deploy of the bundle lands just before this one's first record write. */
class RacedDocs extends MemoryDocStore {
  before?: () => Promise<unknown>;
  override async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    const before = this.before;
    if (collection === BUNDLES && before) {
      this.before = undefined;
      await before();
    }
    return super.put(collection, doc, expectedRev);
  }
}

describe('BundleRegistry: deploying', () => {
  it('takes the next number when another process deployed the bundle meanwhile: every engine version has its record', async () => {
    const docs = new RacedDocs();
    const engine = createEngine();
    const here = new BundleRegistry(engine, docs, () => 1);
    const there = new BundleRegistry(engine, docs, () => 1);
    let theirs: Awaited<ReturnType<BundleRegistry['deploy']>> | undefined;
    docs.before = async () => (theirs = await there.deploy(analyst, example('newborn')));
    const ours = await here.deploy(analyst, example('newborn'));
    expect([theirs?.version, ours.version]).toEqual([1, 2]);
    // Each record names its own engine deployment; none of the engine's versions is without one.
    const records = await docs.find<Doc & { version: number; processVersion: number; deploymentId: string }>(
      BUNDLES,
    );
    const deployments = await engine.store.listDeployments();
    expect(records.map((r) => r.deploymentId).sort()).toEqual(deployments.map((d) => d.id).sort());
    expect(new Set(records.map((r) => r.processVersion)).size).toBe(2);
    expect((await here.latest('newborn'))?.version).toBe(2);
  });

  /** The example bundle's model with one more executable process, `id`, appended. */
  const withProcess = (code: string, id: string) => {
    const { bundle, xml } = example(code);
    const extra =
      `<bpmn:process id="${id}" isExecutable="true"><bpmn:startEvent id="${id}_s"/><bpmn:endEvent id="${id}_e"/>` +
      `<bpmn:sequenceFlow id="${id}_f" sourceRef="${id}_s" targetRef="${id}_e"/></bpmn:process>`;
    return { bundle, xml: xml.replace('</bpmn:definitions>', `${extra}</bpmn:definitions>`) };
  };

  it('refuses a process id another bundle owns, naming the id and that bundle in both languages', async () => {
    const engine = createEngine();
    const registry = new BundleRegistry(engine, new MemoryDocStore(), () => 1);
    await registry.deploy(analyst, example(CODE));
    const refused = await registry.deploy(analyst, withProcess('newborn', CODE)).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'invalid' });
    const [field] = (refused as { fieldErrors: { field: string; message: { zh: string; en: string } }[] })
      .fieldErrors;
    expect(field!.field).toBe(`bpmn:${CODE}`);
    expect(field!.message.en).toMatch(new RegExp(`"${CODE}".*bundle ${CODE}`));
    expect(field!.message.zh).toMatch(new RegExp(`"${CODE}".*事项包 ${CODE}`));
    // Nothing of the refused model was deployed: the owner's process is still its own version 1.
    expect((await engine.plan(CODE)).version).toBe(1);
    expect(await registry.latest('newborn')).toBeUndefined();
    // The owner itself may deploy it again, and another bundle may use a process id of its own.
    expect((await registry.deploy(analyst, example(CODE))).version).toBe(2);
    expect((await registry.deploy(analyst, withProcess('newborn', 'newborn-review'))).version).toBe(1);
  });

  it('names a broken reference in bundle.json where it is, in Chinese as well as English', async () => {
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    const { bundle, xml } = example(CODE);
    const items = bundle.items.map((i: { code: string; after?: string[] }, n: number) =>
      n === 1 ? { ...i, after: ['no-such-item'] } : i,
    );
    const refused = (await registry
      .deploy(analyst, { bundle: { ...bundle, items }, xml })
      .catch((e: unknown) => e)) as DomainError;
    expect(refused).toMatchObject({ code: 'invalid' });
    const code = items[1].code as string;
    expect(refused.fieldErrors).toEqual([
      {
        field: `bundle.items.${code}.after`,
        message: { zh: expect.stringMatching(/[一-龥]/), en: expect.any(String) },
      },
    ]);
    expect(refused.fieldErrors[0]!.message.en).toContain('no-such-item');
    expect(refused.fieldErrors[0]!.message.zh).not.toBe(refused.fieldErrors[0]!.message.en);
  });

  it('names a shape problem of bundle.json where it is (items by code), in Chinese as well as English', async () => {
    const withoutName = ({ name: _name, ...rest }: Record<string, unknown>) => rest;
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    const { bundle, xml } = example(CODE);
    const items = bundle.items.map((i: Record<string, unknown>, n: number) =>
      n === 1 ? { ...i, department: 'Not A Code' } : n === 2 ? withoutName(i) : i,
    );
    const refused = (await registry
      .deploy(analyst, { bundle: { ...bundle, promisedDays: 'ten', items }, xml })
      .catch((e: unknown) => e)) as DomainError;
    expect(refused).toMatchObject({ code: 'invalid' });
    expect(refused.fieldErrors).toEqual([
      { field: 'bundle.promisedDays', message: { zh: '应为数字', en: 'must be a number' } },
      {
        field: `bundle.items.${items[1].code}.department`,
        message: {
          zh: '格式不正确：编码由小写字母、数字和连字符组成，以字母开头，如 seal-filing',
          en: 'has the wrong format: a code is lower-case letters, digits and hyphens, starting with a letter, e.g. seal-filing',
        },
      },
      { field: `bundle.items.${items[2].code}.name`, message: { zh: '为必填项', en: 'is required' } },
    ]);
  });

  it('gives model problems in Chinese as well as English', async () => {
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    const { bundle, xml } = example(CODE);
    const broken = xml.replace(
      '<bpmn:startEvent id="accepted"',
      '<bpmn:complexGateway id="cg"/><bpmn:startEvent id="accepted"',
    );
    const refused = await registry.deploy(analyst, { bundle, xml: broken }).catch((e: unknown) => e);
    const fields = (refused as { fieldErrors: { field: string; message: { zh: string; en: string } }[] })
      .fieldErrors;
    expect(fields.map((f) => [f.field, f.message.zh])).toEqual([
      ['bpmn:cg', 'bpmn:ComplexGateway cg：引擎不支持 bpmn:ComplexGateway'],
    ]);
  });
  it('refuses an item no task of the process handles, naming it', async () => {
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    const { bundle, xml } = example('newborn');
    const extra = { ...bundle.items[0], code: 'extra-check', name: { zh: '额外核查', en: 'Extra check' } };
    delete extra.issues;
    const refused = (await registry
      .deploy(analyst, { bundle: { ...bundle, items: [...bundle.items, extra] }, xml })
      .catch((e: unknown) => e)) as DomainError;
    expect(refused).toMatchObject({ code: 'invalid' });
    expect(refused.fieldErrors).toEqual([
      {
        field: 'bundle.items.extra-check',
        message: {
          zh: '事项 "extra-check"（额外核查）在流程中没有办理任务（gov:item="extra-check" 的用户任务）',
          en: 'item "extra-check" (Extra check) has no task in the process (a user task with gov:item="extra-check")',
        },
      },
    ]);
  });

  it('refuses a bundle process that starts otherwise than by its one none start event (message, timer)', async () => {
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    const { bundle, xml } = example('newborn');
    const fields = async (model: string) =>
      (
        (await registry.deploy(analyst, { bundle, xml: model }).catch((e: unknown) => e)) as DomainError
      ).fieldErrors?.map((f) => [f.field, f.message.en]);
    const byMessage = xml
      .replace(
        '<bpmn:startEvent id="accepted" name="综合窗口受理 Accepted">',
        '<bpmn:startEvent id="accepted" name="综合窗口受理 Accepted"><bpmn:messageEventDefinition id="md" messageRef="go"/>',
      )
      .replace('<bpmn:process id="newborn"', '<bpmn:message id="go" name="go"/><bpmn:process id="newborn"');
    expect(await fields(byMessage)).toEqual([
      [
        'bpmn:accepted',
        expect.stringContaining(
          "start event accepted of the bundle's process newborn must be a none start event",
        ),
      ],
      ['bpmn:', expect.stringContaining('needs exactly one none start event (it has 0)')],
    ]);
    const byTimer = xml.replace(
      '<bpmn:inclusiveGateway id="fanOut"',
      '<bpmn:startEvent id="tick"><bpmn:outgoing>tickFlow</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1S</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>' +
        '<bpmn:sequenceFlow id="tickFlow" sourceRef="tick" targetRef="tickEnd"/><bpmn:endEvent id="tickEnd"><bpmn:incoming>tickFlow</bpmn:incoming></bpmn:endEvent>' +
        '<bpmn:inclusiveGateway id="fanOut"',
    );
    expect(await fields(byTimer)).toEqual([
      ['bpmn:tick', expect.stringContaining('must be a none start event')],
    ]);
    expect(await registry.latest('newborn')).toBeUndefined();
  });

  it('refuses a window task between departments, whatever it is called: the window accepts, then delivers', async () => {
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    const { bundle, xml } = example('newborn');
    const withWindowStep = (view: string) =>
      xml
        .replace(
          '<bpmn:sequenceFlow id="toCertified" sourceRef="birthCertificate" targetRef="certified" />',
          '<bpmn:sequenceFlow id="toCertified" sourceRef="birthCertificate" targetRef="windowCheck" />' +
            '<bpmn:sequenceFlow id="checked" sourceRef="windowCheck" targetRef="certified" />',
        )
        .replace(
          '<bpmn:endEvent id="done"',
          `<bpmn:userTask id="windowCheck" name="窗口核验" gov:department="window" gov:formView="${view}"/><bpmn:endEvent id="done"`,
        );
    const refusal = async (view: string) =>
      (
        (await registry
          .deploy(analyst, { bundle, xml: withWindowStep(view) })
          .catch((e: unknown) => e)) as DomainError
      ).fieldErrors?.map((f) => [f.field, f.message.zh]);
    expect(await refusal('verify')).toEqual([
      [
        'bpmn:windowCheck',
        '窗口任务 windowCheck 须为受理 (gov:formView="acceptance") 或出件 (gov:formView="delivery")',
      ],
    ]);
    expect(await refusal('acceptance')).toEqual([
      ['bpmn:windowCheck', '受理任务 windowCheck 须在所有部门任务之前：部门任务之后只能是出件'],
    ]);
    expect(await refusal('delivery')).toEqual([
      ['bpmn:windowCheck', '出件任务 windowCheck 之后不能再有部门任务：出件时尚未流转的事项都会终止'],
    ]);
    expect(await registry.latest('newborn')).toBeUndefined();
    // The model as shipped (a delivery after every department) deploys.
    expect((await registry.deploy(analyst, example('newborn'))).version).toBe(1);
  });

  it('refuses a promise shorter than the longest chain of item time limits, naming the chain', async () => {
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    const { bundle, xml } = example('flexible-employment');
    const refused = await registry
      .deploy(analyst, { bundle: { ...bundle, promisedDays: 3 }, xml })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'invalid' });
    const fields = (refused as DomainError).fieldErrors;
    expect(fields.map((f) => f.field)).toEqual(['bundle.promisedDays']);
    const chain =
      'registration (flexible-employment-registration: 1) → pension (pension-enrolment: 1) → pensionTransfer (pension-transfer: 15)';
    expect(fields[0]!.message.en).toBe(
      `the bundle promises 3 working day(s), but the longest chain of item time limits through the process takes 17: ${chain}; the case would be overdue with every department on time, so lengthen the promise or shorten those items' limits`,
    );
    expect(fields[0]!.message.zh).toContain(`短于流程中最长的事项时限链 17 个工作日：${chain}`);
    expect(await registry.latest('flexible-employment')).toBeUndefined();
    // A task without gov:timeLimit counts its item's promisedDays.
    const noLimit = xml.replace(
      'gov:item="pension-transfer" gov:timeLimit="15"',
      'gov:item="pension-transfer"',
    );
    const transfer = {
      ...bundle.items.find((i: { code: string }) => i.code === 'pension-transfer'),
      promisedDays: 20,
    };
    const items = bundle.items.map((i: { code: string }) => (i.code === 'pension-transfer' ? transfer : i));
    await expect(
      registry.deploy(analyst, { bundle: { ...bundle, items }, xml: noLimit }),
    ).rejects.toMatchObject({
      fieldErrors: [{ message: { en: expect.stringContaining('takes 22: ') } }],
    });
    expect((await registry.deploy(analyst, { bundle, xml })).version).toBe(1);
    // A special step's own limit is not part of the promise: its days stop the clocks (the longest
    // chain is then registration → subsidy, 6 days, against 17 through the transfer).
    const hearing = xml.replace(
      'gov:item="pension-transfer" gov:timeLimit="15"',
      'gov:item="pension-transfer" gov:timeLimit="15" gov:specialStep="true"',
    );
    expect(hearing).not.toBe(xml);
    const promise = { ...bundle, promisedDays: 6 };
    expect((await registry.deploy(analyst, { bundle: promise, xml: hearing })).version).toBe(2);
  });

  it('lets go of the process ids it claimed when the engine refuses the model', async () => {
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    const { bundle, xml } = example('newborn');
    // Passes the registry's own check, which takes every called process as known; the engine does not.
    const caller =
      '<bpmn:process id="caller" isExecutable="true"><bpmn:startEvent id="c_s"/>' +
      '<bpmn:callActivity id="c_call" calledElement="nowhere"/><bpmn:endEvent id="c_e"/>' +
      '<bpmn:sequenceFlow id="c_f1" sourceRef="c_s" targetRef="c_call"/>' +
      '<bpmn:sequenceFlow id="c_f2" sourceRef="c_call" targetRef="c_e"/></bpmn:process>';
    const refused = registry.deploy(analyst, {
      bundle,
      xml: xml.replace('</bpmn:definitions>', `${caller}</bpmn:definitions>`),
    });
    await expect(refused).rejects.toMatchObject({ code: 'invalid' });
    expect((await registry.deploy(analyst, withProcess(CODE, 'caller'))).version).toBe(1);
    expect((await registry.deploy(analyst, withProcess(CODE, 'newborn'))).version).toBe(2);
  });

  /** Resolves after `n` turns of the microtask queue: the second deploy starts that much later. */
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await null;
  };

  describe.each([
    ['memory', () => new MemoryDocStore()],
    ['SQLite', () => new SqliteDocStore(':memory:', DOC_INDEXES)],
  ] as [string, () => DocStore][])(
    'two bundles deploying one process id at once (%s doc store)',
    (_name, open) => {
      // 0: in step with the first; 2: after the first's ownership check, before its engine deploy is stored.
      it.each([0, 2, 8])('exactly one gets it, the other started %i turns later', async (later) => {
        const engine = createEngine();
        const docs = open();
        const here = new BundleRegistry(engine, docs, () => 1);
        const there = new BundleRegistry(engine, docs, () => 1);
        const outcomes = await Promise.allSettled([
          here.deploy(analyst, withProcess(CODE, 'shared-review')),
          turns(later).then(() => there.deploy(analyst, withProcess('newborn', 'shared-review'))),
        ]);
        const won = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value.code);
        const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as DomainError);
        expect(won).toHaveLength(1);
        const lost = won[0] === CODE ? 'newborn' : CODE;
        // The other gets the ownership problem, naming the id and the bundle that has it.
        expect(refused.map((e) => [e.code, e.fieldErrors.map((f) => f.field)])).toEqual([
          ['invalid', ['bpmn:shared-review']],
        ]);
        const { message } = refused[0]!.fieldErrors[0]!;
        expect(message.en).toContain(`"shared-review" already belongs to bundle ${won[0]}`);
        expect(message.zh).toContain(`"shared-review" 已属于事项包 ${won[0]}`);
        // It deployed nothing: no bundle record, and the shared process is the winner's version 1 only.
        expect(await here.latest(lost)).toBeUndefined();
        expect((await engine.plan('shared-review')).version).toBe(1);
      });
    },
  );
});
