/** Receive tasks wait for a correlated message. */
import type { Behaviour } from './behaviour.js';
import { subscribe } from './message.js';

export const receiveTask: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    subscribe(exec, token, node);
    token.rest = 'wait';
    exec.attachBoundaries(token, node);
  },
};
