/**
 * The state of one process instance: plain JSON, so it is stored, loaded and replayed as is.
 */
import type { HistoryEntry, InstanceStatus, Job, Task, Variables } from '../api.js';
import { copyOwned } from '../copy.js';
import type { OpenIncident } from './incident.js';
import { localPart } from './local-ids.js';

export interface Token {
  id: string;
  /** Plan node index. */
  node: number;
  /** Scope instance id. */
  scope: string;
  /** Why the token rests: a wait id, 'scope' (sub-process or multi-instance running), 'join', 'incident'. */
  rest?: 'wait' | 'scope' | 'join' | 'incident' | 'event';
  /** For a join: the flow it arrived by. */
  via?: number;
  /** A multi-instance inner token (completes into its body, not through outgoing flows). */
  inner?: boolean;
}

export interface MultiInstanceState {
  total: number;
  started: number;
  completed: number;
  items: unknown[] | null;
  outputs: unknown[];
  done: boolean;
}

export interface Scope {
  id: string;
  /** Plan node of the sub-process / multi-instance activity; -1 for the process itself. */
  node: number;
  parent: string | null;
  /** The token (in the parent scope) that waits while this scope runs. */
  token: string | null;
  kind: 'process' | 'sub' | 'mi' | 'inner';
  vars: Variables;
  mi?: MultiInstanceState;
  /** Inner scope: its 0-based index in the collection. */
  loopIndex?: number;
}

export type WaitKind = 'task' | 'job' | 'timer' | 'message' | 'call';

export interface Wait {
  id: string;
  kind: WaitKind;
  /** The token this wait belongs to (for boundaries: the host activity's token). */
  token: string;
  /** Plan node that reacts when the wait fires (the boundary or catch event for events). */
  node: number;
  /** Event-based gateway: all waits of one gateway share the gateway token id. */
  group?: string;
  dueAt?: number;
  /** Cycle timers: remaining repetitions (-1 unbounded) and the duration between them. */
  repeat?: number;
  every?: string;
  messageName?: string;
  correlationKey?: string | null;
}

export interface InstanceState {
  id: string;
  processId: string;
  deploymentId: string;
  version: number;
  businessKey?: string;
  status: InstanceStatus;
  parent?: { instanceId: string; waitId: string };
  tokens: Record<string, Token>;
  scopes: Record<string, Scope>;
  waits: Record<string, Wait>;
  /** Open user tasks and jobs, kept whole so the instance record answers "what is open" alone. */
  tasks: Record<string, Task>;
  jobs: Record<string, Job>;
  /**
   * Open incidents, oldest first, one per parked token; absent when none. Replaced, never changed
   * in place (cloneState shares it). Records from before held a single `incident`: see
   * upgradeIncidents.
   */
  incidents?: OpenIncident[];
  /** Counter for ids inside the instance. */
  seq: number;
  startedAt: number;
  endedAt?: number;
}

export type Effect =
  | { type: 'task.created'; task: Task }
  | { type: 'task.ended'; taskId: string; state: 'completed' | 'cancelled'; at: number }
  | { type: 'job.created'; job: Job; retries: number }
  | { type: 'job.ended'; jobId: string }
  | { type: 'timer.scheduled'; timerId: string; dueAt: number; elementId: string }
  | { type: 'timer.cancelled'; timerId: string }
  | { type: 'message.subscribed'; subscriptionId: string; messageName: string; correlationKey: string | null }
  | { type: 'message.unsubscribed'; subscriptionId: string }
  | {
      type: 'message.published';
      messageName: string;
      correlationKey: string | null;
      variables: Variables;
      /** Set by the engine shell when saved: receivers remember it, so a replay delivers once. */
      deliveryId?: string;
    }
  | {
      type: 'call.started';
      waitId: string;
      processId: string;
      /**
       * The caller's deployment: a called process deployed with it is called in that version, not
       * the latest. Absent in outboxes saved before it was added (those call the latest).
       */
      deploymentId?: string;
      businessKey?: string;
      variables: Variables;
    }
  | { type: 'call.cancelled'; waitId: string }
  | {
      type: 'instance.ended';
      status: InstanceStatus;
      variables: Variables;
      errorCode?: string;
      parent?: { instanceId: string; waitId: string };
    }
  | {
      type: 'escalation.raised';
      escalationCode: string | null;
      parent: { instanceId: string; waitId: string };
      /** As for message.published. */
      deliveryId?: string;
    }
  | { type: 'history'; entry: HistoryEntry };

export type Command =
  | {
      type: 'start';
      instanceId: string;
      processId: string;
      deploymentId: string;
      version: number;
      /** Start event to begin at; default: the process's none start event. */
      startNode?: number;
      variables?: Variables;
      businessKey?: string;
      parent?: { instanceId: string; waitId: string };
    }
  | { type: 'completeTask'; waitId: string; variables?: Variables; actor?: string }
  | { type: 'completeJob'; waitId: string; variables?: Variables }
  | { type: 'throwError'; waitId: string; errorCode: string; variables?: Variables }
  | { type: 'failJob'; waitId: string; message: string }
  /** The called process could not be started (not deployed, no none start event…): an incident on the call. */
  | { type: 'callFailed'; waitId: string; message: string }
  | {
      type: 'fireTimer';
      waitId: string;
      /** The due time the queue fires it for: a cycle's round fired meanwhile (by hand) is not fired again. */
      dueAt?: number;
    }
  | { type: 'deliverMessage'; waitId: string; variables?: Variables }
  | {
      type: 'childEnded';
      waitId: string;
      status: InstanceStatus;
      variables: Variables;
      errorCode?: string;
    }
  | { type: 'childEscalated'; waitId: string; escalationCode: string | null }
  /** Retries one incident, or without an id every open one. */
  | { type: 'resolveIncident'; incidentId?: string; variables?: Variables }
  | { type: 'cancel'; actor?: string };

export interface StepResult {
  state: InstanceState;
  effects: Effect[];
}

/**
 * Tokens, scopes, waits, tasks and jobs are keyed by instance-local ids (`t7`, `s9`, `root`,
 * `w12`) that recur from one instance to the next, so ordinary objects built key by key share V8's
 * hidden classes across instances and are copied and iterated on the fast path (enum cache); a
 * dictionary-mode record sorts its keys on every for-in.
 */
export function copyLocalRecord<T>(from: Record<string, T>, each?: (value: T) => T): Record<string, T> {
  const to: Record<string, T> = {};
  for (const id in from) to[id] = each ? each(from[id]!) : from[id]!;
  return to;
}

/**
 * copyLocalRecord without one key: a step's first write to a record is often a removal (a wait
 * closed), and a `delete` on the copy would turn it into a slow dictionary at once (fan-out was
 * 7% slower with dictionary records than with this).
 */
export function copyWithout<T>(from: Record<string, T>, skip: string): Record<string, T> {
  const to: Record<string, T> = {};
  for (const id in from) if (id !== skip) to[id] = from[id]!;
  return to;
}

/**
 * The key of a wait, and of its task or job, in the instance's records: its public id without
 * the instance's (`<instance>.w7` → `w7`). Instance ids may hold dots; the local part never does.
 * Short keys recur across instances, so V8 finds them in its string table already; a fresh
 * `<instance>.w7` key had to be hashed and added to it first (1.4–3 µs each).
 */
export function waitKey(publicId: string): string {
  return localPart(publicId);
}

/**
 * The wait, task or job with public id `id` in one of an instance's records (keyed by waitKey;
 * `key` for callers that have it already), if it is there: a public id of another instance with
 * the same local part is not.
 */
export function byPublicId<T extends { id: string }>(
  record: Readonly<Record<string, T>>,
  id: string,
  key = waitKey(id),
): T | undefined {
  const found = record[key];
  return found !== undefined && found.id === id ? found : undefined;
}

/**
 * Brings a stored state from before local keys (waits, tasks and jobs keyed by their public ids)
 * to local keys, in place; a state already keyed locally is returned as it is after one look at
 * its keys. Stores apply it where a stored row or document becomes an InstanceRecord.
 */
export function withLocalKeys(state: InstanceState): InstanceState {
  if (hasPublicKeys(state.waits)) state.waits = rekeyed(state.waits);
  if (hasPublicKeys(state.tasks)) state.tasks = rekeyed(state.tasks);
  if (hasPublicKeys(state.jobs)) state.jobs = rekeyed(state.jobs);
  return state;
}

function hasPublicKeys(record: Record<string, unknown> | undefined): boolean {
  for (const key in record) if (key.includes('.')) return true;
  return false;
}

function rekeyed<T extends { id: string }>(record: Record<string, T>): Record<string, T> {
  const to: Record<string, T> = {};
  for (const id in record) to[waitKey(record[id]!.id)] = record[id]!;
  return to;
}

/**
 * A token's copy, field by field: tokens have several shapes (rest, via, inner come and go), and a
 * spread over many shapes takes V8's slow generic path. `rest` stays the last field, so deleting
 * it keeps the copy a fast object (see Execution.take).
 */
export function copyToken(t: Token): Token {
  const copy: Token = { id: t.id, node: t.node, scope: t.scope };
  if (t.inner !== undefined) copy.inner = t.inner;
  if (t.via !== undefined) copy.via = t.via;
  if (t.rest !== undefined) copy.rest = t.rest;
  return copy;
}

/**
 * Field by field, in the order enter builds it: a spread and then an overwrite of `outputs` made
 * step() on a multi-instance model 7-10% slower.
 */
function copyMultiInstance(mi: MultiInstanceState): MultiInstanceState {
  const { total, started, completed, items, outputs, done } = mi;
  return { total, started, completed, items, outputs: outputs.slice(), done };
}

/** A scope's copy, its variables and multi-instance counters its own (see Execution.ownScope). */
export function copyScope(s: Scope): Scope {
  const copy: Scope = {
    id: s.id,
    node: s.node,
    parent: s.parent,
    token: s.token,
    kind: s.kind,
    vars: { ...s.vars },
  };
  if (s.mi !== undefined) copy.mi = copyMultiInstance(s.mi);
  if (s.loopIndex !== undefined) copy.loopIndex = s.loopIndex;
  return copy;
}

/** Fields a state may hold beyond InstanceState's (a legacy `incident`): such a state is copied by spread. */
function hasLegacyFields(state: InstanceState): boolean {
  return 'incident' in state;
}

/**
 * A step's working copy of `state`: the state object is copied; tokens, scopes, waits, tasks and
 * jobs are shared with `state` and copied by the Execution only when the step writes them (most
 * steps move one token, close one wait and change one scope's variables), so the caller's state is
 * never touched. Built field by field: a spread of the whole state took V8's generic path (≈3×
 * slower), states having several shapes.
 */
export function workingCopy(state: InstanceState): InstanceState {
  if (hasLegacyFields(state)) return { ...state };
  const copy: InstanceState = {
    id: state.id,
    processId: state.processId,
    deploymentId: state.deploymentId,
    version: state.version,
    status: state.status,
    tokens: state.tokens,
    scopes: state.scopes,
    waits: state.waits,
    tasks: state.tasks,
    jobs: state.jobs,
    seq: state.seq,
    startedAt: state.startedAt,
  };
  if (state.businessKey !== undefined) copy.businessKey = state.businessKey;
  if (state.parent !== undefined) copy.parent = state.parent;
  if (state.incidents !== undefined) copy.incidents = state.incidents;
  if (state.endedAt !== undefined) copy.endedAt = state.endedAt;
  return copy;
}

export const ROOT_SCOPE = 'root';

/**
 * copyOwned for one task. Its own spread site: V8 keeps a spread fast while it has seen few
 * shapes, and tasks have few where variables have many (every variable added is a new shape).
 */
export function copyTask(task: Task): Task {
  const out: Task = { ...task };
  for (const key in out) {
    const v = out[key as keyof Task];
    if (v !== null && typeof v === 'object') (out as unknown as Record<string, unknown>)[key] = copyOwned(v);
  }
  return out;
}
