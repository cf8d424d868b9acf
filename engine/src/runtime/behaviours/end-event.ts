/** End events: none, terminate, error, escalation and message. */
import type { Behaviour } from './behaviour.js';
import { publishMessage } from './message.js';

export const endEvent: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    const event = node.event;
    switch (event.kind) {
      case 'terminate':
        exec.terminateScope(token.scope);
        break;
      case 'error':
        // Thrown before the token is consumed: an uncaught error parks this token in an incident.
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
    exec.history('element.completed', node);
    exec.removeToken(token);
  },
};
