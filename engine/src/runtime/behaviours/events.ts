/** Intermediate catch and throw events, and boundary events (which fire through Execution.triggerBoundary). */
import type { Behaviour } from './behaviour.js';
import { publishMessage, subscribe } from './message.js';
import { schedule } from './timer.js';

export const intermediateCatchEvent: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    token.rest = 'wait';
    if (node.event.kind === 'timer') schedule(exec, token, node);
    else subscribe(exec, token, node);
  },
};

export const intermediateThrowEvent: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    if (node.event.kind === 'message') publishMessage(exec, token, node);
    if (node.event.kind === 'escalation') {
      // Completed before the boundary fires, so the history reads throw → catch.
      exec.history('element.completed', node);
      exec.history('escalation.thrown', node, { escalationCode: node.event.code });
      exec.catchEvent('escalation', node.event.code, null, token.scope);
      if (exec.s.tokens[token.id]) exec.leave(token, true); // unless an interrupting boundary took the scope away
      return;
    }
    exec.leave(token);
  },
};

export const boundaryEvent: Behaviour = {
  enter(exec, token) {
    exec.leave(token);
  },
};
