/**
 * Each example bundle's process (examples/<code>/process.bpmn) on the in-memory engine, against
 * bpmn-engine on a copy of the same model. The copy is made mechanically:
 * - each FEEL condition becomes `${environment.variables.cond_<flowId>}`, a flag the harness sets
 *   to the FEEL condition's value, evaluated by our FEEL on the variables the instance ends with
 *   on OneThing (a calibration run per variant; decisions are only ever "approved", so a
 *   condition's value does not change between when it is evaluated and the end);
 * - an inclusive gateway that joins becomes a parallel gateway (bpmn-elements has no inclusive
 *   join; its parallel join counts discarded flows, which is the inclusive join's dead-path rule).
 * Both engines must complete every instance with the same number of user tasks, or the case fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from '../../engine/src/expressions/feel.js';
import { createEngine, type Variables } from '../../engine/src/index.js';
import { exampleCodes, readExampleBundle } from '../../forms/src/bundle/examples.js';
import { activeItems } from '../../forms/src/merge/index.js';
import { samples } from '../../forms/src/testing/samples.js';
import type { CaseDef } from '../lib/harness.js';
import { oncePerElement, oneThingSide, runInstance, type Scenario, type Variant } from '../lib/onething.js';
import { referenceSide } from '../lib/reference.js';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

const attr = (attrs: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(attrs)?.[1];
const flag = (flowId: string) => `cond_${flowId.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** The bpmn-engine copy of a model and its FEEL conditions by flow id. */
export function referenceCopy(xml: string): { xml: string; conditions: Map<string, string> } {
  const conditions = new Map<string, string>();
  const incoming = new Map<string, number>();
  let out = xml.replace(
    /<bpmn:sequenceFlow\b([^>]*?)(\/>|>([\s\S]*?)<\/bpmn:sequenceFlow>)/g,
    (whole, attrs: string, _end, body?: string) => {
      const target = attr(attrs, 'targetRef');
      if (target) incoming.set(target, (incoming.get(target) ?? 0) + 1);
      if (!body) return whole;
      const id = attr(attrs, 'id')!;
      return whole.replace(
        /(<bpmn:conditionExpression\b[^>]*>)([\s\S]*?)(<\/bpmn:conditionExpression>)/,
        (_m, open: string, feel: string, close: string) => {
          conditions.set(id, unescapeXml(feel).trim());
          return `${open}\${environment.variables.${flag(id)}}${close}`;
        },
      );
    },
  );
  out = out.replace(
    /<bpmn:inclusiveGateway\b([^>]*?)(\/>|>([\s\S]*?)<\/bpmn:inclusiveGateway>)/g,
    (whole, attrs: string) => {
      const id = attr(attrs, 'id');
      if (!id || (incoming.get(id) ?? 0) < 2) return whole;
      return whole.replace(/bpmn:inclusiveGateway/g, 'bpmn:parallelGateway');
    },
  );
  return { xml: out, conditions };
}

/** What a department sends: its item's decision variable (as the service centre does), else a note. */
function completions(xml: string): (elementId: string) => Variables {
  const items = new Map<string, string>();
  for (const m of xml.matchAll(/<bpmn:userTask\b([^>]*)>/g)) {
    const id = attr(m[1]!, 'id');
    const item = attr(m[1]!, 'gov:item');
    if (id && item) items.set(id, item);
  }
  return oncePerElement((elementId) => {
    const item = items.get(elementId);
    return item
      ? { [`decision_${item.replace(/[^A-Za-z0-9]/g, '_')}`]: 'approved' }
      : { [`${elementId}Note`]: 'ok' };
  });
}

/** Builds the scenario of one example: two answer sets (every item of the sample situation; every other one). */
export async function exampleScenario(code: string): Promise<{ scenario: Scenario; dropped: string[] }> {
  const xml = readFileSync(`${examplesDir}${code}/process.bpmn`, 'utf8');
  const processId = /<bpmn:process\b[^>]*\sid="([^"]+)"/.exec(xml)![1]!;
  const copy = referenceCopy(xml);
  const bundle = readExampleBundle(code);
  const answers = (samples[code]?.['situation'] ?? {}) as Variables;
  const all = activeItems(bundle, answers).map((i) => i.code);
  const itemSets = [all, all.filter((_, i) => i % 2 === 0)];
  const scenario: Scenario = {
    processId,
    xml,
    referenceXml: copy.xml,
    variants: [],
    complete: completions(xml),
  };
  const dropped: string[] = [];
  const engine = createEngine();
  await engine.deploy(xml);
  for (const [i, items] of itemSets.entries()) {
    const variables = { applicationId: `bench-${code}`, ...answers, items };
    const run = await runInstance(engine, scenario, variables, `calibrate-${i}`);
    if (run.status !== 'completed') {
      dropped.push(`items ${JSON.stringify(items)} ended ${run.status}`);
      continue;
    }
    const flags: Variables = {};
    for (const [flowId, feel] of copy.conditions) {
      const result = compile(feel).evaluate(run.variables);
      flags[flag(flowId)] = result.ok && result.value === true;
    }
    const variant: Variant = { variables, referenceVariables: { ...variables, ...flags }, tasks: run.tasks };
    scenario.variants.push(variant);
  }
  return { scenario, dropped };
}

export async function exampleCases(): Promise<CaseDef[]> {
  const cases: CaseDef[] = [];
  for (const code of exampleCodes()) {
    if (!existsSync(`${examplesDir}${code}/process.bpmn`)) continue;
    const { scenario, dropped } = await exampleScenario(code);
    if (scenario.variants.length === 0) continue;
    const tasks = scenario.variants.map((v) => v.tasks).join(' and ');
    cases.push({
      id: `example-${code}`,
      title: `In-memory, example bundle ${code}`,
      kind: 'throughput',
      unit: 'instances/s',
      target: '≥ 200× bpmn-engine',
      notes:
        `examples/${code}/process.bpmn; the sample situation's items, then every other one (${tasks} user tasks); ` +
        `bpmn-engine on a mechanical copy (see bench/cases/examples.ts).` +
        (dropped.length ? ` Answer sets left out (did not complete): ${dropped.join('; ')}.` : ''),
      rounds: 5,
      ours: oneThingSide(scenario, { label: 'OneThing, MemoryStore', count: 2000, warmup: 1000 }),
      reference: referenceSide(scenario, { count: 20, warmup: 10 }),
    });
  }
  return cases;
}
