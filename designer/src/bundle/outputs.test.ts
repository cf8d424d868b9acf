/**
 * Item outputs, needs and the applicant's age in the bundle editor: the edits keep `needs`
 * consistent, the picker offers what deploy accepts, and the designer's checks are the server's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Actor } from '../../../engine/src/domain/actor.js';
import { MemoryDocStore } from '../../../engine/src/domain/docs.js';
import type { DomainError } from '../../../engine/src/domain/errors.js';
import { BundleRegistry } from '../../../engine/src/bundles/registry.js';
import { createEngine } from '../../../engine/src/index.js';
import type { BundleDefinition } from '../../../forms/src/bundle/types.js';
import { availableNeeds, bundleProblems, outputField, problemsAt } from './checks.js';
import * as edit from './edit.js';

const read = (path: string) => readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8');
const example = (code: string): BundleDefinition => JSON.parse(read(`${code}/bundle.json`));
const item = (b: BundleDefinition, code: string) => b.items.find((i) => i.code === code)!;
const REGISTRATION = 'enterprise-registration';
const analyst: Actor = { userId: 'ana', name: '配置员', role: 'analyst' };

/** What the server answers a deploy of the business-startup process with this bundle: its field errors. */
async function refusedAtDeploy(bundle: BundleDefinition) {
  const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
  const xml = read('business-startup/process.bpmn');
  const error = (await registry.deploy(analyst, { bundle, xml }).catch((e: unknown) => e)) as DomainError;
  return error.fieldErrors;
}

describe('the designer’s checks of a bundle', () => {
  const examples = readdirSync(new URL('../../../examples/', import.meta.url)).filter((d) =>
    existsSync(new URL(`../../../examples/${d}/bundle.json`, import.meta.url)),
  );
  it.each(examples)('find nothing in the %s example', (dir) => {
    expect(bundleProblems(example(dir))).toEqual([]);
  });

  it('are the server’s own: a need of a later item, an undeclared output, a bad pattern', async () => {
    let b = example('business-startup');
    b = edit.setAfter(b, 'seal-filing', []);
    b = edit.addNeed(b, 'bank-appointment', { item: REGISTRATION, output: 'licenceNo' });
    b = edit.addOutput(b, REGISTRATION);
    b = edit.updateOutput(b, REGISTRATION, 1, { pattern: '[0-9' });
    const problems = bundleProblems(b);
    expect(problems.map((p) => p.field)).toEqual([
      `bundle.items.${REGISTRATION}.outputs.newOutput`,
      'bundle.items.seal-filing.needs.0',
      'bundle.items.bank-appointment.needs.1',
    ]);
    expect(problems[1]!.message.zh).toContain('不在本事项之前');
    expect(problems[1]!.message.en).toContain('does not come before it');
    expect(await refusedAtDeploy(b)).toEqual(problems);
  });

  it('name the field of a wrong shape in both languages, as the server refuses it', async () => {
    let b = edit.addOutput(example('business-startup'), REGISTRATION);
    b = edit.updateOutput(b, REGISTRATION, 1, { key: 'Licence no', label: { zh: '营业执照编号', en: '' } });
    b = edit.setApplicantAge(b, { min: 200, belowRetirement: true });
    expect(bundleProblems(b)).toEqual([
      {
        field: `bundle.items.${REGISTRATION}.outputs.Licence no.key`,
        message: {
          zh: '格式不正确：以小写字母开头，只含字母和数字，如 creditCode',
          en: 'has the wrong format: a lower-case letter first, then letters and digits only, e.g. creditCode',
        },
      },
      {
        field: `bundle.items.${REGISTRATION}.outputs.Licence no.label.en`,
        message: { zh: '为必填项', en: 'is required' },
      },
      { field: 'bundle.applicantAge.min', message: { zh: '不能大于120', en: 'must be at most 120' } },
    ]);
    // The server refuses it with the same problems, where they are, in both languages.
    expect(await refusedAtDeploy(b)).toEqual(bundleProblems(b));
  });

  it('say what is missing where a required value is absent', () => {
    const b = example('newborn');
    const output = item(b, 'birth-certificate').outputs![0]!;
    delete (output.hint as Partial<typeof output.hint>)!.en;
    expect(bundleProblems(b)).toEqual([
      {
        field: 'bundle.items.birth-certificate.outputs.birthCertNo.hint.en',
        message: { zh: '为必填项', en: 'is required' },
      },
    ]);
  });

  it('are found at the row of the output they concern', () => {
    let b = edit.addOutput(example('business-startup'), REGISTRATION);
    b = edit.updateOutput(b, REGISTRATION, 1, { key: '' });
    const registration = item(b, REGISTRATION);
    const at = `bundle.items.${REGISTRATION}`;
    expect(problemsAt(bundleProblems(b), outputField(at, registration, 1))).toHaveLength(1);
    expect(problemsAt(bundleProblems(b), outputField(at, registration, 0))).toEqual([]);
  });
});

describe('the outputs an item may need', () => {
  it('are those of the items before it, directly or further back', () => {
    let b = example('business-startup');
    expect(availableNeeds(b, 'seal-filing')).toEqual([{ item: REGISTRATION, output: 'creditCode' }]);
    expect(availableNeeds(b, REGISTRATION)).toEqual([]);
    // bank-appointment after seal-filing: registration's output still comes before it, and seal-filing's.
    b = edit.addOutput(b, 'seal-filing');
    b = edit.setAfter(b, 'bank-appointment', ['seal-filing']);
    b = edit.setAfter(b, 'seal-filing', [REGISTRATION]);
    expect(availableNeeds(b, 'bank-appointment')).toEqual([
      { item: REGISTRATION, output: 'creditCode' },
      { item: 'seal-filing', output: 'newOutput' },
    ]);
  });
  it('are none when nothing comes before', () => {
    const b = edit.setAfter(example('newborn'), 'birth-registration', []);
    expect(availableNeeds(b, 'birth-registration')).toEqual([]);
  });
});

describe('editing outputs keeps the needs consistent', () => {
  it('a renamed item or output is followed by the needs of it', () => {
    let b = edit.renameItem(example('business-startup'), REGISTRATION, 'registration');
    b = edit.updateOutput(b, 'registration', 0, { key: 'uscc' });
    for (const i of b.items.filter((i) => i.code !== 'registration'))
      expect(i.needs).toEqual([{ item: 'registration', output: 'uscc' }]);
    expect(bundleProblems(b)).toEqual([]);
  });

  it('a removed output takes the needs of it away, and needsOn says which they were', () => {
    const before = example('newborn');
    expect(edit.needsOn(before, 'birth-certificate', 'birthCertNo')).toEqual([
      { item: 'birth-registration', need: { item: 'birth-certificate', output: 'birthCertNo' } },
    ]);
    const b = edit.removeOutput(before, 'birth-certificate', 0);
    expect(item(b, 'birth-certificate').outputs).toBeUndefined();
    expect(item(b, 'birth-registration').needs).toBeUndefined();
    expect(item(b, 'birth-registration').after).toEqual(['birth-certificate']);
    expect(bundleProblems(b)).toEqual([]);
  });

  it('a removed item takes the needs of its outputs away', () => {
    const b = edit.removeItem(example('business-startup'), REGISTRATION);
    expect(b.items.flatMap((i) => [...(i.needs ?? []), ...(i.after ?? [])])).toEqual([]);
    expect(b.items.some((i) => 'needs' in i || 'after' in i)).toBe(false);
  });

  it('a duplicate key being fixed keeps the needs on the output that keeps it', () => {
    let b = edit.addOutput(example('newborn'), 'birth-certificate');
    b = edit.updateOutput(b, 'birth-certificate', 1, { key: 'birthCertNo' });
    expect(bundleProblems(b).map((p) => p.field)).toEqual([
      'bundle.items.birth-certificate.outputs.birthCertNo',
    ]);
    const renamed = edit.updateOutput(b, 'birth-certificate', 1, { key: 'issuedOn' });
    expect(item(renamed, 'birth-registration').needs).toEqual([
      { item: 'birth-certificate', output: 'birthCertNo' },
    ]);
    const removed = edit.removeOutput(b, 'birth-certificate', 1);
    expect(item(removed, 'birth-registration').needs).toHaveLength(1);
  });

  it('a need is added once and removed by position', () => {
    let b = edit.removeNeed(example('newborn'), 'birth-registration', 0);
    expect(item(b, 'birth-registration').needs).toBeUndefined();
    b = edit.addNeed(b, 'birth-registration', { item: 'birth-certificate', output: 'birthCertNo' });
    b = edit.addNeed(b, 'birth-registration', { item: 'birth-certificate', output: 'birthCertNo' });
    expect(b).toEqual(example('newborn'));
  });

  it('output settings left empty go from the definition', () => {
    let b = example('newborn');
    b = edit.updateOutput(b, 'birth-certificate', 0, { pattern: undefined, hint: undefined, maxLength: 20 });
    expect(item(b, 'birth-certificate').outputs).toEqual([
      {
        key: 'birthCertNo',
        label: { zh: '出生医学证明编号', en: 'Birth certificate number' },
        maxLength: 20,
        sensitivity: 'sensitive',
      },
    ]);
  });
});

describe('the applicant’s age', () => {
  it('is set, changed and removed', () => {
    let b = edit.setApplicantAge(example('newborn'), { min: 16, belowRetirement: true });
    expect(b.applicantAge).toEqual({ min: 16, belowRetirement: true });
    b = edit.setApplicantAge(b, { ...b.applicantAge, min: undefined, femaleRetirementAge: 50 });
    expect(b.applicantAge).toEqual({ belowRetirement: true, femaleRetirementAge: 50 });
    b = edit.setApplicantAge(b, undefined);
    expect('applicantAge' in b).toBe(false);
    expect(b).toEqual(example('newborn'));
  });
});
