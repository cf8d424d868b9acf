/** Instance records, tasks and effects built by hand for store tests (the contract, SQLite's own). */
import type { HistoryEntry, Task } from '../../engine/src/api.js';
import type { Effect, InstanceState } from '../../engine/src/runtime/state.js';
import type { InstanceRecord } from '../../engine/src/store/port.js';

export const T0 = Date.UTC(2026, 0, 5, 9);

export function state(
  id: string,
  vars: Record<string, unknown> = {},
  extra: Partial<InstanceState> = {},
): InstanceState {
  return {
    id,
    processId: 'p',
    deploymentId: 'd1',
    version: 1,
    status: 'active',
    tokens: { [`${id}.t1`]: { id: `${id}.t1`, node: 1, scope: 'root', rest: 'wait' } },
    scopes: { root: { id: 'root', node: -1, parent: null, token: null, kind: 'process', vars } },
    waits: {},
    tasks: {},
    jobs: {},
    seq: 1,
    startedAt: T0,
    ...extra,
  };
}

export function record(
  id: string,
  rev = 1,
  outbox: Effect[] = [],
  over: Partial<InstanceRecord> = {},
): InstanceRecord {
  const s = over.state ?? state(id);
  return {
    id,
    processId: s.processId,
    version: s.version,
    deploymentId: s.deploymentId,
    status: s.status,
    rev,
    state: s,
    startedAt: T0,
    updatedAt: T0,
    outbox,
    ...over,
  };
}

export function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id,
    instanceId: 'i1',
    processId: 'p',
    elementId: 'review',
    state: 'open',
    candidateRoles: [],
    createdAt: T0,
    ...over,
  };
}

export const created = (t: Task): Effect => ({ type: 'task.created', task: t });
export const ended = (taskId: string, at = T0 + 1): Effect => ({
  type: 'task.ended',
  taskId,
  state: 'completed',
  at,
});

export function hist(
  instanceId: string,
  seq: number,
  type = 'element.entered',
  data?: Record<string, unknown>,
): Effect {
  const entry: HistoryEntry = {
    id: `${instanceId}:${seq}`,
    instanceId,
    seq,
    at: T0 + seq,
    type,
    elementId: `e${seq}`,
  };
  if (data) entry.data = data;
  return { type: 'history', entry };
}
