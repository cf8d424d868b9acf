/** Business rule tasks: a FEEL expression (no scripts) whose value lands in a variable. */
import type { Behaviour } from './behaviour.js';

export const businessRuleTask: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    const value = exec.evaluate(node.expression!, token.scope);
    exec.setVariables(token.scope, { [node.resultVariable!]: value });
    exec.leave(token);
  },
};
