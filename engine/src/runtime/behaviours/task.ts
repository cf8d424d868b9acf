/** Abstract and manual tasks: documented steps that need nothing from the engine. */
import type { Behaviour } from './behaviour.js';

export const passThrough: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    exec.leave(token);
  },
};
