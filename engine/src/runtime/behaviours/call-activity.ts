/**
 * Call activities start an instance of another process and wait for it to end.
 * Without input mappings the child sees every variable; without output mappings every child
 * variable comes back.
 */
import type { Variables } from '../../api.js';
import type { PlanNode } from '../../model/plan.js';
import type { Execution } from '../execution.js';
import type { Effect, Token } from '../state.js';
import type { Behaviour } from './behaviour.js';

export const callActivity: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    let variables: Variables;
    if (node.inputs.length) {
      variables = {};
      for (const m of node.inputs) variables[m.target] = exec.evaluate(m.source, token.scope);
    } else {
      variables = { ...exec.context(token.scope) };
    }
    const wait = exec.openWait({ kind: 'call', token: token.id, node: node.index });
    token.rest = 'wait';
    const effect: Extract<Effect, { type: 'call.started' }> = {
      type: 'call.started',
      waitId: wait.id,
      processId: node.calledElement!,
      deploymentId: exec.s.deploymentId,
      variables,
    };
    if (exec.s.businessKey !== undefined) effect.businessKey = exec.s.businessKey;
    exec.effects.push(effect);
    exec.attachBoundaries(token, node);
  },
};

/** The called instance completed: map its variables back and move on. */
export function returnFromCall(
  exec: Execution,
  token: Token,
  node: PlanNode,
  childVariables: Variables,
): void {
  if (node.outputs.length) {
    const values: Variables = {};
    for (const m of node.outputs) values[m.target] = exec.evaluate(m.source, token.scope, childVariables);
    exec.setVariables(token.scope, values);
  } else {
    exec.setVariables(token.scope, childVariables);
  }
  exec.leave(token);
}
