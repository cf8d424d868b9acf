/** Join bookkeeping shared by parallel and inclusive gateways: arrivals are tokens resting at the join. */
import type { PlanNode } from '../../model/plan.js';
import type { Execution } from '../execution.js';
import type { Token } from '../state.js';

/** Tokens resting at `node` in `scope`, at most one per incoming flow (the earliest first). */
export function arrivalsByFlow(exec: Execution, node: PlanNode, scope: string): Map<number, Token> {
  const byFlow = new Map<number, Token>();
  const tokens = exec.s.tokens; // a local: see fireSettledJoins
  for (const id in tokens) {
    const t = tokens[id]!;
    if (
      t.node === node.index &&
      t.scope === scope &&
      t.rest === 'join' &&
      t.via !== undefined &&
      !byFlow.has(t.via)
    ) {
      byFlow.set(t.via, t);
    }
  }
  return byFlow;
}

/**
 * Consumes one arrival per flow and returns the token that carries on. The survivor keeps the flow
 * it came by until it moves on: should the gateway's split fail (an incident), resolving enters the
 * gateway again and the join must count it as an arrival.
 */
export function mergeArrivals(exec: Execution, arrivals: Map<number, Token>, node: PlanNode): Token {
  const tokens = [...arrivals.values()];
  const survivor = exec.own(tokens[0]!);
  for (let i = 1; i < tokens.length; i++) exec.removeToken(tokens[i]!);
  if (survivor.rest !== undefined) delete survivor.rest;
  exec.history('element.completed', node, { joined: tokens.length });
  return survivor;
}
