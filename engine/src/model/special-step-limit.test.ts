/**
 * A special step (特殊环节) does not count toward the promised limit, so it must publish a limit of
 * its own (GOV-SERVICES 2.12): one without gov:timeLimit is refused at deployment, by element id.
 */
import { readFileSync } from 'node:fs';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore } from '../domain/docs.js';
import type { DomainError } from '../domain/errors.js';
import { BundleRegistry } from '../bundles/registry.js';
import { createEngine } from '../index.js';
import { chain, endEvent, model, startEvent } from '../testing/bpmn.js';
import { problemZh, validate } from './index.js';

const analyst: Actor = { userId: 'ana', name: '配置员', role: 'analyst' };
const example = (code: string) => ({
  bundle: JSON.parse(readFileSync(new URL(`../../../examples/${code}/bundle.json`, import.meta.url), 'utf8')),
  xml: readFileSync(new URL(`../../../examples/${code}/process.bpmn`, import.meta.url), 'utf8'),
});
const withTask = (attributes: string) =>
  model(
    'p',
    `${startEvent('s')}<bpmn:userTask id="hearing" ${attributes}/>${endEvent('e')}${chain('s', 'hearing', 'e')}`,
  );

describe('a special step without its own time limit', () => {
  it('is a problem on the task, in English and Chinese', async () => {
    const problems = await validate(withTask('gov:specialStep="true"'));
    expect(problems).toEqual([
      {
        elementId: 'hearing',
        elementType: 'bpmn:UserTask',
        code: 'gov.specialStepLimit',
        message: expect.stringContaining('gov:timeLimit'),
      },
    ]);
    expect(problemZh(problems[0]!)).toContain('特殊环节');
  });

  it('with a limit (0 days too), or an ordinary task without one, is no problem', async () => {
    expect(await validate(withTask('gov:specialStep="true" gov:timeLimit="10"'))).toEqual([]);
    expect(await validate(withTask('gov:specialStep="true" gov:timeLimit="0"'))).toEqual([]);
    expect(await validate(withTask('gov:specialStep="false"'))).toEqual([]);
    expect(await validate(withTask(''))).toEqual([]);
  });

  it('refuses the bundle at deployment, naming the element in both languages', async () => {
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    const { bundle, xml } = example('restaurant');
    const unlimited = xml.replace(/(id="foodInspection"[^>]*?) gov:timeLimit="\d+"/, '$1');
    expect(unlimited).not.toBe(xml);
    const refused = (await registry
      .deploy(analyst, { bundle, xml: unlimited })
      .catch((e: unknown) => e)) as DomainError;
    expect(refused.code).toBe('invalid');
    expect(refused.fieldErrors).toEqual([
      {
        field: 'bpmn:foodInspection',
        message: {
          zh: expect.stringMatching(/^bpmn:UserTask foodInspection：特殊环节.*gov:timeLimit/),
          en: expect.stringMatching(/^bpmn:UserTask foodInspection: a special step .*gov:timeLimit/),
        },
      },
    ]);
  });

  it('the example bundles with special steps all set one and deploy', async () => {
    const registry = new BundleRegistry(createEngine(), new MemoryDocStore(), () => 1);
    for (const code of ['restaurant', 'utility-connection', 'newborn']) {
      expect(example(code).xml).toContain('gov:specialStep="true"');
      expect((await registry.deploy(analyst, example(code))).code).toBe(code);
    }
  });
});
