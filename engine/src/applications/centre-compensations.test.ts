/**
 * The Centre's undo steps after a command that failed (an acceptance's process instance, an
 * approval's e-licence, a revocation): when an undo fails in its turn, the command's own error
 * still reaches its caller, and the Centre's logger is told which case, which step, what was left
 * and why, with no personal data, so an operator can finish it by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { samples } from '../../../forms/src/testing/samples.js';
import { MemoryDocStore } from '../domain/docs.js';
import { createEngine } from '../index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { APPLICATIONS, Centre } from './centre.js';
import { analyst, clerk, dept, example, externalLicence, HOLDER, T0 } from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import { workingTimeLimits } from './working-time.js';
import type { Application } from './types.js';

const MATERIALS = [
  { id: 'identityProof', status: 'eLicence' as const, licenceId: 'resident-id-card:RID-1' },
  { id: 'premisesProof', status: 'provided' as const },
];
/** A result number that is a credit code (the enterprise's licence is numbered with it): masked in logs. */
const CREDIT_CODE = '91440400MA4UJ8XK2L';
const REG_OUTPUTS = approvalOf('enterprise-registration');

let dir: string;
let store: SqliteStore;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'onething-compensations-'))));
afterEach(async () => {
  if (store.db.open) store.db.pragma('query_only = OFF'); // closing writes (PRAGMA optimize)
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A Centre whose storage fails at the first case save after `outage.armed`, until `outage.end()`:
 * that save and every later document write fail (a full disk), and the engine's SQLite store
 * turns read-only with them, or (`engine: 'gone'`) is closed. Document reads still work, so each
 * undo gets as far as its own engine or licence step. `warnings`: what the Centre's logger was told.
 */
async function withOutage(engine: 'readOnly' | 'gone' = 'readOnly') {
  store = new SqliteStore(path.join(dir, 'engine.db'));
  const memory = new MemoryDocStore();
  const outage = {
    armed: false,
    on: false,
    /** The disk has room again. */
    end() {
      Object.assign(outage, { armed: false, on: false });
      store.db.pragma('query_only = OFF');
    },
  };
  const docs = Object.create(memory, {
    writeAll: { value: undefined },
    put: {
      value: async (...args: Parameters<MemoryDocStore['put']>) => {
        if (outage.armed && args[0] === APPLICATIONS && !outage.on) {
          outage.on = true;
          if (engine === 'gone') await store.close();
          else store.db.pragma('query_only = ON');
        }
        if (outage.on) throw new Error('disk full');
        return memory.put(...args);
      },
    },
  }) as MemoryDocStore;
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const centre = new Centre({
    engine: createEngine({ store, clock: () => T0 }),
    docs,
    timeLimits: workingTimeLimits(),
    clock: () => T0,
    logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
  });
  await centre.deployBundle(analyst, example('business-startup'));
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  return { centre, outage, warnings };
}

async function submitted(centre: Centre): Promise<Application> {
  const { situation, ...data } = samples['business-startup']!;
  const app = await centre.createApplication(clerk, {
    bundleCode: 'business-startup',
    answers: situation!,
    data,
    applicant: { kind: 'person', name: '张三', idNumber: HOLDER, phone: '13800138000', userId: 'zhangsan' },
  });
  return centre.submit(clerk, app.id);
}

describe('an undo step that fails is logged for an operator', () => {
  it.each([
    ['cannot cancel', 'readOnly', /readonly/],
    ['cannot even look up', 'gone', /not open/],
  ] as const)('an acceptance not saved whose process instance the engine %s', async (_, engine, error) => {
    const { centre, outage, warnings } = await withOutage(engine);
    const app = await submitted(centre);
    outage.armed = true;
    await expect(centre.accept(clerk, app.id, { materials: MATERIALS })).rejects.toThrow('disk full');
    expect(warnings).toEqual([
      {
        obj: {
          caseId: app.id,
          step: 'cancel the process instance of a failed acceptance',
          left: [`case-${app.id}`],
          error: expect.stringMatching(error),
        },
        msg: 'compensation failed, left undone: cancel the process instance of a failed acceptance',
      },
    ]);
  });

  it('an approval not saved whose e-licence cannot be cancelled; a revocation not saved whose licence cannot be restored', async () => {
    const { centre, outage, warnings } = await withOutage();
    const app = await centre.accept(clerk, (await submitted(centre)).id, {
      materials: [MATERIALS[0]!, { id: 'premisesProof', status: 'commitment' }],
      commitments: [{ kind: 'proof', materials: ['premisesProof'], signer: '张三', text: '住所真实承诺' }],
    });
    const registration = `${app.id}:enterprise-registration`;
    outage.armed = true;
    await expect(
      centre.approve(dept('market-regulation'), registration, { ...REG_OUTPUTS, resultNumber: CREDIT_CODE }),
    ).rejects.toThrow('disk full');
    expect(warnings.map((w) => [w.obj.caseId, w.obj.step, w.obj.error])).toEqual([
      [app.id, 'cancel the e-licence of an approval not recorded', 'disk full'],
    ]);
    expect(warnings[0]!.obj.left).toEqual(['business-licence:91440400*********L']);
    expect(JSON.stringify(warnings)).not.toContain(CREDIT_CODE);

    // The disk has room again: the approval is recorded; then the disk fills at the false post-check's save.
    outage.end();
    await centre.approve(dept('market-regulation'), registration, { ...REG_OUTPUTS, resultNumber: 'REG-7' });
    outage.armed = true;
    await expect(
      centre.recordPostCheck(dept('market-regulation'), registration, { result: 'false' }),
    ).rejects.toThrow('disk full');
    expect(warnings.slice(1).map((w) => [w.obj.caseId, w.obj.step, w.obj.left, w.obj.error])).toEqual([
      [
        app.id,
        'restore e-licences revoked by a command not recorded',
        ['business-licence:REG-7'],
        'disk full',
      ],
    ]);
  });
});
