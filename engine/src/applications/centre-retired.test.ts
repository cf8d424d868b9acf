/**
 * A bundle withdrawn (retired) by an analyst is no longer taken in: a draft made on it before is
 * neither submitted nor accepted, and nothing of the attempt is written. Cases accepted before
 * keep running until their departments finish them.
 */
import { samples } from '../../../forms/src/testing/samples.js';
import type { DomainError } from '../domain/errors.js';
import type { Engine } from '../index.js';
import type { Centre } from './centre.js';
import {
  analyst,
  clerk,
  dept,
  example,
  externalLicence,
  HOLDER,
  memoryCentre,
} from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import type { Application } from './types.js';

const CODE = 'business-startup';
const REG_OUTPUTS = approvalOf('enterprise-registration');
const MATERIALS = [
  { id: 'identityProof', status: 'eLicence' as const, licenceId: 'resident-id-card:RID-1' },
  { id: 'premisesProof', status: 'provided' as const },
];

async function setUp(): Promise<{ centre: Centre; engine: Engine }> {
  const { centre, engine } = memoryCentre();
  await centre.deployBundle(analyst, example(CODE));
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  return { centre, engine };
}

async function draft(centre: Centre): Promise<Application> {
  const { situation, ...data } = samples[CODE]!;
  return centre.createApplication(clerk, {
    bundleCode: CODE,
    answers: situation!,
    data,
    applicant: { kind: 'person', name: '张三', idNumber: HOLDER, userId: 'zhangsan' },
  });
}

/** What the refusal says, as the clerk reads it. */
async function refusal(attempt: Promise<unknown>): Promise<DomainError> {
  const err = (await attempt.catch((e: unknown) => e)) as DomainError;
  expect(err).toMatchObject({ code: 'stateInvalid', status: 409 });
  expect(err.fieldErrors.map((f) => f.field)).toEqual(['bundleVersion']);
  return err;
}

describe('a draft whose bundle was withdrawn', () => {
  it('is not submitted: the clerk is told the bundle and version were withdrawn, in Chinese and English', async () => {
    const { centre } = await setUp();
    const app = await draft(centre);
    await centre.retireBundle(analyst, CODE);
    const err = await refusal(centre.submit(clerk, app.id));
    expect(err.text.zh).toBe(
      `事项包 ${CODE} 第1版已停止受理（已撤下），本申请不能提交或受理：该事项包目前没有可受理的版本`,
    );
    expect(err.text.en).toContain(`bundle ${CODE} version 1 was withdrawn (retired)`);
    const stored = await centre.getApplication(clerk, app.id);
    expect([stored.status, stored.rev]).toEqual(['draft', app.rev]);
  });

  it('is not accepted, and nothing is written: no process started, the case as it was', async () => {
    const { centre, engine } = await setUp();
    const submitted = await centre.submit(clerk, (await draft(centre)).id);
    await centre.retireBundle(analyst, CODE);
    await refusal(centre.accept(clerk, submitted.id, { materials: MATERIALS }));
    const stored = await centre.getApplication(clerk, submitted.id);
    expect([stored.status, stored.rev, stored.instanceId]).toEqual(['submitted', submitted.rev, undefined]);
    expect(await engine.store.listInstances({ businessKey: submitted.id })).toEqual([]);
  });

  it('is not moved to a newer version: the clerk is told to start a new application on it, which is taken in', async () => {
    const { centre } = await setUp();
    const old = await centre.submit(clerk, (await draft(centre)).id);
    await centre.retireBundle(analyst, CODE);
    await centre.deployBundle(analyst, example(CODE));
    const err = await refusal(centre.accept(clerk, old.id, { materials: MATERIALS }));
    expect(err.text.zh).toContain('请在现行第2版上新建申请');
    expect(err.text.en).toContain('start a new application on the current version 2');
    expect((await centre.getApplication(clerk, old.id)).bundleVersion).toBe(1);
    const fresh = await centre.submit(clerk, (await draft(centre)).id);
    expect(fresh.bundleVersion).toBe(2);
    expect((await centre.accept(clerk, fresh.id, { materials: MATERIALS })).status).toBe('in-progress');
  });
});

describe('a case accepted before its bundle was withdrawn', () => {
  it('keeps running: its department decides it and its process goes on', async () => {
    const { centre, engine } = await setUp();
    const app = await centre.accept(clerk, (await centre.submit(clerk, (await draft(centre)).id)).id, {
      materials: MATERIALS,
    });
    await centre.retireBundle(analyst, CODE);
    await centre.approve(dept('market-regulation'), `${app.id}:enterprise-registration`, REG_OUTPUTS);
    const item = (await centre.getApplication(clerk, app.id)).items.find(
      (i) => i.item === 'enterprise-registration',
    );
    expect(item?.status).toBe('approved');
    expect((await engine.instance(app.instanceId!)).status).toBe('active');
  });
});
