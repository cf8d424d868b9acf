/**
 * Inclusive gateways. Split: every flow whose condition holds (else the default).
 * Join: waits only for tokens that can still arrive — a token elsewhere in the same scope counts
 * when the join is reachable from where it rests (the compiled `upstream` set). Joins are decided
 * once all tokens of the step have settled.
 */
import type { PlanNode } from '../../model/plan.js';
import type { Execution } from '../execution.js';
import { IncidentSignal } from '../incident.js';
import type { Token } from '../state.js';
import type { Behaviour } from './behaviour.js';
import { arrivalsByFlow, mergeArrivals } from './join.js';

/** An inclusive split takes what any activity takes (every flow that holds, else the default), but never nothing. */
function split(exec: Execution, token: Token, node: PlanNode): void {
  const taken = exec.outgoingOf(token, node);
  if (taken.length === 0)
    throw new IncidentSignal('gateway.noPath', 'no outgoing condition holds and there is no default flow');
  exec.takeAll(token, taken);
}

function canStillArrive(exec: Execution, node: PlanNode, scope: string): boolean {
  const upstream = node.upstream!;
  const tokens = exec.s.tokens; // a local, as in fireSettledJoins
  for (const id in tokens) {
    const t = tokens[id]!;
    if (t.scope !== scope) continue;
    if (t.node === node.index && t.rest === 'join') continue;
    if (upstream.has(t.node)) return true;
  }
  return false;
}

/** Fires every inclusive join no further token can reach. Returns true when one fired. */
function fireSettledJoins(exec: Execution): boolean {
  // Joins (node and scope) found still waiting in this pass: their other arrivals give the same answer.
  let waiting: Token[] | undefined;
  // In a local: V8 reads tokens[id] in a for-in over that same record from the enumeration's
  // field index (exec.s.tokens[id] is a generic keyed look-up). This runs after every agenda
  // pass; the loop stops at the first join it fires, so the local stays current.
  const tokens = exec.s.tokens;
  for (const id in tokens) {
    const t = tokens[id]!;
    if (t.rest !== 'join') continue;
    const node = exec.plan.nodes[t.node]!;
    if (node.kind !== 'inclusiveGateway') continue;
    if (waiting?.some((w) => w.node === t.node && w.scope === t.scope)) continue;
    const arrivals = arrivalsByFlow(exec, node, t.scope);
    if (arrivals.size < node.incoming.length && canStillArrive(exec, node, t.scope)) {
      (waiting ??= []).push(t);
      continue;
    }
    const survivor = mergeArrivals(exec, arrivals, node);
    try {
      split(exec, survivor, node);
    } catch (err) {
      if (err instanceof IncidentSignal) exec.raiseIncident(survivor, err);
      else throw err;
    }
    return true;
  }
  return false;
}

export const inclusiveGateway: Behaviour & { fireSettledJoins: typeof fireSettledJoins } = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    if (node.incoming.length > 1) {
      token.rest = 'join';
      return;
    }
    exec.history('element.completed', node);
    split(exec, token, node);
  },
  fireSettledJoins,
};
