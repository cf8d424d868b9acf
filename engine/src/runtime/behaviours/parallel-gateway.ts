/** Parallel gateways: fork along every outgoing flow; join once every incoming flow has delivered. */
import type { Behaviour } from './behaviour.js';
import { arrivalsByFlow, mergeArrivals } from './join.js';

export const parallelGateway: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    if (node.incoming.length > 1) {
      token.rest = 'join';
      const arrivals = arrivalsByFlow(exec, node, token.scope);
      if (arrivals.size < node.incoming.length) return;
      token = mergeArrivals(exec, arrivals, node);
    } else {
      exec.history('element.completed', node);
    }
    exec.takeAll(token, node.outgoing);
  },
};
