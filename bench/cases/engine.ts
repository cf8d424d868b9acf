/** In-memory engine cases: the 7-task fan-out bundle and a gateway model with FEEL conditions. */
import { readFileSync } from 'node:fs';
import type { CaseDef } from '../lib/harness.js';
import { oneThingSide, type Scenario, type Variant } from '../lib/onething.js';
import { referenceSide } from '../lib/reference.js';

const model = (name: string) => readFileSync(new URL(`../models/${name}`, import.meta.url), 'utf8');

export const fanout: Scenario = {
  processId: 'fanout',
  xml: model('fanout.bpmn'),
  referenceXml: model('fanout.bpmn'),
  variants: [{ variables: { applicant: 'Zhang San', district: '330106' }, tasks: 7 }],
};

/** Routing variants: which branches the exclusive and inclusive splits take, and the flags bpmn-engine reads. */
function routed(applicantType: string, amount: number, needsPermit: boolean, employees: number): Variant {
  const flags = {
    isCompany: applicantType === 'company',
    bigAmount: amount > 100000,
    needsPermit,
    manyEmployees: employees >= 10,
  };
  const branches = Number(flags.bigAmount) + Number(needsPermit) + Number(flags.manyEmployees);
  return {
    variables: { applicantType, amount, needsPermit, employees },
    referenceVariables: { applicantType, amount, employees, ...flags },
    tasks: 1 + Math.max(branches, 1) + 1,
  };
}

export const gateways: Scenario = {
  processId: 'gateways',
  xml: model('gateways.bpmn'),
  referenceXml: model('gateways.bpmn-engine.bpmn'),
  variants: [
    routed('company', 250000, true, 40),
    routed('person', 5000, false, 0),
    routed('company', 80000, true, 3),
    routed('person', 150000, false, 12),
  ],
};

export function engineCases(): CaseDef[] {
  return [
    {
      id: 'memory-fanout',
      title: 'In-memory, 7-user-task fan-out bundle',
      kind: 'throughput',
      unit: 'instances/s',
      target: '≥ 200× bpmn-engine',
      notes: 'bench/models/fanout.bpmn on both engines: accept → 5 departments in parallel → deliver.',
      ours: oneThingSide(fanout, {
        label: 'OneThing, MemoryStore, start + completeTask views',
        count: 3000,
        warmup: 2000,
      }),
      reference: referenceSide(fanout, { count: 40, warmup: 20 }),
    },
    {
      id: 'memory-gateways',
      title: 'In-memory, exclusive + inclusive gateways (FEEL conditions)',
      kind: 'throughput',
      unit: 'instances/s',
      target: '≥ 200× bpmn-engine',
      notes:
        'bench/models/gateways.bpmn (FEEL) vs gateways.bpmn-engine.bpmn (same structure, `${environment.variables.flag}` ' +
        'conditions over flags the harness precomputes, parallel join in place of the inclusive join bpmn-elements lacks). ' +
        '4 variants with 3–5 user tasks each.',
      ours: oneThingSide(gateways, {
        label: 'OneThing, MemoryStore, start + completeTask views',
        count: 3000,
        warmup: 2000,
      }),
      reference: referenceSide(gateways, { count: 60, warmup: 20 }),
    },
  ];
}
