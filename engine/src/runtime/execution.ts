/**
 * One step's working copy of an instance and the primitives behaviours use: move tokens,
 * open and close waits, enter and leave scopes, throw errors and escalations, record history.
 * Nothing here does I/O; the world learns what happened from the effects.
 */
import type { HistoryEntry, Variables } from '../api.js';
import type { CompiledExpression } from '../expressions/feel.js';
import { feelErrorShown, valueKind } from '../expressions/shown.js';
import type { Plan, PlanNode } from '../model/plan.js';
import { BEHAVIOURS } from './behaviours/index.js';
import { IncidentSignal, clearIncident, raiseIncident, type IncidentPhase } from './incident.js';
import { CommandError } from './errors.js';
import type { Job, Task } from '../api.js';
import {
  type Effect,
  type InstanceState,
  type Scope,
  type Token,
  type Wait,
  ROOT_SCOPE,
  copyLocalRecord,
  copyScope,
  copyWithout,
  copyToken,
  waitKey,
} from './state.js';
import { jsonCopy } from '../copy.js';
import { localId } from './local-ids.js';

/** Guards against models that loop without waiting (a cycle of gateways). */
const MAX_ACTIVATIONS_PER_STEP = 100_000;

/** The records a step shares with its input until it first writes them (one bit each). */
const OWN_BIT = { tokens: 1, waits: 2, tasks: 4, jobs: 8, scopes: 16 } as const;
const ALL_OWN = 31;

/** Whether a value is a primitive (compared by Object.is; an object is always copied in anew). */
function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** A variable's value as the stores keep it (jsonCopy); one JSON cannot hold is refused, naming it. */
function storable(name: string, value: unknown): unknown {
  // Most variables are text, a flag or a number (a decision, a note): as they are.
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  try {
    return jsonCopy(value);
  } catch (err) {
    throw new CommandError('invalid', `variable ${name} cannot be stored as JSON: ${(err as Error).message}`);
  }
}

/** Up to this many busy scopes, completeEmptyScopes looks them up in a list rather than a Set. */
const MAX_LISTED_BUSY = 16;

/** Removals per step done by copying the record without the key; `delete` after that (see remove). */
const MAX_COPYING_REMOVALS = 16;

/**
 * The state as a step sees it: tokens, scopes, waits, tasks and jobs may still be the step's
 * input, so they are written only through Execution's methods (which copy them first; a scope is
 * changed only as returned by ownScope).
 */
export type StepState = Omit<InstanceState, 'tokens' | 'scopes' | 'waits' | 'tasks' | 'jobs'> & {
  readonly tokens: Readonly<Record<string, Token>>;
  readonly scopes: Readonly<Record<string, Scope>>;
  readonly waits: Readonly<Record<string, Wait>>;
  readonly tasks: Readonly<Record<string, Task>>;
  readonly jobs: Readonly<Record<string, Job>>;
};

export class Execution {
  readonly effects: Effect[] = [];
  private readonly queue: Token[] = [];
  private activations = 0;
  /** Removals from records this step owns already (see remove). */
  private removals = 0;
  private prefix: string | undefined;
  /** Which of tokens, waits, tasks and jobs are this step's own (bits above); the rest are the input's. */
  private owned: number;
  /** The public id and key of the wait opened last, for its task or job (see keyOf). */
  private opened = '';
  private openedKey = '';
  /** The input's tokens while shared: a token found there is copied before it changes (own). */
  private readonly inputTokens: Readonly<Record<string, Token>> | null;
  /** The input's scopes, likewise (ownScope). */
  private readonly inputScopes: Readonly<Record<string, Scope>> | null;

  /** The instance as this step changes it (the same object as `state`). */
  readonly s: StepState;

  /**
   * `shared`: `state` is a workingCopy whose tokens, waits, tasks and jobs are still the step's
   * input; they are copied on first write (copy-on-write), so the input is never changed. Those
   * records are written only through the methods below (newToken, own, openWait, addTask…).
   */
  constructor(
    readonly plan: Plan,
    /** The same object as `s`, typed for the copy-on-write methods below and the step's result. */
    readonly state: InstanceState,
    readonly now: number,
    shared = false,
  ) {
    this.s = state;
    this.owned = shared ? 0 : ALL_OWN;
    this.inputTokens = shared ? state.tokens : null;
    this.inputScopes = shared ? state.scopes : null;
  }

  // ── copy-on-write ─────────────────────────────────────────────────────────────────────

  /** One of tokens, scopes, waits, tasks and jobs, writable: copied from the step's input on the first write. */
  private toWrite<K extends keyof typeof OWN_BIT>(key: K): InstanceState[K] {
    const bit = OWN_BIT[key];
    if (!(this.owned & bit)) {
      this.state[key] = copyLocalRecord(this.state[key] as Record<string, unknown>) as InstanceState[K];
      this.owned |= bit;
    }
    return this.state[key];
  }

  /**
   * The token to change: a token of the step's input is copied (once) into this step's tokens.
   * Callers carry on with the token returned; for one created or copied in this step, that is the
   * token itself.
   */
  own(token: Token): Token {
    if (this.inputTokens?.[token.id] !== token) return token;
    const tokens = this.toWrite('tokens');
    const current = tokens[token.id];
    if (current !== undefined && current !== token) return current; // copied already
    const copy = copyToken(token);
    if (current !== undefined) tokens[token.id] = copy; // a removed token's copy stays out
    return copy;
  }

  /** The scope to change (its variables, its multi-instance counters): as own, for scopes. */
  ownScope(scope: Scope): Scope {
    if (this.inputScopes?.[scope.id] !== scope) return scope;
    if (!(this.owned & OWN_BIT.scopes)) {
      this.state.scopes = copyLocalRecord(this.state.scopes);
      this.owned |= OWN_BIT.scopes;
    }
    const scopes = this.state.scopes;
    const current = scopes[scope.id];
    if (current !== undefined && current !== scope) return current; // copied already
    const copy = copyScope(scope);
    if (current !== undefined) scopes[scope.id] = copy; // a removed scope's copy stays out
    return copy;
  }

  // ── ids and history ───────────────────────────────────────────────────────────────────

  nextId(prefix = ''): string {
    this.s.seq += 1;
    return `${this.s.id}.${prefix}${this.s.seq}`;
  }

  /**
   * An id that never leaves the instance (tokens, scopes): unique within it, so it needs no
   * instance prefix. Short ids such as `t7` recur across instances, so V8 finds them already
   * internalised when they become record keys, where a fresh `<uuid>.t7` must be hashed and
   * added to the string table first.
   */
  private localId(prefix: string): string {
    this.s.seq += 1;
    return localId(prefix, this.s.seq);
  }

  history(type: string, node?: PlanNode, data?: Variables): void {
    this.record(type, node?.id, node?.kind, data);
  }

  private record(type: string, elementId?: string, elementType?: string, data?: Variables): void {
    const seq = (this.s.seq += 1);
    const id = this.historyPrefix() + seq;
    // Built whole, in the key order entries always had: properties added after a literal go to a
    // separate backing store, and the store keeps every entry of every instance.
    const instanceId = this.s.id;
    const at = this.now;
    let entry: HistoryEntry;
    if (elementId !== undefined && elementType !== undefined) {
      entry = data
        ? { id, instanceId, seq, at, type, elementId, elementType, data }
        : { id, instanceId, seq, at, type, elementId, elementType };
    } else if (elementId === undefined && elementType === undefined) {
      entry = data ? { id, instanceId, seq, at, type, data } : { id, instanceId, seq, at, type };
    } else {
      entry = { id, instanceId, seq, at, type };
      if (elementId !== undefined) entry.elementId = elementId;
      if (elementType !== undefined) entry.elementType = elementType;
      if (data) entry.data = data;
    }
    this.effects.push({ type: 'history', entry });
  }

  /** `<instance>:`, built once per step: each entry id is then one concatenation, not two. */
  private historyPrefix(): string {
    return (this.prefix ??= `${this.s.id}:`);
  }

  // ── variables ─────────────────────────────────────────────────────────────────────────

  /** Variables visible from a scope: its own over its parents'. */
  context(scopeId: string): Variables {
    const chain: Scope[] = [];
    for (let id: string | null = scopeId; id; id = this.s.scopes[id]?.parent ?? null)
      chain.push(this.s.scopes[id]!);
    if (chain.length === 1) return chain[0]!.vars;
    const merged: Variables = {};
    for (let i = chain.length - 1; i >= 0; i--) Object.assign(merged, chain[i]!.vars);
    return merged;
  }

  /** Each variable goes to the nearest scope that already holds it, else to the process scope. */
  setVariables(scopeId: string, variables: Variables | undefined): void {
    if (variables === undefined || variables === null) return;
    if (typeof variables !== 'object' || Array.isArray(variables)) {
      throw new CommandError('invalid', 'variables must be an object of names to values');
    }
    for (const key of Object.keys(variables)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
      let target = this.s.scopes[ROOT_SCOPE]!;
      let held = false;
      for (let id: string | null = scopeId; id; id = this.s.scopes[id]?.parent ?? null) {
        const scope = this.s.scopes[id]!;
        if (Object.prototype.hasOwnProperty.call(scope.vars, key)) {
          target = scope;
          held = true;
          break;
        }
      }
      const value = variables[key];
      // A variable set again to the value it holds (every reviewer of a multi-instance task
      // sending the same decision) leaves its scope as it is: no copy of the scope for nothing.
      if (held && isPrimitive(value) && Object.is(target.vars[key], value)) continue;
      // Values are copied in as a store keeps them (JSON): the caller keeps its objects, and a
      // Date or NaN reads the same before and after a restart. One JSON leaves out is not set.
      const copy = storable(key, value);
      if (copy !== undefined) this.ownScope(target).vars[key] = copy;
    }
  }

  evaluate(expr: CompiledExpression, scopeId: string, extra?: Variables): unknown {
    const base = this.context(scopeId);
    const result = expr.evaluate(extra ? { ...base, ...extra } : base);
    // Incidents are read by supervisors: a FEEL error loses the variables' values it quotes.
    if (!result.ok)
      throw new IncidentSignal('feel.error', `${expr.source}: ${feelErrorShown(result.message)}`);
    return result.value;
  }

  evaluateBoolean(expr: CompiledExpression, scopeId: string, extra?: Variables): boolean {
    const value = this.evaluate(expr, scopeId, extra);
    if (typeof value !== 'boolean') {
      throw new IncidentSignal(
        'feel.notBoolean',
        `${expr.source} gave ${valueKind(value)}, not true or false`,
      );
    }
    return value;
  }

  // ── tokens ────────────────────────────────────────────────────────────────────────────

  newToken(node: number, scope: string, inner = false): Token {
    const token: Token = { id: this.localId('t'), node, scope };
    if (inner) token.inner = true;
    this.toWrite('tokens')[token.id] = token;
    return token;
  }

  /**
   * Schedules a token to enter its node. A token entering again after an incident keeps the flow
   * it came by (`via`): a join counts it as an arrival, where without it the join waited for ever.
   */
  activate(token: Token): void {
    token = this.own(token);
    // Only when present: a `delete` is a runtime call even for a field the token does not have.
    if (token.rest !== undefined) delete token.rest;
    this.queue.push(token);
  }

  removeToken(token: Token): void {
    if (this.s.tokens[token.id]) this.remove('tokens', token.id);
  }

  /** Sends a token along one flow; the next node is entered on the agenda. */
  take(token: Token, flowIndex: number): void {
    const flow = this.plan.flows[flowIndex]!;
    this.record('flow.taken', flow.id, 'sequenceFlow');
    token = this.own(token);
    token.node = flow.target;
    // rest first: V8 deletes an object's last-added property in place, any other turns the token
    // into a slow dictionary-mode object (a waiting token got `rest` after its other fields).
    if (token.rest !== undefined) delete token.rest;
    token.via = flowIndex;
    this.queue.push(token);
  }

  /** Leaves a node through the given flows: the token itself takes the first, copies the rest. */
  takeAll(token: Token, flows: readonly number[]): void {
    if (flows.length === 0) {
      this.removeToken(token);
      return;
    }
    if (flows.length === 1) {
      this.take(token, flows[0]!);
      return;
    }
    // The copies are made (and numbered) first, then each goes its way in flow order.
    const copies: Token[] = [];
    for (let i = 1; i < flows.length; i++) copies.push(this.newToken(token.node, token.scope));
    this.take(token, flows[0]!);
    for (let i = 1; i < flows.length; i++) this.take(copies[i - 1]!, flows[i]!);
  }

  /** Flows an activity or event leaves by: unconditional ones, conditional ones that hold, else the default. */
  outgoingOf(token: Token, node: PlanNode): readonly number[] {
    // One unconditional flow: the plan's own list (callers only read it).
    if (node.outgoing.length === 1 && !this.plan.flows[node.outgoing[0]!]!.condition) return node.outgoing;
    const taken: number[] = [];
    for (const f of node.outgoing) {
      if (f === node.defaultFlow) continue;
      const flow = this.plan.flows[f]!;
      if (!flow.condition || this.evaluateBoolean(flow.condition, token.scope)) taken.push(f);
    }
    if (taken.length === 0 && node.defaultFlow >= 0) taken.push(node.defaultFlow);
    return taken;
  }

  /** Completes the activity or event a token is at and moves on (`recorded`: its completion is already in the history). */
  leave(token: Token, recorded = false): void {
    const node = this.plan.nodes[token.node]!;
    this.closeWaitsOf(token);
    if (token.inner) {
      // One iteration of a multi-instance activity; the activity itself completes with its body.
      this.history('iteration.completed', node, {
        loopCounter: this.s.scopes[token.scope]?.vars.loopCounter,
      });
      this.removeToken(token);
      return; // the inner scope is now empty; the multi-instance body notices on settle
    }
    if (!recorded) this.history('element.completed', node);
    const flows = this.outgoingOf(token, node);
    this.takeAll(token, flows);
  }

  // ── waits ─────────────────────────────────────────────────────────────────────────────

  /**
   * Opens a wait with a fresh public id (`<instance>.w7`), kept under its local key (`w7`, see
   * waitKey), as its task or job is.
   */
  openWait(wait: Omit<Wait, 'id'>): Wait {
    // Callers pass a fresh literal: it becomes the wait (no copy).
    const full = wait as Wait;
    const key = this.localId('w');
    full.id = `${this.s.id}.${key}`;
    // Read once, so V8 flattens the rope the concatenation made here, once: the inbox's Map
    // hashes the id and waitKey slices it, and each copied a rope flat again (≈6% of a fan-out).
    full.id.charCodeAt(0);
    this.toWrite('waits')[key] = full;
    this.opened = full.id;
    this.openedKey = key;
    return full;
  }

  /** The key of the wait with public id `id`: the one just opened is known without a slice. */
  private keyOf(id: string): string {
    return id === this.opened ? this.openedKey : waitKey(id);
  }

  /** Puts a wait in place of the open one with its id (a cycle timer scheduled again). */
  replaceWait(wait: Wait): void {
    this.toWrite('waits')[waitKey(wait.id)] = wait;
  }

  /** The open user task of a wait (same id), kept whole in the instance. */
  addTask(task: Task): void {
    this.toWrite('tasks')[this.keyOf(task.id)] = task;
  }

  /** The open job of a wait (same id), kept whole in the instance. */
  addJob(job: Job): void {
    this.toWrite('jobs')[this.keyOf(job.id)] = job;
  }

  /**
   * Removes `key` from tokens, waits, tasks or jobs by copying the record without it: a `delete`
   * turns a record into a slow dictionary (for the rest of the step and for every later step's
   * copy of it). A step that removes many keys from one record (cancelling a large
   * multi-instance) deletes after the first few instead, so it stays linear.
   */
  private remove(which: keyof typeof OWN_BIT, key: string): void {
    const bit = OWN_BIT[which];
    if (this.owned & bit && ++this.removals > MAX_COPYING_REMOVALS) delete this.state[which][key];
    else {
      this.state[which] = copyWithout(this.state[which] as Record<string, never>, key);
      this.owned |= bit;
    }
  }

  /** `key`: the wait's key in the waits (waitKey of its id), for callers that have it already. */
  closeWait(wait: Wait, reason: 'completed' | 'cancelled', key = waitKey(wait.id)): void {
    if (this.s.waits[key]) this.remove('waits', key);
    switch (wait.kind) {
      case 'task':
        if (this.s.tasks[key]) {
          this.remove('tasks', key);
          this.effects.push({ type: 'task.ended', taskId: wait.id, state: reason, at: this.now });
        }
        break;
      case 'job':
        if (this.s.jobs[key]) this.remove('jobs', key);
        this.effects.push({ type: 'job.ended', jobId: wait.id });
        break;
      case 'timer':
        this.effects.push({ type: 'timer.cancelled', timerId: wait.id });
        break;
      case 'message':
        this.effects.push({ type: 'message.unsubscribed', subscriptionId: wait.id });
        break;
      case 'call':
        if (reason === 'cancelled') this.effects.push({ type: 'call.cancelled', waitId: wait.id });
        break;
    }
  }

  /** `keepBoundaries`: a boundary event's wait stays open (see unwind). */
  closeWaitsOf(token: Token, keepBoundaries = false): void {
    // The loop walks the record it started with; closing a wait may swap in the step's own copy.
    const waits = this.s.waits;
    for (const id in waits) {
      const wait = waits[id]!;
      if (wait.token !== token.id || !this.s.waits[id]) continue;
      if (keepBoundaries && this.plan.nodes[wait.node]!.kind === 'boundaryEvent') continue;
      this.closeWait(wait, 'cancelled', id);
    }
  }

  /** Cancels the scopes a token started (its sub-process's, its multi-instance body's). */
  private cancelScopesOf(token: Token): void {
    for (const id in this.s.scopes) {
      const scope = this.s.scopes[id];
      if (scope && scope.token === token.id) this.cancelScope(scope);
    }
  }

  // ── scopes ────────────────────────────────────────────────────────────────────────────

  openScope(
    kind: Scope['kind'],
    node: number,
    parent: string,
    token: string | null,
    vars: Variables = {},
  ): Scope {
    const scope: Scope = { id: this.localId('s'), node, parent, token, kind, vars };
    this.toWrite('scopes')[scope.id] = scope;
    return scope;
  }

  /** Cancels a token and everything running under it: its waits, its scopes, their tokens. */
  cancelToken(token: Token): void {
    this.closeWaitsOf(token);
    this.cancelScopesOf(token);
    clearIncident(this, token.id);
    this.removeToken(token);
  }

  cancelScope(scope: Scope): void {
    for (const id in this.s.tokens) {
      const t = this.s.tokens[id];
      if (t && t.scope === scope.id) this.cancelToken(t);
    }
    for (const id in this.s.scopes) {
      const child = this.s.scopes[id];
      if (child && child.parent === scope.id && child.token === null) this.cancelScope(child);
    }
    if (this.s.scopes[scope.id]) this.remove('scopes', scope.id);
  }

  // ── boundary events, errors and escalations ───────────────────────────────────────────

  /** Opens the waits of an activity's timer and message boundary events (once per activity, not per iteration). */
  attachBoundaries(token: Token, node: PlanNode): void {
    if (token.inner || node.boundaries.length === 0) return;
    // Re-entered after an incident: boundaries still open keep their waits (a deadline runs on).
    const open = new Set<number>();
    for (const id in this.s.waits) if (this.s.waits[id]!.token === token.id) open.add(this.s.waits[id]!.node);
    for (const b of node.boundaries) {
      if (open.has(b)) continue;
      const boundary = this.plan.nodes[b]!;
      const kind = boundary.event.kind;
      if (kind === 'timer') BEHAVIOURS.timer.schedule(this, token, boundary);
      else if (kind === 'message') BEHAVIOURS.message.subscribe(this, token, boundary);
    }
  }

  /** A boundary event fires on the activity held by `host`. */
  triggerBoundary(host: Token, boundary: PlanNode): void {
    this.history('boundary.triggered', boundary);
    const token = this.newToken(boundary.index, host.scope);
    if (boundary.cancelActivity) {
      const hostNode = this.plan.nodes[host.node]!;
      this.history('element.terminated', hostNode);
      this.cancelToken(host);
    }
    this.leave(token);
  }

  /** The boundary that catches an error or escalation: from `from`'s own activity outward through its scopes. */
  findCatcher(
    kind: 'error' | 'escalation',
    code: string | null,
    from: Token | null,
    scopeId: string,
  ): { host: Token; boundary: PlanNode } | null {
    const candidates: Token[] = [];
    if (from && !from.inner) candidates.push(from);
    for (let id: string | null = scopeId; id && id !== ROOT_SCOPE; id = this.s.scopes[id]?.parent ?? null) {
      const scope = this.s.scopes[id]!;
      if (scope.token && (scope.kind === 'sub' || scope.kind === 'mi'))
        candidates.push(this.s.tokens[scope.token]!);
    }
    for (const host of candidates) {
      for (const b of this.plan.nodes[host.node]!.boundaries) {
        const boundary = this.plan.nodes[b]!;
        const ev = boundary.event;
        if (ev.kind === kind && (ev.code === null || ev.code === code)) return { host, boundary };
      }
    }
    return null;
  }

  /**
   * Fires the catching boundary, if any. Returns true when caught. An escalation nobody here
   * catches goes up to the calling instance's call activity.
   */
  catchEvent(
    kind: 'error' | 'escalation',
    code: string | null,
    from: Token | null,
    scopeId: string,
  ): boolean {
    const caught = this.findCatcher(kind, code, from, scopeId);
    if (caught) this.triggerBoundary(caught.host, caught.boundary);
    else if (kind === 'escalation' && this.s.parent) {
      this.effects.push({ type: 'escalation.raised', escalationCode: code, parent: this.s.parent });
    }
    return caught !== null;
  }

  /** Whether an error thrown here would be caught (here or by a calling instance). */
  errorHandled(code: string, from: Token | null, scopeId: string): boolean {
    return this.findCatcher('error', code, from, scopeId) !== null || this.s.parent !== undefined;
  }

  /** An error no boundary catches goes to the calling instance, or becomes an incident. */
  throwError(code: string, from: Token | null, scopeId: string, node: PlanNode): void {
    if (!this.errorHandled(code, from, scopeId)) {
      throw new IncidentSignal(
        'error.uncaught',
        `error "${code}" thrown at ${node.id} is not caught by any boundary event`,
      );
    }
    this.history('error.thrown', node, { errorCode: code });
    if (this.catchEvent('error', code, from, scopeId)) return;
    this.endInstance('terminated', code);
  }

  // ── instance end ──────────────────────────────────────────────────────────────────────

  /** Terminate end event: every token of the scope stops; the emptied scope then completes. */
  terminateScope(scopeId: string): void {
    for (const id in this.s.tokens) {
      const t = this.s.tokens[id];
      if (t && t.scope === scopeId) this.cancelToken(t);
    }
  }

  endInstance(status: 'completed' | 'terminated', errorCode?: string): void {
    const tokens = this.s.tokens; // cancelling may swap in the step's own copy: walk this one
    for (const id in tokens) {
      const token = this.s.tokens[id];
      if (token) this.cancelToken(token); // not gone with an earlier one's scope
    }
    this.queue.length = 0;
    this.s.status = status;
    this.s.endedAt = this.now;
    this.history(status === 'completed' ? 'instance.completed' : 'instance.terminated');
    const effect: Effect = {
      type: 'instance.ended',
      status,
      variables: this.s.scopes[ROOT_SCOPE]!.vars,
    };
    if (errorCode) effect.errorCode = errorCode;
    if (this.s.parent) effect.parent = this.s.parent;
    this.effects.push(effect);
  }

  // ── incidents ─────────────────────────────────────────────────────────────────────────

  /** Parks a token: `phase` says what resolving does (see OpenIncident.phase). */
  raiseIncident(token: Token, signal: IncidentSignal, phase: IncidentPhase = 'enter', jobId?: string): void {
    raiseIncident(this, this.own(token), signal, phase, jobId);
  }

  // ── the agenda ────────────────────────────────────────────────────────────────────────

  /** Runs every queued token until all rest, completing scopes and inclusive joins as they settle. */
  run(): void {
    for (;;) {
      while (this.queue.length) {
        const token = this.queue.shift()!;
        if (!this.s.tokens[token.id] || this.ended()) continue;
        if (++this.activations > MAX_ACTIVATIONS_PER_STEP) {
          this.parkRunaway(token);
          break;
        }
        this.enter(this.own(token));
      }
      if (this.ended()) return;
      if (this.plan.inclusiveJoins && BEHAVIOURS.inclusiveGateway.fireSettledJoins(this)) continue;
      if (this.completeEmptyScopes()) continue;
      return;
    }
  }

  /**
   * The step has looped too long without waiting: this token and every other still queued are
   * parked, each in its own incident. Dropped from the queue without one, a token was left neither
   * moving nor resting: resolving never moved it, and a join or its scope waited for it for ever.
   */
  private parkRunaway(token: Token): void {
    const signal = new IncidentSignal('loop.runaway', 'the process loops without waiting');
    this.raiseIncident(token, signal);
    for (const queued of this.queue) {
      const current = this.s.tokens[queued.id];
      if (current && current.rest !== 'incident') this.raiseIncident(current, signal);
    }
    this.queue.length = 0;
  }

  ended(): boolean {
    return this.s.status === 'completed' || this.s.status === 'terminated';
  }

  private enter(token: Token): void {
    const node = this.plan.nodes[token.node]!;
    try {
      if (node.multiInstance && !token.inner) {
        BEHAVIOURS.multiInstance.enter(this, token, node);
        return;
      }
      BEHAVIOURS[node.kind].enter(this, token, node);
    } catch (err) {
      if (!(err instanceof IncidentSignal)) throw err;
      // Half entered (a boundary timer's expression failed after the task or sub-process opened):
      // what it opened goes, so nothing can move the token on past its incident meanwhile.
      this.unwind(token);
      this.raiseIncident(token, err);
    }
  }

  /**
   * Closes what the element a token is at opened for it: its own waits (a boundary event keeps
   * its, so a deadline runs on through an incident) and the scopes it started (a sub-process's,
   * a multi-instance body's). Before an entry that failed is tried again, and when it fails.
   */
  unwind(token: Token): void {
    this.closeWaitsOf(token, true);
    this.cancelScopesOf(token);
  }

  /**
   * The ids of scopes a token or a child scope is in (with repeats). completeEmptyScopes looks
   * them up in this list for an instance of a few tokens and scopes (a multi-instance task's), and
   * makes a Set only for a larger one: it runs twice per step, and a Set and its table were most
   * of what it allocated.
   */
  private busyScopes(): string[] {
    // Each record in a local: V8 reads `record[id]` in a for-in over that same record straight
    // from the enumeration's field index, where `this.s.tokens[id]` is a generic keyed look-up.
    const { tokens, scopes } = this.s;
    const busy: string[] = [];
    for (const id in tokens) busy.push(tokens[id]!.scope);
    for (const id in scopes) {
      const parent = scopes[id]!.parent;
      if (parent) busy.push(parent);
    }
    return busy;
  }

  /** A scope with no tokens and no running children is done; its waiting token moves on. */
  private completeEmptyScopes(): boolean {
    // The common case, the process scope alone, without building the busy set: it is busy while a
    // token is in it, and when it is not, the instance completes (exactly what the loop below does).
    // Records in locals, as in busyScopes; the loop below stops at its first removal.
    const { tokens, scopes } = this.s;
    let only: Scope | undefined;
    for (const id in scopes) {
      if (only) {
        only = undefined;
        break;
      }
      only = scopes[id]!;
    }
    if (only?.kind === 'process') {
      for (const id in tokens) if (tokens[id]!.scope === only.id) return false;
      this.endInstance('completed');
      return true;
    }
    const listed = this.busyScopes();
    const busy = listed.length > MAX_LISTED_BUSY ? new Set(listed) : null;
    let progressed = false;
    for (const id in scopes) {
      if (busy ? busy.has(id) : listed.includes(id)) continue;
      const scope = scopes[id]!;
      // The token to blame if leaving fails: the scope's own, or for an inner instance its body's.
      const owner = scope.token ?? this.s.scopes[scope.parent!]?.token ?? null;
      // A finished instance of a multi-instance activity in an incident is counted once it is resolved.
      if (scope.kind === 'inner' && owner !== null && this.s.tokens[owner]?.rest === 'incident') continue;
      progressed = true;
      if (scope.kind === 'process') {
        this.endInstance('completed');
        return true;
      }
      this.remove('scopes', id);
      try {
        if (scope.kind === 'inner') BEHAVIOURS.multiInstance.innerDone(this, scope);
        else if (scope.kind === 'mi') BEHAVIOURS.multiInstance.bodyDone(this, scope);
        else this.leave(this.s.tokens[owner!]!);
      } catch (err) {
        if (!(err instanceof IncidentSignal)) throw err;
        if (scope.kind === 'inner') {
          // The instance stays finished and uncounted (innerDone changes nothing before it fails):
          // the body waits on it, and resolving counts it again (see retry's 'settle').
          this.toWrite('scopes')[id] = scope;
          this.raiseIncident(this.s.tokens[owner!]!, err, 'settle');
        } else this.raiseIncident(this.s.tokens[owner!]!, err, 'leave');
      }
      break; // the sets above are stale now; look again
    }
    return progressed;
  }
}
