/**
 * Multi-instance activities. The activity's token waits on a body scope; each instance runs in
 * an inner scope holding loopCounter, the element variable and the output element variable, so
 * instances never overwrite each other. Parallel instances start together, sequential ones one by
 * one. The completion condition can end the body early, cancelling the rest.
 */
import type { CompiledExpression } from '../../expressions/feel.js';
import type { PlanNode } from '../../model/plan.js';
import type { Execution } from '../execution.js';
import { IncidentSignal } from '../incident.js';
import type { Scope, Token } from '../state.js';

const SIMPLE_NAME = /^=?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;

function itemsOf(exec: Execution, token: Token, node: PlanNode): { total: number; items: unknown[] | null } {
  const mi = node.multiInstance!;
  if (mi.collection) {
    const value = exec.evaluate(mi.collection, token.scope);
    if (!Array.isArray(value)) {
      throw new IncidentSignal(
        'multiInstance.collection',
        `${mi.collection.source} is ${JSON.stringify(value)}, not a list`,
      );
    }
    return { total: value.length, items: value };
  }
  const n = exec.evaluate(mi.cardinality!, token.scope);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new IncidentSignal(
      'multiInstance.cardinality',
      `loop cardinality ${JSON.stringify(n)} is not a whole number ≥ 0`,
    );
  }
  return { total: n, items: null };
}

function startInstance(exec: Execution, body: Scope, node: PlanNode): void {
  const mi = node.multiInstance!;
  const state = body.mi!;
  const index = state.started++;
  const vars: Record<string, unknown> = { loopCounter: index + 1 };
  if (mi.elementVariable) vars[mi.elementVariable] = state.items ? state.items[index] : null;
  const outputName = mi.outputElement ? SIMPLE_NAME.exec(mi.outputElement.source)?.[1] : undefined;
  if (outputName && !(outputName in vars)) vars[outputName] = null;
  const inner = exec.openScope('inner', node.index, body.id, null, vars);
  inner.loopIndex = index;
  exec.activate(exec.newToken(node.index, inner.id, true));
}

function enter(exec: Execution, token: Token, node: PlanNode): void {
  exec.history('element.entered', node, { multiInstance: true });
  const { total, items } = itemsOf(exec, token, node);
  token.rest = 'scope';
  const body = exec.openScope('mi', node.index, token.scope, token.id);
  body.mi = { total, started: 0, completed: 0, items, outputs: new Array(total).fill(null), done: false };
  exec.attachBoundaries(token, node);
  const first = node.multiInstance!.sequential ? Math.min(1, total) : total;
  for (let i = 0; i < first; i++) startInstance(exec, body, node);
}

/**
 * One inner instance finished (its scope is already gone). Its output and the completion condition
 * are evaluated before anything changes: when one fails (an incident), the instance is counted
 * again, once, on resolving.
 */
function innerDone(exec: Execution, inner: Scope): void {
  const current = exec.s.scopes[inner.parent!]!;
  if (current.mi!.done) return;
  const node = exec.plan.nodes[current.node]!;
  const mi = node.multiInstance!;
  const completed = current.mi!.completed + 1;
  const output = mi.outputElement ? exec.evaluate(mi.outputElement, current.id, inner.vars) : undefined;
  const met =
    !!mi.completionCondition &&
    completionConditionHolds(exec, current, inner, mi.completionCondition, completed);
  const body = exec.ownScope(current);
  const state = body.mi!;
  state.completed = completed;
  if (mi.outputElement) state.outputs[inner.loopIndex!] = output;
  if (met) {
    state.done = true;
    // Cancelling replaces the scopes record (copy-on-write) and takes each inner instance's own
    // scopes with it, so the loop reads the record as it is now and skips ids already gone.
    for (const id of Object.keys(exec.s.scopes)) {
      const other = exec.s.scopes[id];
      if (other?.parent === body.id && other.kind === 'inner') exec.cancelScope(other);
    }
    exec.history('multiInstance.completionConditionMet', node, { completed: state.completed });
    return;
  }
  if (mi.sequential && state.started < state.total) startInstance(exec, body, node);
}

/** `completed`: the instances finished, this one included. */
function completionConditionHolds(
  exec: Execution,
  body: Scope,
  inner: Scope,
  condition: CompiledExpression,
  completed: number,
): boolean {
  const state = body.mi!;
  const counters = {
    ...inner.vars,
    numberOfInstances: state.total,
    numberOfCompletedInstances: completed,
    numberOfActiveInstances: state.started - completed,
  };
  return exec.evaluateBoolean(condition, body.id, counters);
}

/** Every instance finished or the condition ended the body: publish outputs and move on. */
function bodyDone(exec: Execution, body: Scope): void {
  const node = exec.plan.nodes[body.node]!;
  const token = exec.s.tokens[body.token!]!;
  const out = node.multiInstance!.outputCollection;
  if (out) exec.setVariables(token.scope, { [out]: body.mi!.outputs });
  exec.leave(token);
}

export const multiInstance = { enter, innerDone, bodyDone };
