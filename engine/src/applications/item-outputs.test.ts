/**
 * Results of earlier items reach the items after them: a department approving an item with
 * outputs records them (checked), the departments of the items that need them see exactly those
 * on their task, and the applicant and the delivery list see them with the item's result.
 */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Actor } from '../domain/actor.js';
import { DomainError } from '../domain/errors.js';
import {
  AFTER_REGISTRATION,
  analyst,
  applicantActor,
  clerk,
  dept,
  example,
  externalLicence,
  memoryCentre,
} from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import type { CommitmentInput, MaterialInput } from './api.js';
import type { Centre } from './centre.js';

const CREDIT_CODE = '91440400MA4W12346M';
const REGISTRATION = 'enterprise-registration';
const supervisor: Actor = { userId: 'sup', name: '监督', role: 'supervisor' };
const task = (appId: string, item: string) => `${appId}:${item}`;
type Item = { code: string; outputs?: unknown[]; needs?: unknown[]; after?: string[] };
type Pkg = ReturnType<typeof example>;

/** An example bundle with its items changed first. */
function changed(code: string, change: (items: Item[]) => void): Pkg {
  const pkg = example(code);
  change(pkg.bundle.items as Item[]);
  return pkg;
}

/** The domain error a command is refused with; a command that goes through fails the test. */
const refusal = (command: Promise<unknown>): Promise<DomainError> =>
  command.then(
    () => Promise.reject(new Error('expected the command to be refused')),
    (err: unknown) => {
      expect(err).toBeInstanceOf(DomainError);
      return err as DomainError;
    },
  );

/** Submitted and accepted: the ID card as an e-licence, the materials a commitment names on it, the rest seen. */
async function accepted(
  centre: Centre,
  code: string,
  answers: Record<string, unknown> = {},
  commitment?: CommitmentInput,
) {
  const { situation, ...data } = structuredClone(samples[code]!);
  const draft = await centre.createApplication(clerk, {
    bundleCode: code,
    answers: { ...situation, ...answers },
    data,
    applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232', userId: 'zhangsan' },
  });
  const app = await centre.submit(clerk, draft.id);
  const materials = app.materials
    .filter((m) => m.required && m.status === 'missing')
    .map((m): MaterialInput =>
      m.id === 'identityProof'
        ? { id: m.id, status: 'eLicence', licenceId: 'resident-id-card:RID-1' }
        : { id: m.id, status: commitment?.materials.includes(m.id) ? 'commitment' : 'provided' },
    );
  return centre.accept(clerk, app.id, { materials, ...(commitment ? { commitments: [commitment] } : {}) });
}

async function startup(pkg: Pkg = example('business-startup')) {
  const { centre } = memoryCentre();
  await centre.deployBundle(analyst, pkg);
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  return { centre, app: await accepted(centre, 'business-startup') };
}

describe('declaring outputs: checked at deploy', () => {
  const deployed = async (pkg: Pkg) => {
    const { centre } = memoryCentre();
    return refusal(centre.deployBundle(analyst, pkg));
  };

  it('refuses a need naming no item, an output its item does not declare, or an item not before it', async () => {
    const err = await deployed(
      changed('business-startup', (items) => {
        const at = (code: string) => items.find((i) => i.code === code)!;
        at('new-taxpayer').needs = [{ item: 'enterprise-registraton', output: 'creditCode' }];
        at('bank-appointment').needs = [{ item: REGISTRATION, output: 'licenceNumber' }];
        // Seal filing and tax both come after registration only: neither comes before the other.
        at('housing-fund-account').needs = [{ item: 'seal-filing', output: 'sealCode' }];
        at('seal-filing').outputs = [{ key: 'sealCode', label: { zh: '印章编码', en: 'Seal code' } }];
      }),
    );
    expect(err.code).toBe('invalid');
    expect(err.fieldErrors).toEqual([
      {
        field: 'bundle.items.new-taxpayer.needs.0',
        message: {
          zh: '事项包 business-startup 事项“new-taxpayer”需要事项“enterprise-registraton”的办理结果“creditCode”，但事项包中没有该事项',
          en: 'bundle business-startup, item "new-taxpayer" needs output "creditCode" of item "enterprise-registraton", but the bundle has no such item',
        },
      },
      {
        field: 'bundle.items.housing-fund-account.needs.0',
        message: {
          zh: expect.stringContaining(
            '事项“seal-filing”的办理结果“sealCode”，但该事项不在本事项之前 (after)',
          ),
          en: expect.stringContaining('that item does not come before it (after)'),
        },
      },
      {
        field: 'bundle.items.bank-appointment.needs.0',
        message: {
          zh: expect.stringContaining(
            '事项“bank-appointment”需要事项“enterprise-registration”的办理结果“licenceNumber”，但该事项未声明这一结果',
          ),
          en: expect.stringContaining('that item declares no such output'),
        },
      },
    ]);
  });

  it('refuses an output declared twice or a pattern that is no regular expression', async () => {
    const err = await deployed(
      changed('newborn', (items) => {
        const certificate = items.find((i) => i.code === 'birth-certificate')!;
        const label = { zh: '编号', en: 'Number' };
        certificate.outputs = [
          { key: 'birthCertNo', label, pattern: '^[A-Z' },
          { key: 'birthCertNo', label },
        ];
      }),
    );
    expect(err.fieldErrors.map((f) => [f.field, f.message.en])).toEqual([
      [
        'bundle.items.birth-certificate.outputs.birthCertNo',
        'bundle newborn, item "birth-certificate": the pattern of output "birthCertNo" is not a valid regular expression',
      ],
      [
        'bundle.items.birth-certificate.outputs.birthCertNo',
        'bundle newborn, item "birth-certificate": output "birthCertNo" is declared twice',
      ],
    ]);
  });

  it('takes an output no item needs (the applicant gets it), and a need further back along `after`', async () => {
    const { centre } = memoryCentre();
    const pkg = changed('newborn', (items) => {
      const card = items.find((i) => i.code === 'social-security-card')!;
      card.outputs = [{ key: 'cardNumber', label: { zh: '社会保障卡号', en: 'Card number' } }];
      // Medical enrolment comes after registration, which comes after the certificate.
      items.find((i) => i.code === 'medical-enrolment')!.needs = [
        { item: 'birth-certificate', output: 'birthCertNo' },
      ];
    });
    expect((await centre.deployBundle(analyst, pkg)).version).toBe(1);
  });
});

describe('approving an item with outputs', () => {
  it('requires each output, checked by its format, naming the field in zh and en; nothing is written on error', async () => {
    const { centre, app } = await startup();
    const before = await centre.getApplication(clerk, app.id);
    const registration = task(app.id, REGISTRATION);

    const missing = await refusal(centre.approve(dept('market-regulation'), registration, {}));
    expect(missing.status).toBe(422);
    expect(missing.fieldErrors).toEqual([
      {
        field: 'outputs.creditCode',
        label: { zh: '统一社会信用代码', en: 'Unified social credit code' },
        message: { zh: '统一社会信用代码为必填项', en: 'Unified social credit code is required' },
      },
    ]);
    const wrong = await refusal(
      centre.approve(dept('market-regulation'), registration, {
        outputs: { creditCode: '91440400MA4W12345M', creditcode: CREDIT_CODE },
      }),
    );
    expect(wrong.fieldErrors.map((f) => [f.field, f.message.zh])).toEqual([
      ['outputs.creditcode', '“creditcode”不是事项“企业设立登记”的办理结果'],
      ['outputs.creditCode', '统一社会信用代码统一社会信用代码校验码错误'],
    ]);
    const blank = await refusal(
      centre.approve(dept('market-regulation'), registration, { outputs: { creditCode: '  ' } }),
    );
    expect(blank.fieldErrors[0]!.message.en).toBe('Unified social credit code is required');

    const after = await centre.getApplication(clerk, app.id);
    expect(after.rev).toBe(before.rev);
    expect(after.items.find((i) => i.item === REGISTRATION)).toEqual(
      before.items.find((i) => i.item === REGISTRATION),
    );
    expect(await centre.listLicences(clerk, `${app.number}-${REGISTRATION}`)).toEqual([]);
  });

  it('records them with the item’s result, on its timeline entry and on the e-licence it issues', async () => {
    const { centre, app } = await startup();
    const view = await centre.getTask(dept('market-regulation'), task(app.id, REGISTRATION));
    expect(view.outputs).toEqual([
      {
        key: 'creditCode',
        label: { zh: '统一社会信用代码', en: 'Unified social credit code' },
        format: 'credit-code',
      },
    ]);
    await centre.approve(dept('market-regulation'), task(app.id, REGISTRATION), {
      resultNumber: CREDIT_CODE,
      outputs: { creditCode: ` ${CREDIT_CODE} ` },
    });
    const saved = await centre.getApplication(clerk, app.id);
    const registration = saved.items.find((i) => i.item === REGISTRATION)!;
    const recorded = [
      {
        key: 'creditCode',
        label: { zh: '统一社会信用代码', en: 'Unified social credit code' },
        value: CREDIT_CODE,
      },
    ];
    expect(registration.outputs).toEqual(recorded);
    expect(saved.timeline.find((e) => e.type === 'task.approved')!.data).toMatchObject({
      item: REGISTRATION,
      outputs: recorded,
    });
    const [licence] = await centre.listLicences(clerk, CREDIT_CODE);
    expect(licence!.signed.licence.data).toMatchObject({ creditCode: CREDIT_CODE });
  });

  it('takes no outputs on an item that declares none', async () => {
    const { centre, app } = await startup();
    await centre.approve(dept('market-regulation'), task(app.id, REGISTRATION), approvalOf(REGISTRATION));
    const err = await refusal(
      centre.approve(dept('tax'), task(app.id, 'new-taxpayer'), { outputs: { creditCode: CREDIT_CODE } }),
    );
    expect(err.fieldErrors.map((f) => f.field)).toEqual(['outputs.creditCode']);
  });
});

describe('the items after it', () => {
  it('see the outputs they need once it is approved, labelled as its result, and nothing else of it', async () => {
    const { centre, app } = await startup();
    const waiting = await centre.getTask(dept('tax'), task(app.id, 'new-taxpayer'));
    expect(waiting.waiting).toBe(true);
    expect(waiting.upstreamResults).toBeUndefined();

    await centre.approve(dept('market-regulation'), task(app.id, REGISTRATION), {
      resultNumber: 'REG-2026-001',
      outputs: { creditCode: CREDIT_CODE },
    });
    for (const [department, item] of AFTER_REGISTRATION) {
      const view = await centre.getTask(dept(department), task(app.id, item));
      expect(view.upstreamResults).toEqual([
        {
          item: REGISTRATION,
          itemName: { zh: '企业设立登记', en: 'Enterprise establishment registration' },
          outputs: [
            {
              key: 'creditCode',
              label: { zh: '统一社会信用代码', en: 'Unified social credit code' },
              value: CREDIT_CODE,
            },
          ],
        },
      ]);
      // Registration's own number and its other data stay with market regulation.
      expect(JSON.stringify(view)).not.toContain('REG-2026-001');
    }
    // Supervisors follow progress, not the departments' working data.
    expect((await centre.getTask(supervisor, task(app.id, 'new-taxpayer'))).upstreamResults).toBeUndefined();
  });

  it('only a dependant that names an output in `needs` receives it', async () => {
    const pkg = changed('business-startup', (items) => {
      delete items.find((i) => i.code === 'bank-appointment')!.needs;
    });
    const { centre, app } = await startup(pkg);
    await centre.approve(dept('market-regulation'), task(app.id, REGISTRATION), approvalOf(REGISTRATION));
    const bank = await centre.getTask(dept('bank'), task(app.id, 'bank-appointment'));
    expect(bank.upstreamResults).toBeUndefined();
    expect(JSON.stringify(bank)).not.toContain(CREDIT_CODE);
    const tax = await centre.getTask(dept('tax'), task(app.id, 'new-taxpayer'));
    expect(tax.upstreamResults?.[0]?.outputs[0]?.value).toBe(CREDIT_CODE);
  });

  it('a registration revoked (its 告知承诺 found false) is no longer a result they work from', async () => {
    const { centre } = memoryCentre();
    await centre.deployBundle(analyst, example('business-startup'));
    await externalLicence(centre, 'resident-id-card', 'RID-1');
    const app = await accepted(
      centre,
      'business-startup',
      {},
      {
        kind: 'proof',
        materials: ['premisesProof'],
        signer: '张三',
        text: '住所真实承诺',
      },
    );
    const registration = task(app.id, REGISTRATION);
    await centre.approve(dept('market-regulation'), registration, approvalOf(REGISTRATION));
    expect((await centre.getTask(dept('tax'), task(app.id, 'new-taxpayer'))).upstreamResults).toHaveLength(1);
    await centre.recordPostCheck(dept('market-regulation'), registration, { result: 'false' });
    expect((await centre.getTask(dept('tax'), task(app.id, 'new-taxpayer'))).upstreamResults).toBeUndefined();
  });

  it('newborn: the police register against the certificate number the hospital issued', async () => {
    const { centre } = memoryCentre();
    await centre.deployBundle(analyst, example('newborn'));
    const app = await accepted(centre, 'newborn');
    const certificate = task(app.id, 'birth-certificate');
    const wrong = await refusal(
      centre.approve(dept('hospital'), certificate, { outputs: { birthCertNo: 'q44056789' } }),
    );
    expect(wrong.fieldErrors[0]).toMatchObject({
      field: 'outputs.birthCertNo',
      message: {
        zh: '出生医学证明编号格式不正确，应为1位大写字母加9位数字，如 Q440123456',
        en: 'Birth certificate number has the wrong format: a capital letter and 9 digits, e.g. Q440123456',
      },
    });
    await centre.approve(dept('hospital'), certificate, { outputs: { birthCertNo: 'Q440567890' } });
    const police = await centre.getTask(dept('police-station'), task(app.id, 'birth-registration'));
    expect(police.upstreamResults).toEqual([
      expect.objectContaining({
        item: 'birth-certificate',
        outputs: [expect.objectContaining({ key: 'birthCertNo', value: 'Q440567890' })],
      }),
    ]);
    // The vaccination clinic does not come after the certificate: it sees no number.
    const clinic = await centre.getTask(dept('vaccination-clinic'), task(app.id, 'vaccination-certificate'));
    expect(clinic.upstreamResults).toBeUndefined();
  });

  it('newborn: with the certificate issued elsewhere (not in the case), registration gets no result in its place', async () => {
    const { centre } = memoryCentre();
    await centre.deployBundle(analyst, example('newborn'));
    const app = await accepted(centre, 'newborn', { birthPlace: 'provinceHospital' });
    expect(app.items.map((i) => i.item)).not.toContain('birth-certificate');
    const police = await centre.getTask(dept('police-station'), task(app.id, 'birth-registration'));
    expect(police.waiting).toBeUndefined();
    expect(police.upstreamResults).toBeUndefined();
  });
});

describe('the applicant and the delivery list', () => {
  it('show the outputs as part of the item’s result', async () => {
    const { centre, app } = await startup();
    await centre.approve(dept('market-regulation'), task(app.id, REGISTRATION), approvalOf(REGISTRATION));
    for (const [department, item] of AFTER_REGISTRATION)
      await centre.approve(dept(department), task(app.id, item), {});
    const output = {
      key: 'creditCode',
      label: { zh: '统一社会信用代码', en: 'Unified social credit code' },
      value: CREDIT_CODE,
    };
    const mine = await centre.getApplication(applicantActor, app.id);
    expect(mine.items.find((i) => i.item === REGISTRATION)!.outputs).toEqual([output]);

    await centre.deliver(clerk, app.id, { channel: 'window' });
    const delivered = (await centre.getApplication(applicantActor, app.id)).timeline.find(
      (e) => e.type === 'delivered',
    )!;
    const results = delivered.data!.results as { item: string; outputs?: unknown }[];
    expect(results.find((r) => r.item === REGISTRATION)!.outputs).toEqual([output]);
    expect(results.find((r) => r.item === 'new-taxpayer')!.outputs).toBeUndefined();
  });
});
