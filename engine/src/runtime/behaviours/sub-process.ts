/** Embedded sub-processes: a child scope; the sub-process completes when the scope empties. */
import type { Behaviour } from './behaviour.js';

export const subProcess: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    token.rest = 'scope';
    const scope = exec.openScope('sub', node.index, token.scope, token.id);
    for (const start of node.starts) exec.activate(exec.newToken(start, scope.id));
    exec.attachBoundaries(token, node);
  },
};
