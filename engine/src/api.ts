/**
 * Public shapes of the engine API (createEngine in ./index.ts).
 * Everything here is plain JSON so it can cross the store and HTTP boundaries unchanged.
 */

export type Variables = Record<string, unknown>;

/** One problem found while validating a model; all problems are reported at once. */
export interface Problem {
  elementId: string;
  elementType: string;
  code: string;
  message: string;
}

export interface DeployResult {
  id: string;
  processes: { id: string; version: number; name?: string }[];
}

export type InstanceStatus = 'active' | 'completed' | 'terminated' | 'incident';
export type TaskState = 'open' | 'completed' | 'cancelled';

/** A user task as the inbox sees it. gov fields come from the gov moddle extension. */
export interface Task {
  id: string;
  instanceId: string;
  processId: string;
  businessKey?: string;
  elementId: string;
  name?: string;
  state: TaskState;
  department?: string;
  item?: string;
  formView?: string;
  timeLimitDays?: number;
  /** When the task is due (ms since the epoch), once its time limit is known; the inbox sorts and filters on it. */
  deadline?: number;
  specialStep?: boolean;
  candidateRoles: string[];
  assignee?: string;
  createdAt: number;
  completedAt?: number;
  /** Multi-instance: the element of the collection this task works on and its 1-based counter. */
  loopCounter?: number;
  inputElement?: unknown;
}

export interface TaskFilter {
  instanceId?: string;
  department?: string;
  assignee?: string;
  state?: TaskState;
  elementId?: string;
  processId?: string;
  /** Only tasks with a deadline at or before this instant (ms since the epoch). */
  dueBefore?: number;
}

/** An external job: a service-task call waiting for a worker (or an in-process handler). */
export interface Job {
  id: string;
  instanceId: string;
  elementId: string;
  type: string;
  variables: Variables;
  createdAt: number;
}

export interface HistoryEntry {
  id: string;
  instanceId: string;
  seq: number;
  at: number;
  type: string;
  elementId?: string;
  elementType?: string;
  data?: Variables;
}

/** A token parked by a failure (a job that gave up, a FEEL error, an uncaught BPMN error). */
export interface Incident {
  /** Unique in the instance: resolveIncident({ incidentId }) retries just this one. */
  id: string;
  elementId: string;
  elementType: string;
  code: string;
  message: string;
  at: number;
  /** The job that failed into this incident (closed then: the retry gets a fresh job). */
  jobId?: string;
}

export interface InstanceView {
  id: string;
  processId: string;
  version: number;
  deploymentId: string;
  businessKey?: string;
  status: InstanceStatus;
  variables: Variables;
  openTasks: Task[];
  history: HistoryEntry[];
  /** Open incidents, oldest first: one per failed token, each resolved on its own. */
  incidents: Incident[];
  /** The oldest open incident (incidents[0]), kept for callers from before several incidents. */
  incident?: Incident;
  parentInstanceId?: string;
  startedAt: number;
  endedAt?: number;
}

export interface StartOptions {
  variables?: Variables;
  businessKey?: string;
  /** Pin a version; default is the latest deployed one. */
  version?: number;
  /**
   * An id the caller derives from its own record (e.g. its case), so a start retried after a
   * crash finds the instance it already started instead of starting a second one.
   */
  instanceId?: string;
}

export interface CompleteOptions {
  variables?: Variables;
  actor?: string;
}

/**
 * Something an instance waits for besides its user tasks: a timer, a message, a called instance
 * or a service call (engine.waits). Its id is what fireTimer and deliverMessage take.
 */
export interface WaitingEvent {
  id: string;
  /** The element that waits: a catch event, receive task, boundary event, call activity or service task. */
  elementId: string;
  kind: 'timer' | 'message' | 'call' | 'job';
  /** A boundary event, waiting beside the activity it sits on. */
  boundary: boolean;
  dueAt?: number;
  messageName?: string;
  correlationKey?: string | null;
}

export interface CorrelateOptions {
  correlationKey?: string;
  variables?: Variables;
}

export interface CorrelateResult {
  /** Instances that received the message (a waiting catch) or were started by it (message start). */
  instanceIds: string[];
  started: boolean;
}
