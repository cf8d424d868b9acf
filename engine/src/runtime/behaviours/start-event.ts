/** Start events: the token is placed on them when an instance or sub-process starts. */
import type { Behaviour } from './behaviour.js';

export const startEvent: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    exec.leave(token);
  },
};
