/** Event-based gateways: wait on every following catch event; the first to fire wins, the rest are cancelled. */
import type { Behaviour } from './behaviour.js';
import { subscribe } from './message.js';
import { schedule } from './timer.js';

export const eventBasedGateway: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    token.rest = 'event';
    for (const f of node.outgoing) {
      const target = exec.plan.nodes[exec.plan.flows[f]!.target]!;
      if (target.event.kind === 'timer') schedule(exec, token, target, token.id);
      else subscribe(exec, token, target, token.id);
    }
  },
};
