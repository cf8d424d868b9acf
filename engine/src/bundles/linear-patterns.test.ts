/**
 * A bundle's regular expressions (an item's field constraints, an item's outputs) run in linear
 * time when the server checks input, and a pattern the linear-time engine cannot run is refused
 * when the bundle is deployed, naming where it is and what is not supported.
 */
import type { BundleDefinition, ItemDefinition } from '../../../forms/src/bundle/index.js';
import { MemoryDocStore } from '../domain/docs.js';
import { DomainError } from '../domain/errors.js';
import { createEngine } from '../index.js';
import { analyst, example } from '../testing/centre-fixtures.js';
import { checkOutputs } from './outputs.js';
import { BundleRegistry } from './registry.js';

type Pkg = ReturnType<typeof example>;

/** The newborn bundle with one of its items changed first. */
function withItem(code: string, change: (item: ItemDefinition) => void): Pkg {
  const pkg = example('newborn');
  change((pkg.bundle as BundleDefinition).items.find((i) => i.code === code)!);
  return pkg;
}
const withCertificate = (change: (item: ItemDefinition) => void) => withItem('birth-certificate', change);

/** The field errors a deployment is refused with; a deployment that goes through fails the test. */
async function refusedDeploy(pkg: Pkg) {
  const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
  const err = await registry.deploy(analyst, pkg).then(
    () => Promise.reject(new Error('expected the deployment to be refused')),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return (err as DomainError).fieldErrors;
}

describe('bundle patterns at deployment and on approval', () => {
  it("refuses an output's pattern with lookahead, naming the output and what is not supported", async () => {
    const problems = await refusedDeploy(
      withCertificate((item) => {
        item.outputs = [
          {
            key: 'birthCertNo',
            label: { zh: '出生医学证明编号', en: 'Number' },
            pattern: '^(?=.*\\d)[A-Z0-9]{10}$',
          },
        ];
      }),
    );
    expect(problems).toEqual([
      {
        field: 'bundle.items.birth-certificate.outputs.birthCertNo',
        message: {
          zh: '事项包 newborn 事项“birth-certificate”的办理结果“birthCertNo”的格式 pattern 使用了先行断言 (?=…)、(?!…)，服务器的线性时间正则引擎 (RE2) 不支持',
          en: 'bundle newborn, item "birth-certificate": the pattern of output "birthCertNo" uses lookahead (?=…), (?!…), which the server\'s linear-time regular expression engine (RE2) does not support',
        },
      },
    ]);
  });

  it("refuses a field constraint's pattern with a back-reference, naming the item and the field", async () => {
    const problems = await refusedDeploy(
      withCertificate((item) => {
        item.fields.find((f) => f.field === 'babyName')!.constraints = { pattern: '^(.)\\1' };
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field).toBe('bundle.items.birth-certificate.fields.babyName.constraints.pattern');
    expect(problems[0]!.message.en).toContain(
      'item "birth-certificate" field "babyName": the pattern "^(.)\\\\1" uses back-references \\1, \\k<name>, which',
    );
    expect(problems[0]!.message.zh).toContain(
      '事项“birth-certificate”字段“babyName”的格式 pattern "^(.)\\\\1" 使用了反向引用',
    );
  });

  it('checks the listed values of a field against its pattern in linear time at deployment', async () => {
    const listed = `${'a'.repeat(199)}!`; // as long as a home address may be
    const problems = await refusedDeploy(
      withItem('vaccination-certificate', (item) => {
        item.fields.find((f) => f.field === 'homeAddress')!.constraints = {
          enum: [listed],
          pattern: '^(a+)+$',
        };
      }),
    );
    expect(problems.map((p) => p.message.en)).toEqual([
      expect.stringContaining(
        `field "homeAddress": none of the allowed values ["${listed}"] satisfies pattern`,
      ),
    ]);
  });

  it('checks a 200-character output against ^(a+)+$ and returns', () => {
    const item = withCertificate((i) => {
      i.outputs = [
        { key: 'birthCertNo', label: { zh: '编号', en: 'Number' }, pattern: '^(a+)+$', maxLength: 200 },
      ];
    }).bundle.items.find((i: ItemDefinition) => i.code === 'birth-certificate') as ItemDefinition;
    // On the backtracking RegExp, 30 characters took seconds; this would not return at all.
    const wrong = (() => {
      try {
        checkOutputs(item, { birthCertNo: `${'a'.repeat(199)}!` });
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(wrong?.fieldErrors.map((f) => f.field)).toEqual(['outputs.birthCertNo']);
    expect(checkOutputs(item, { birthCertNo: 'a'.repeat(200) })).toEqual([
      { key: 'birthCertNo', label: { zh: '编号', en: 'Number' }, value: 'a'.repeat(200) },
    ]);
  });
});
