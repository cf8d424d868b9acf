/**
 * Bundle versions deployed before bundle patterns ran on the linear-time engine (re2js) may hold
 * patterns deploy refuses now (lookaround, back-references). At start-up the server warns of each
 * one, naming the bundle, version, item and field and what to redeploy; an application whose form
 * holds such a rule is answered with a 422 naming the field where the rule applies (not a 500),
 * and is checked by every other rule where it does not.
 */
import { Writable } from 'node:stream';
import type { BundleDefinition } from '../../../forms/src/bundle/index.js';
import { samples } from '../../../forms/src/testing/samples.js';
import { DomainError } from '../domain/errors.js';
import { MemoryDocStore } from '../domain/docs.js';
import { createLogger } from '../http/logging.js';
import type { Centre } from '../applications/centre.js';
import { createEngine } from '../index.js';
import { warnOfPatternsToRedeploy } from '../server.js';
import { analyst, clerk, example, memoryCentre, T0 } from '../testing/centre-fixtures.js';
import { BUNDLES, type BundleRecord } from './registry.js';

/** A field constraint with lookahead, and an output pattern with a back-reference. */
const LOOKAHEAD = '^(?=Q)[A-Z][0-9]{9}$';
const BACK_REFERENCE = '^([A-Z])\\1[0-9]{8}$';

/**
 * newborn version 1 as deployed before today (its stored definition holds both patterns), and
 * business-startup as deployed today; then the server started again: a new Centre on that store.
 */
async function deployedBeforeToday() {
  const docs = new MemoryDocStore();
  const engine = createEngine({ clock: () => T0 });
  const before = memoryCentre({ docs, engine }).centre;
  await before.deployBundle(analyst, example('newborn'));
  await before.deployBundle(analyst, example('business-startup'));
  const record = (await docs.get<BundleRecord>(BUNDLES, 'newborn@1'))!;
  const definition: BundleDefinition = structuredClone(record.definition);
  const item = (code: string) => definition.items.find((i) => i.code === code)!;
  item('birth-registration').fields.find((f) => f.field === 'birthCertNo')!.constraints = {
    pattern: LOOKAHEAD,
  };
  item('birth-certificate').outputs![0]!.pattern = BACK_REFERENCE;
  await docs.put(BUNDLES, { ...record, definition }, record.rev);
  return memoryCentre({ docs, engine }).centre;
}

/** The server's warnings, as logged (pino's JSON lines). */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'warn', destination }) };
}

describe('patterns of versions deployed before today, at start-up', () => {
  it('are warned of one by one: bundle, version, item and field, what fails, and what to redeploy', async () => {
    const centre = await deployedBeforeToday();
    const { lines, logger } = capture();
    expect(await warnOfPatternsToRedeploy(centre.bundles, logger)).toBe(2);
    expect(
      lines.map(({ level, bundle, version, item, field, output, pattern }) => ({
        level,
        bundle,
        version,
        item,
        field,
        output,
        pattern,
      })),
    ).toEqual([
      {
        level: 40,
        bundle: 'newborn',
        version: 1,
        item: 'birth-certificate',
        output: 'birthCertNo',
        pattern: BACK_REFERENCE,
      },
      {
        level: 40,
        bundle: 'newborn',
        version: 1,
        item: 'birth-registration',
        field: 'birthCertNo',
        pattern: LOOKAHEAD,
      },
    ]);
    expect(lines[0]!.msg).toBe(
      '事项包 newborn 第1版事项“birth-certificate”办理结果“birthCertNo”的格式 pattern "^([A-Z])\\\\1[0-9]{8}$" 使用了反向引用 \\1、\\k<名称>，服务器的线性时间正则引擎 (RE2) 不支持：部门无法准予该版本的此事项；请配置员修改该 pattern 后重新部署事项包 newborn' +
        ' / bundle newborn version 1, item "birth-certificate" output "birthCertNo": the pattern "^([A-Z])\\\\1[0-9]{8}$" uses back-references \\1, \\k<name>, which the server\'s linear-time regular expression engine (RE2) does not support; the department cannot approve this item on this version; the analyst should change the pattern and redeploy bundle newborn',
    );
    expect(lines[1]!.msg).toBe(
      `事项包 newborn 第1版事项“birth-registration”字段“birthCertNo”的格式 pattern "${LOOKAHEAD}" 使用了先行断言 (?=…)、(?!…)，服务器的线性时间正则引擎 (RE2) 不支持：该版本的申请无法提交、受理或补正；请配置员修改该 pattern 后重新部署事项包 newborn` +
        ` / bundle newborn version 1, item "birth-registration" field "birthCertNo": the pattern "${LOOKAHEAD}" uses lookahead (?=…), (?!…), which the server's linear-time regular expression engine (RE2) does not support; applications on this version cannot be submitted, accepted or supplemented; the analyst should change the pattern and redeploy bundle newborn`,
    );
  });

  it('once redeployed, tell that cases still on the old version start again on the new one', async () => {
    const centre = await deployedBeforeToday();
    await centre.deployBundle(analyst, example('newborn'));
    const left = await centre.bundles.patternsToRedeploy();
    expect(left.map((p) => [p.version, p.item])).toEqual([
      [1, 'birth-certificate'],
      [1, 'birth-registration'],
    ]);
    for (const p of left) {
      expect(p.message.zh).toMatch(/；已有第2版：仍在第1版上的申请请在最新版本上重新申请$/);
      expect(p.message.en).toMatch(
        /; version 2 is deployed: applications still on version 1 are to be started again on the newest version$/,
      );
    }
  });

  it('find nothing in versions deployed today', async () => {
    const { centre } = memoryCentre();
    for (const code of ['business-startup', 'newborn', 'restaurant'])
      await centre.deployBundle(analyst, example(code));
    expect(await centre.bundles.patternsToRedeploy()).toEqual([]);
  });
});

describe('an application on such a version', () => {
  /** A newborn draft on version 1: the sample's answers and data with these changed. */
  async function draft(answers: Record<string, unknown>, data: Record<string, unknown>) {
    const centre = await deployedBeforeToday();
    const { situation, ...sample } = structuredClone(samples.newborn!);
    const app = await centre.createApplication(clerk, {
      bundleCode: 'newborn',
      answers: { ...situation, ...answers },
      data: { ...sample, ...data },
      applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232', userId: 'zhangsan' },
    });
    return { centre, app };
  }

  /** What submitting the draft is refused with; a submission that goes through fails the test. */
  async function refusedSubmit(centre: Centre, id: string): Promise<DomainError> {
    const outcome: unknown = await centre.submit(clerk, id).catch((err: unknown) => err);
    expect(outcome).toBeInstanceOf(DomainError);
    return outcome as DomainError;
  }

  it('is refused with a 422 naming the field whose rule can no longer be checked, where it applies', async () => {
    // Born in another hospital of the province: the applicant types the certificate number.
    const { centre, app } = await draft({ birthPlace: 'provinceHospital' }, { birthCertNo: 'Q440123456' });
    const err = await refusedSubmit(centre, app.id);
    expect(err.status).toBe(422);
    expect(err.text).toEqual({
      zh: '事项包 newborn 第1版中有填写规则已无法校验，申请暂不能继续：请联系配置员修改后重新部署事项包，再在新版本上重新申请',
      en: 'bundle newborn version 1 has a rule that can no longer be checked, so the application cannot go further: ask the analyst to redeploy the bundle, then start the application again on the new version',
    });
    expect(err.fieldErrors).toEqual([
      {
        field: 'data.birthCertNo',
        label: { zh: '出生医学证明编号', en: 'Birth certificate number' },
        message: {
          zh: '出生医学证明编号：事项包对该字段的规则已无法校验，请联系配置员重新部署事项包',
          en: "Birth certificate number: the bundle's rule for this field can no longer be checked; ask the analyst to redeploy the bundle",
        },
      },
    ]);
  });

  it('is checked by every other rule where the rule does not apply', async () => {
    // Born in a hospital of the city: the certificate item gives the number, nobody types it.
    const { centre, app } = await draft({ birthPlace: 'cityHospital' }, { babyName: '' });
    const err = await refusedSubmit(centre, app.id);
    expect([...new Set(err.fieldErrors.map((f) => f.field))]).toEqual(['data.babyName']);
    await centre.updateApplication(clerk, app.id, { data: { babyName: '张小明' } });
    expect((await centre.submit(clerk, app.id)).status).toBe('submitted');
  });
});
