/**
 * step(plan, state, command, now) → { state, effects }: the whole engine semantics as a pure
 * function. No I/O, no clock, no randomness: ids come from the command and the instance's own
 * counter, time from `now`. The caller's state is never modified.
 */
import type { Plan } from '../model/plan.js';
import { Execution } from './execution.js';
import {
  IncidentSignal,
  type OpenIncident,
  clearIncident,
  openIncidents,
  upgradeIncidents,
} from './incident.js';
import { CommandError } from './errors.js';
import { returnFromCall } from './behaviours/call-activity.js';
import { reschedule } from './behaviours/timer.js';
import {
  type Command,
  type InstanceState,
  type StepResult,
  type Token,
  type Wait,
  ROOT_SCOPE,
  byPublicId,
  waitKey,
  workingCopy,
} from './state.js';

export { CommandError } from './errors.js';

export function step(plan: Plan, state: InstanceState | null, command: Command, now: number): StepResult {
  if (command.type === 'start') return start(plan, command, now);
  if (!state) throw new CommandError('notFound', 'no instance to apply the command to');
  if (state.status === 'completed' || state.status === 'terminated') {
    throw new CommandError('instanceEnded', `instance ${state.id} has already ended (${state.status})`);
  }
  const exec = new Execution(plan, upgradeIncidents(workingCopy(state)), now, true);
  apply(exec, command);
  exec.run();
  return { state: exec.state, effects: exec.effects };
}

function start(plan: Plan, command: Extract<Command, { type: 'start' }>, now: number): StepResult {
  const startNode = command.startNode ?? plan.starts[0];
  if (startNode === undefined)
    throw new CommandError('invalid', `process ${plan.processId} has no none start event`);
  // Read once, so V8 flattens the id now: randomUUID builds it piece by piece, a rope of a dozen
  // parts, and every id made from it (each wait's, flattened in openWait) walked that rope again.
  command.instanceId.charCodeAt(0);
  const s: InstanceState = {
    id: command.instanceId,
    processId: plan.processId,
    deploymentId: plan.deploymentId,
    version: plan.version,
    status: 'active',
    tokens: {},
    scopes: {
      [ROOT_SCOPE]: { id: ROOT_SCOPE, node: -1, parent: null, token: null, kind: 'process', vars: {} },
    },
    waits: {},
    tasks: {},
    jobs: {},
    seq: 0,
    startedAt: now,
  };
  if (command.businessKey !== undefined) s.businessKey = command.businessKey;
  if (command.parent) s.parent = command.parent;
  const exec = new Execution(plan, s, now);
  exec.setVariables(ROOT_SCOPE, command.variables);
  exec.history('instance.started', undefined, { processId: plan.processId, version: plan.version });
  exec.activate(exec.newToken(startNode, ROOT_SCOPE));
  exec.run();
  return { state: exec.state, effects: exec.effects };
}

/** The open wait a command names, its token, and its key in the waits (see waitKey). */
function waitOf(
  exec: Execution,
  waitId: string,
  kinds: Wait['kind'][],
): { wait: Wait; token: Token; key: string } {
  const key = waitKey(waitId);
  const wait = byPublicId(exec.s.waits, waitId, key);
  if (!wait || !kinds.includes(wait.kind)) {
    throw new CommandError('notFound', `${kinds.join('/')} ${waitId} is not open in instance ${exec.s.id}`);
  }
  return { wait, token: exec.s.tokens[wait.token]!, key };
}

/** Runs `fn`; a FEEL or model failure parks `token` in an incident instead of escaping. */
function guarded(exec: Execution, token: Token, phase: 'enter' | 'leave', fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof IncidentSignal)) throw err;
    if (exec.s.tokens[token.id]) exec.raiseIncident(token, err, phase);
    else throw new CommandError('invalid', err.message);
  }
}

function apply(exec: Execution, command: Exclude<Command, { type: 'start' }>): void {
  switch (command.type) {
    case 'completeTask':
    case 'completeJob': {
      const { wait, token, key } = waitOf(exec, command.waitId, [
        command.type === 'completeTask' ? 'task' : 'job',
      ]);
      const data = command.type === 'completeTask' && command.actor ? { actor: command.actor } : undefined;
      exec.history(
        command.type === 'completeTask' ? 'task.completed' : 'job.completed',
        exec.plan.nodes[wait.node],
        data,
      );
      exec.closeWait(wait, 'completed', key);
      exec.setVariables(token.scope, command.variables);
      guarded(exec, token, 'leave', () => exec.leave(token));
      return;
    }
    case 'throwError': {
      const { wait, token, key } = waitOf(exec, command.waitId, ['task', 'job']);
      exec.closeWait(wait, 'completed', key);
      exec.setVariables(token.scope, command.variables);
      const node = exec.plan.nodes[token.node]!;
      guarded(exec, token, 'enter', () => exec.throwError(command.errorCode, token, token.scope, node));
      return;
    }
    case 'failJob': {
      // The failed job is closed (and leaves the jobs projection): resolving enters the task again
      // with a fresh job, so a late answer to this one can no longer move the instance on.
      const { wait, token, key } = waitOf(exec, command.waitId, ['job']);
      exec.closeWait(wait, 'cancelled', key);
      exec.raiseIncident(token, new IncidentSignal('job.failed', command.message), 'enter', wait.id);
      return;
    }
    case 'callFailed': {
      // As failJob: resolving (once the called process can start) enters the call activity again.
      const { wait, token, key } = waitOf(exec, command.waitId, ['call']);
      exec.closeWait(wait, 'cancelled', key);
      exec.raiseIncident(token, new IncidentSignal('call.failed', command.message), 'enter');
      return;
    }
    case 'fireTimer': {
      const { wait, token } = waitOf(exec, command.waitId, ['timer']);
      if (command.dueAt !== undefined && wait.dueAt !== command.dueAt) {
        throw new CommandError(
          'notFound',
          `timer ${command.waitId} is no longer due at ${new Date(command.dueAt).toISOString()} ` +
            `(it fired meanwhile and is due next at ${new Date(wait.dueAt!).toISOString()})`,
        );
      }
      fireEvent(exec, wait, token, undefined);
      return;
    }
    case 'deliverMessage': {
      const { wait, token } = waitOf(exec, command.waitId, ['message']);
      fireEvent(exec, wait, token, command.variables);
      return;
    }
    case 'childEnded': {
      const { wait, token, key } = waitOf(exec, command.waitId, ['call']);
      const node = exec.plan.nodes[token.node]!;
      exec.closeWait(wait, 'completed', key);
      if (command.status === 'completed') {
        guarded(exec, token, 'leave', () => returnFromCall(exec, token, node, command.variables));
      } else if (command.errorCode !== undefined) {
        guarded(exec, token, 'enter', () => exec.throwError(command.errorCode!, token, token.scope, node));
      } else {
        exec.raiseIncident(
          token,
          new IncidentSignal('call.ended', `the called instance ended as ${command.status}`),
        );
      }
      return;
    }
    case 'childEscalated': {
      // An escalation the called instance did not catch is raised on its call activity.
      const { token } = waitOf(exec, command.waitId, ['call']);
      const node = exec.plan.nodes[token.node]!;
      exec.history('escalation.received', node, { escalationCode: command.escalationCode });
      guarded(exec, token, 'enter', () =>
        exec.catchEvent('escalation', command.escalationCode, token, token.scope),
      );
      return;
    }
    case 'resolveIncident': {
      const open = openIncidents(exec.s);
      const { incidentId } = command;
      const chosen = incidentId === undefined ? open : open.filter((i) => i.id === incidentId);
      if (incidentId !== undefined && chosen.length === 0) {
        throw new CommandError('notFound', `incident ${incidentId} is not open in instance ${exec.s.id}`);
      }
      if (chosen.length === 0) throw new CommandError('invalid', `instance ${exec.s.id} has no incident`);
      for (const incident of chosen) retry(exec, incident, command.variables);
      return;
    }
    case 'cancel':
      exec.endInstance('terminated');
      return;
  }
}

/** Resolves one incident: its token re-enters the element, or tries again to leave it. */
function retry(
  exec: Execution,
  incident: OpenIncident,
  variables: Record<string, unknown> | undefined,
): void {
  const token = exec.s.tokens[incident.token];
  if (!token || exec.ended()) return; // an earlier retry of the same command ended it
  exec.setVariables(token.scope, variables);
  clearIncident(exec, token.id);
  exec.history('incident.resolved', exec.plan.nodes[token.node], { incidentId: incident.id });
  if (incident.phase === 'leave') {
    guarded(exec, token, 'leave', () => exec.leave(token));
    return;
  }
  if (incident.phase === 'settle') {
    // Waits on its scopes again: the step's run counts the finished instance left for it.
    exec.own(token).rest = 'scope';
    return;
  }
  // Entering opens the element's own waits afresh; records saved before failJob closed its job
  // still hold the failed one, and those saved before a failed entry was unwound its scopes.
  // Boundary events keep theirs (attachBoundaries skips open ones).
  exec.unwind(token);
  exec.activate(token);
}

/** A timer or message wait fired: a catch event moves on, a boundary fires on its host. */
function fireEvent(
  exec: Execution,
  wait: Wait,
  token: Token,
  variables: Record<string, unknown> | undefined,
): void {
  const node = exec.plan.nodes[wait.node]!;
  exec.history(wait.kind === 'timer' ? 'timer.fired' : 'message.received', node);
  if (node.kind === 'boundaryEvent') {
    exec.setVariables(token.scope, variables);
    const keepsWaiting = !node.cancelActivity && (wait.kind === 'message' || reschedule(exec, wait));
    if (!keepsWaiting) exec.closeWait(wait, 'completed');
    guarded(exec, token, 'enter', () => exec.triggerBoundary(token, node));
    return;
  }
  exec.closeWait(wait, 'completed');
  if (wait.group) {
    // Event-based gateway: the others lose; the token moves onto the winning event.
    const gateway = exec.plan.nodes[token.node]!;
    exec.closeWaitsOf(token);
    exec.history('element.completed', gateway);
    token = exec.own(token);
    token.node = node.index;
    delete token.rest;
    exec.history('element.entered', node);
  }
  exec.setVariables(token.scope, variables);
  guarded(exec, token, 'leave', () => exec.leave(token));
}
