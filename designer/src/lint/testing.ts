/** Small BPMN models for the lint tests: processes written as XML fragments, parsed with the gov extension. */
import { readFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';
import { Linter } from 'bpmnlint';
import { linterConfig } from './config.js';
import { fillFlowRefs } from './flow-refs.js';
import type { GovRuleOptions } from './types.js';

const gov = JSON.parse(
  readFileSync(new URL('../../../engine/src/model/gov-moddle.json', import.meta.url), 'utf8'),
);

export function model(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:gov="http://onething.dev/schema/bpmn/gov/1.0" id="d" targetNamespace="http://onething.dev/test">
  <bpmn:process id="p" isExecutable="true">${body}</bpmn:process>
</bpmn:definitions>`;
}

export async function parse(xml: string): Promise<unknown> {
  const moddle = new BpmnModdle({ gov });
  const { rootElement, warnings } = await moddle.fromXML(xml);
  if (warnings.length) throw new Error(warnings.map((w: { message: string }) => w.message).join('; '));
  fillFlowRefs(rootElement);
  return rootElement;
}

/** Reports of one rule ("gov/<rule>" or an upstream name): [elementId, message] pairs. */
export async function lintWith(
  rule: string,
  xml: string,
  options: GovRuleOptions = {},
): Promise<[string, string][]> {
  const { config, resolver } = linterConfig({ lang: 'en', ...options }, [rule]);
  const results = await new Linter({ config, resolver }).lint(await parse(xml));
  return Object.values(results)
    .flat()
    .map((r) => {
      if (r.category === 'rule-error') throw new Error(r.message);
      return [r.id ?? '', r.message] as [string, string];
    });
}
