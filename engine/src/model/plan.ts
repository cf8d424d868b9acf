/**
 * The compiled, immutable form of one executable process. The runtime works only on this:
 * nodes and flows live in arrays and point at each other by integer index.
 */
import type { CompiledExpression } from '../expressions/feel.js';

export type NodeKind =
  | 'startEvent'
  | 'endEvent'
  | 'userTask'
  | 'serviceTask'
  | 'businessRuleTask'
  | 'receiveTask'
  | 'sendTask'
  | 'manualTask'
  | 'task'
  | 'exclusiveGateway'
  | 'parallelGateway'
  | 'inclusiveGateway'
  | 'eventBasedGateway'
  | 'subProcess'
  | 'callActivity'
  | 'boundaryEvent'
  | 'intermediateCatchEvent'
  | 'intermediateThrowEvent';

export type TimerSpec =
  | { kind: 'date'; expr: CompiledExpression }
  | { kind: 'duration'; expr: CompiledExpression }
  | { kind: 'cycle'; expr: CompiledExpression };

export type EventDef =
  | { kind: 'none' }
  | { kind: 'timer'; timer: TimerSpec }
  | { kind: 'message'; messageName: string; correlationKey: CompiledExpression | null }
  | { kind: 'error'; code: string | null }
  | { kind: 'escalation'; code: string | null }
  | { kind: 'terminate' };

export interface Mapping {
  source: CompiledExpression;
  target: string;
}

export interface MultiInstance {
  sequential: boolean;
  cardinality: CompiledExpression | null;
  collection: CompiledExpression | null;
  elementVariable: string | null;
  outputCollection: string | null;
  outputElement: CompiledExpression | null;
  completionCondition: CompiledExpression | null;
}

export interface GovTask {
  department?: string;
  item?: string;
  formView?: string;
  timeLimitDays?: number;
  specialStep?: boolean;
  candidateRoles: string[];
  assignee?: string;
}

export type ConnectorMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A service task that calls a department system over HTTP (gov:url …), run by engine/src/jobs/connector.ts. */
export interface ConnectorSpec {
  /** A literal http(s) URL, or "= FEEL" giving one. */
  readonly url: CompiledExpression;
  readonly method: ConnectorMethod;
  /** FEEL giving a context of header names to string values. */
  readonly headers: CompiledExpression | null;
  /** FEEL giving the JSON request body (GET and DELETE send none). */
  readonly body: CompiledExpression | null;
  /** FEEL over `response` (and `status`) giving a context merged into the variables. */
  readonly result: CompiledExpression | null;
  readonly timeoutMs: number;
  /** A permanent refusal (400/404/422) is this BPMN error; null: an incident. */
  readonly errorCode: string | null;
}

export interface PlanNode {
  readonly index: number;
  readonly id: string;
  readonly kind: NodeKind;
  readonly name?: string;
  /** Index of the enclosing sub-process node, -1 at process level. */
  readonly parent: number;
  readonly incoming: readonly number[];
  readonly outgoing: readonly number[];
  /** Default flow index or -1. */
  readonly defaultFlow: number;
  readonly event: EventDef;
  /** Boundary events attached to this activity. */
  readonly boundaries: readonly number[];
  /** For a boundary event: the activity it is attached to; otherwise -1. */
  readonly attachedTo: number;
  readonly cancelActivity: boolean;
  /** For sub-processes: their none start event(s), their event sub-process starts are not supported in v1. */
  readonly starts: readonly number[];
  readonly multiInstance: MultiInstance | null;
  readonly gov: GovTask | null;
  /** Service task job type. */
  readonly jobType?: string;
  readonly retries?: number;
  /** Service task calling a department system over HTTP. */
  readonly connector?: ConnectorSpec;
  /** Business rule task: FEEL expression and the variable that receives its value. */
  readonly expression?: CompiledExpression;
  readonly resultVariable?: string;
  /** Call activity. */
  readonly calledElement?: string;
  readonly inputs: readonly Mapping[];
  readonly outputs: readonly Mapping[];
  /** Inclusive join: nodes from which this join can still be reached without passing through it. */
  readonly upstream: NodeSet | null;
}

/** A set of node indexes (an inclusive join's upstream nodes, kept compact: one bit a node of its scope). */
export interface NodeSet {
  has(index: number): boolean;
  readonly size: number;
}

export interface PlanFlow {
  readonly index: number;
  readonly id: string;
  readonly source: number;
  readonly target: number;
  readonly condition: CompiledExpression | null;
}

export interface Plan {
  readonly processId: string;
  readonly name?: string;
  readonly deploymentId: string;
  readonly version: number;
  readonly bundle?: string;
  readonly nodes: readonly PlanNode[];
  readonly flows: readonly PlanFlow[];
  /** Process-level none start events. */
  readonly starts: readonly number[];
  readonly messageStarts: readonly number[];
  readonly timerStarts: readonly number[];
  readonly byId: ReadonlyMap<string, number>;
  /**
   * Whether an inclusive gateway joins (has several incoming flows): only then does a step look,
   * after each agenda pass, for a join no token can reach any more (a walk over every token).
   */
  readonly inclusiveJoins: boolean;
}
