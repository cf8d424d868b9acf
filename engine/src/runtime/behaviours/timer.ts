/** Timer waits for catch events and boundaries: date, duration or cycle. */
import type { PlanNode } from '../../model/plan.js';
import type { Execution } from '../execution.js';
import { IncidentSignal } from '../incident.js';
import type { Token, Wait } from '../state.js';
import {
  addDuration,
  durationProblem,
  firstOccurrence,
  parseCycle,
  parseDate,
  timerValueProblem,
} from '../timers.js';

/** When the timer is due (with a cycle's repetitions left and period); null: never again. */
function due(
  exec: Execution,
  token: Token,
  node: PlanNode,
  group: string | undefined,
): { dueAt: number; repeat?: number; every?: string } | null {
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
    // A negative duration (`-PT1H`, from FEEL) is refused as at deployment. Only a value not
    // starting with P can be one: the common ones are not parsed twice.
    const problem = value.charCodeAt(0) === 80 /* P */ ? null : durationProblem(value);
    if (problem) throw new IncidentSignal('timer.invalid', problem);
    try {
      return { dueAt: addDuration(exec.now, value) };
    } catch {
      throw new IncidentSignal('timer.invalid', `"${value}" is not an ISO 8601 duration`);
    }
  }
  const cycle = parseCycle(value);
  if (!cycle) throw new IncidentSignal('timer.invalid', timerValueProblem('cycle', value) ?? value);
  let first: ReturnType<typeof firstOccurrence>;
  try {
    first = firstOccurrence(cycle, exec.now);
  } catch {
    throw new IncidentSignal('timer.invalid', `"${value}" has no occurrence within the range of dates`);
  }
  if (first) return { dueAt: first.dueAt, repeat: first.repetitions, every: cycle.duration };
  // Every repetition is past. A boundary or an event-based gateway's branch never fires; a catch
  // event alone would wait for ever.
  if (node.attachedTo < 0 && group === undefined)
    throw new IncidentSignal('timer.invalid', `every occurrence of "${value}" is past`);
  return null;
}

/** Opens the timer's wait and schedules it; opens none for a cycle whose occurrences are all past. */
export function schedule(exec: Execution, token: Token, node: PlanNode, group?: string): Wait | null {
  const when = due(exec, token, node, group);
  if (!when) return null;
  const wait = exec.openWait({ kind: 'timer', token: token.id, node: node.index, ...when });
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
