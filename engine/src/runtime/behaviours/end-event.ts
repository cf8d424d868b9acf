/** End events: none, terminate, error, escalation and message. */
import type { Behaviour } from './behaviour.js';
import { publishMessage } from './message.js';

export const endEvent: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    const event = node.event;
    if (event.kind === 'error' && !exec.errorHandled(event.code ?? '', null, token.scope)) {
      // Uncaught: the token stays on the end event as an incident (thrown before it completes).
      exec.throwError(event.code ?? '', null, token.scope, node);
    }
    // Completed before its effect, so the history reads in causal order (throw, then catch).
    exec.history('element.completed', node);
    exec.removeToken(token);
    switch (event.kind) {
      case 'terminate':
        exec.terminateScope(token.scope);
        break;
      case 'error':
        exec.throwError(event.code ?? '', null, token.scope, node);
        break;
      case 'escalation':
        exec.history('escalation.thrown', node, { escalationCode: event.code });
        exec.catchEvent('escalation', event.code, null, token.scope);
        break;
      case 'message':
        publishMessage(exec, token, node);
        break;
      default:
        break;
    }
  },
};
