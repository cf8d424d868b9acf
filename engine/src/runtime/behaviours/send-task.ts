/** Send tasks publish their message and move on. */
import type { Behaviour } from './behaviour.js';
import { publishMessage } from './message.js';

export const sendTask: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    publishMessage(exec, token, node);
    exec.leave(token);
  },
};
