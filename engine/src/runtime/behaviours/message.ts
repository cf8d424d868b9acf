/** Message subscriptions (catch events, receive tasks, boundaries) and publications (throw events). */
import type { PlanNode } from '../../model/plan.js';
import type { Execution } from '../execution.js';
import type { Token, Wait } from '../state.js';

/** The correlation key of a subscription: gov:correlationKey if set, else the business key. */
function correlationKeyOf(exec: Execution, token: Token, node: PlanNode): string | null {
  if (node.event.kind !== 'message') return null;
  if (!node.event.correlationKey) return exec.s.businessKey ?? null;
  const value = exec.evaluate(node.event.correlationKey, token.scope, {
    businessKey: exec.s.businessKey ?? null,
  });
  return value === null || value === undefined ? null : String(value);
}

export function subscribe(exec: Execution, token: Token, node: PlanNode, group?: string): Wait {
  const messageName = node.event.kind === 'message' ? node.event.messageName : '';
  const correlationKey = correlationKeyOf(exec, token, node);
  const wait = exec.openWait({
    kind: 'message',
    token: token.id,
    node: node.index,
    messageName,
    correlationKey,
  });
  if (group) wait.group = group;
  exec.effects.push({ type: 'message.subscribed', subscriptionId: wait.id, messageName, correlationKey });
  return wait;
}

export function publishMessage(exec: Execution, token: Token, node: PlanNode): void {
  if (node.event.kind !== 'message') return;
  exec.effects.push({
    type: 'message.published',
    messageName: node.event.messageName,
    correlationKey: correlationKeyOf(exec, token, node),
    variables: { ...exec.context(token.scope) },
  });
  exec.history('message.published', node, { messageName: node.event.messageName });
}

export const message = { subscribe, publish: publishMessage };
