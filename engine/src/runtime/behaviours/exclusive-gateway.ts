/** Exclusive gateways: merge freely; split along the first flow whose condition holds, else the default. */
import { IncidentSignal } from '../incident.js';
import type { Behaviour } from './behaviour.js';

export const exclusiveGateway: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    let chosen = -1;
    for (const f of node.outgoing) {
      if (f === node.defaultFlow) continue;
      const condition = exec.plan.flows[f]!.condition;
      if (!condition || exec.evaluateBoolean(condition, token.scope)) {
        chosen = f;
        break;
      }
    }
    if (chosen < 0) chosen = node.defaultFlow;
    if (chosen < 0)
      throw new IncidentSignal('gateway.noPath', 'no outgoing condition holds and there is no default flow');
    exec.history('element.completed', node);
    exec.take(token, chosen);
  },
};
