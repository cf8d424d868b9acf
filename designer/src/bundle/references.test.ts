/**
 * The designer's checks include the server's reference checks (forms/src/bundle/references.ts):
 * a department removed while items still use it, an `after` naming no item, a condition reading a
 * question that was removed. Each is named where it is, in both languages, and the server refuses
 * the bundle for the same problems in the same (English) words.
 */
import { readFileSync } from 'node:fs';
import type { Actor } from '../../../engine/src/domain/actor.js';
import { MemoryDocStore } from '../../../engine/src/domain/docs.js';
import type { DomainError } from '../../../engine/src/domain/errors.js';
import { BundleRegistry } from '../../../engine/src/bundles/registry.js';
import { createEngine } from '../../../engine/src/index.js';
import type { BundleDefinition } from '../../../forms/src/bundle/types.js';
import { bundleProblems, problemsAt } from './checks.js';
import * as edit from './edit.js';

const read = (path: string) => readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8');
const newborn = (): BundleDefinition => JSON.parse(read('newborn/bundle.json'));
const analyst: Actor = { userId: 'ana', name: '配置员', role: 'analyst' };

/** The English messages the server refuses a deploy of the newborn process with this bundle with. */
async function refusedAtDeploy(bundle: BundleDefinition): Promise<DomainError['fieldErrors']> {
  const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
  const xml = read('newborn/process.bpmn');
  const error = (await registry.deploy(analyst, { bundle, xml }).then(
    () => Promise.reject(new Error('expected the deploy to be refused')),
    (e: unknown) => e,
  )) as DomainError;
  return error.fieldErrors;
}

describe('the designer’s reference checks', () => {
  it('name a removed department, an after naming no item and a removed question where they are used', async () => {
    let b = newborn();
    b = edit.removeDepartment(b, 'vaccination-clinic');
    b = edit.setAfter(b, 'medical-enrolment', ['birth-registration', 'baby-passport']);
    b = edit.removeQuestion(b, 'wantCard');
    const problems = bundleProblems(b);
    expect(problems).toEqual([
      {
        field: 'bundle.items.vaccination-certificate.department',
        message: {
          zh: '事项“vaccination-certificate”的部门“vaccination-clinic”不在部门列表中',
          en: 'item "vaccination-certificate": department "vaccination-clinic" is not in departments',
        },
      },
      {
        field: 'bundle.items.medical-enrolment.after',
        message: {
          zh: '事项“medical-enrolment”的前置事项 (after)“baby-passport”不是本事项包的事项',
          en: 'item "medical-enrolment": after "baby-passport" is not an item',
        },
      },
      {
        field: 'bundle.items.social-security-card.condition',
        message: {
          zh: '事项“social-security-card”：条件读取的“wantCard”不是情形问题',
          en: 'item "social-security-card": condition reads "wantCard", which is not a situation question',
        },
      },
    ]);
    // Each counts on its item's card.
    expect(problemsAt(problems, 'bundle.items.medical-enrolment')).toHaveLength(1);
    // The server refuses the same places in the same words, both languages.
    expect(await refusedAtDeploy(b)).toEqual(problems.map((p) => ({ field: p.field, message: p.message })));
  });

  it('name a pattern the server cannot run as the server does', async () => {
    const b = newborn();
    const registration = b.items.find((i) => i.code === 'birth-registration')!;
    const fields = registration.fields.map((f) =>
      f.field === 'birthCertNo' ? { ...f, constraints: { pattern: '^(?=Q)[A-Z][0-9]{9}$' } } : f,
    );
    const edited = edit.updateItem(b, 'birth-registration', { fields });
    const [problem, ...rest] = bundleProblems(edited);
    expect(rest).toEqual([]);
    expect(problem).toEqual({
      field: 'bundle.items.birth-registration.fields.birthCertNo.constraints.pattern',
      message: {
        zh: '事项“birth-registration”字段“birthCertNo”的格式 pattern "^(?=Q)[A-Z][0-9]{9}$" 使用了先行断言 (?=…)、(?!…)，服务器的线性时间正则引擎 (RE2) 不支持',
        en: 'item "birth-registration" field "birthCertNo": the pattern "^(?=Q)[A-Z][0-9]{9}$" uses lookahead (?=…), (?!…), which the server\'s linear-time regular expression engine (RE2) does not support',
      },
    });
    expect(await refusedAtDeploy(edited)).toEqual([problem]);
  });

  it('wait for the shape when a list is missing (a bundle.json opened from a file)', () => {
    const b = newborn() as Partial<BundleDefinition>;
    delete b.questions;
    expect(bundleProblems(b as BundleDefinition)).toEqual([
      { field: 'bundle.questions', message: { zh: '为必填项', en: 'is required' } },
    ]);
  });
});
