/**
 * Incidents: a token parked by a failure until someone resolves it. An instance holds one per
 * parked token, each with its own id, and is in status `incident` while any is open.
 */
import type { Incident } from '../api.js';
import type { Execution } from './execution.js';
import type { InstanceState, Token } from './state.js';

/** Raised inside a step to park the current token in an incident instead of crashing the engine. */
export class IncidentSignal {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export type IncidentPhase = 'enter' | 'leave' | 'settle';

/** An incident as the instance keeps it: what the API shows plus what resolving needs. */
export interface OpenIncident extends Incident {
  token: string;
  /**
   * Resolving re-enters the element ('enter'), retries leaving it ('leave'), or ('settle') lets
   * its token wait on its scopes again: a multi-instance activity counts the finished instance
   * whose completion condition or output failed once more.
   */
  phase: IncidentPhase;
}

/** A record saved when an instance held at most one incident, without an id. */
type LegacyState = InstanceState & { incident?: Omit<OpenIncident, 'id'> };

/** The id given to the incident of a record from before incident ids (never made by nextId). */
const legacyId = (state: InstanceState): string => `${state.id}.i0`;

/** The open incidents of a state, oldest first; reads records saved with the older single field. */
export function openIncidents(state: InstanceState): readonly OpenIncident[] {
  if (state.incidents) return state.incidents;
  const old = (state as LegacyState).incident;
  return old ? [{ ...old, id: legacyId(state) }] : [];
}

/** The incident as the API shows it: without the runtime's token and phase. */
export function shownIncident(incident: OpenIncident): Incident {
  const { token: _token, phase: _phase, ...shown } = incident;
  return shown;
}

/**
 * Brings a state saved with the older single `incident` field to the list (on a copy from
 * cloneState). Its token may still hold the failed job's wait: resolving closes that.
 */
export function upgradeIncidents(state: InstanceState): InstanceState {
  const legacy = state as LegacyState;
  if (!legacy.incident) return state;
  if (!state.incidents) state.incidents = [...openIncidents(state)];
  delete legacy.incident;
  return state;
}

/**
 * Parks a token in an incident (replacing one it already had). `phase` says whether resolving
 * re-enters the element or retries leaving it; `jobId` names the job that failed, if one did.
 * The list is replaced, never changed in place: the step's input state shares it.
 */
export function raiseIncident(
  exec: Execution,
  token: Token,
  signal: IncidentSignal,
  phase: IncidentPhase,
  jobId?: string,
): void {
  const node = exec.plan.nodes[token.node]!;
  token.rest = 'incident';
  const incident: OpenIncident = {
    id: exec.nextId('i'),
    elementId: node.id,
    elementType: node.kind,
    code: signal.code,
    message: `${node.id}: ${signal.message}`,
    at: exec.now,
    token: token.id,
    phase,
  };
  if (jobId !== undefined) incident.jobId = jobId;
  exec.s.incidents = [...openIncidents(exec.s).filter((i) => i.token !== token.id), incident];
  exec.s.status = 'incident';
  exec.history('incident.raised', node, { code: signal.code, message: signal.message });
}

/** Drops the incident of a token, if it has one; the instance is active again when none is left. */
export function clearIncident(exec: Execution, tokenId: string): void {
  const open = openIncidents(exec.s);
  if (!open.some((i) => i.token === tokenId)) return;
  const left = open.filter((i) => i.token !== tokenId);
  if (left.length) exec.s.incidents = left;
  else delete exec.s.incidents;
  if (!left.length && exec.s.status === 'incident') exec.s.status = 'active';
}
