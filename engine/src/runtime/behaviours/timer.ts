/** Timer waits for catch events and boundaries: date, duration or cycle. */
import type { PlanNode } from '../../model/plan.js';
import type { Execution } from '../execution.js';
import { IncidentSignal } from '../incident.js';
import type { Token, Wait } from '../state.js';
import { addDuration, parseCycle, parseDate } from '../timers.js';

function due(
  exec: Execution,
  token: Token,
  node: PlanNode,
): { dueAt: number; repeat?: number; every?: string } {
  if (node.event.kind !== 'timer') throw new IncidentSignal('timer.missing', 'no timer definition');
  const timer = node.event.timer;
  const raw = exec.evaluate(timer.expr, token.scope);
  const value = String(raw);
  if (timer.kind === 'date') {
    const at = parseDate(value);
    if (at === null) throw new IncidentSignal('timer.invalid', `"${value}" is not an ISO 8601 date-time`);
    return { dueAt: at };
  }
  if (timer.kind === 'duration') {
    try {
      return { dueAt: addDuration(exec.now, value) };
    } catch {
      throw new IncidentSignal('timer.invalid', `"${value}" is not an ISO 8601 duration`);
    }
  }
  const cycle = parseCycle(value);
  if (!cycle) throw new IncidentSignal('timer.invalid', `"${value}" is not an ISO 8601 repeating interval`);
  const first =
    cycle.start !== null && cycle.start > exec.now ? cycle.start : addDuration(exec.now, cycle.duration);
  return { dueAt: first, repeat: cycle.repetitions, every: cycle.duration };
}

export function schedule(exec: Execution, token: Token, node: PlanNode, group?: string): Wait {
  const wait = exec.openWait({ kind: 'timer', token: token.id, node: node.index, ...due(exec, token, node) });
  if (group) wait.group = group;
  exec.effects.push({ type: 'timer.scheduled', timerId: wait.id, dueAt: wait.dueAt!, elementId: node.id });
  return wait;
}

/** After a cycle timer fires: true when it was scheduled again. */
export function reschedule(exec: Execution, wait: Wait): boolean {
  if (wait.repeat === undefined || !wait.every) return false;
  const remaining = wait.repeat < 0 ? -1 : wait.repeat - 1;
  if (remaining === 0) return false;
  const next: Wait = { ...wait, repeat: remaining, dueAt: addDuration(wait.dueAt!, wait.every) };
  exec.replaceWait(next);
  const node = exec.plan.nodes[wait.node]!;
  exec.effects.push({ type: 'timer.scheduled', timerId: wait.id, dueAt: next.dueAt!, elementId: node.id });
  return true;
}

export const timer = { schedule, reschedule };
