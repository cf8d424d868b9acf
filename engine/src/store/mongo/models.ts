/**
 * Mongoose models of the MongoDB Store, with every index declared here and created explicitly
 * (autoIndex off) when the store opens.
 *
 * Field names are fixed: user data (variables, form answers, task input elements, history data)
 * lives only inside JSON strings (`state`, `outbox`, `doc`), because variable names may contain
 * dots or start with `$`, which MongoDB field names may not (and FerretDB v1 rejects dots).
 */
import { Schema, type Connection, type Model } from 'mongoose';

const options = { versionKey: false, autoIndex: false, autoCreate: false, strict: true } as const;

export interface DeploymentDoc {
  _id: string;
  createdAt: number;
  /** Indexed copy of the process ids and versions, for latestVersion. */
  processes: { id: string; version: number }[];
  doc: string;
}
const deploymentSchema = new Schema<DeploymentDoc>(
  {
    _id: String,
    createdAt: Number,
    processes: [{ _id: false, id: String, version: Number }],
    doc: String,
  },
  { ...options, collection: 'deployments' },
);
deploymentSchema.index({ 'processes.id': 1 }, { name: 'process' });
deploymentSchema.index({ createdAt: 1, _id: 1 }, { name: 'created' });

/** One claim per deployed (process id, version): the unique index refuses a second deployment of it. */
export interface ProcessVersionDoc {
  processId: string;
  version: number;
  deploymentId: string;
}
const processVersionSchema = new Schema<ProcessVersionDoc>(
  { processId: String, version: Number, deploymentId: String },
  { ...options, collection: 'process_versions' },
);
processVersionSchema.index({ processId: 1, version: -1 }, { unique: true, name: 'process_version' });

export interface InstanceDoc {
  _id: string;
  processId: string;
  version: number;
  deploymentId: string;
  businessKey: string | null;
  status: string;
  parentInstanceId: string | null;
  rev: number;
  startedAt: number;
  updatedAt: number;
  /** InstanceState as JSON. */
  state: string;
  /** Effect[] as JSON, null when empty. */
  outbox: string | null;
  pending: boolean;
  /** Deliveries (published messages, escalations) this instance has applied, see InstanceRecord.delivery. */
  deliveries?: string[];
}
const instanceSchema = new Schema<InstanceDoc>(
  {
    _id: String,
    processId: String,
    version: Number,
    deploymentId: String,
    businessKey: String,
    status: String,
    parentInstanceId: String,
    rev: Number,
    startedAt: Number,
    updatedAt: Number,
    state: String,
    outbox: String,
    pending: Boolean,
    deliveries: [String],
  },
  { ...options, collection: 'instances' },
);
instanceSchema.index({ processId: 1, status: 1, _id: 1 }, { name: 'process_status' });
instanceSchema.index({ status: 1, _id: 1 }, { name: 'status' });
instanceSchema.index({ businessKey: 1, _id: 1 }, { name: 'business_key' });
instanceSchema.index({ pending: 1, _id: 1 }, { name: 'pending' });
instanceSchema.index({ deliveries: 1 }, { name: 'deliveries', sparse: true });

export interface TaskDoc {
  _id: string;
  instanceId: string;
  processId: string;
  elementId: string;
  department: string | null;
  assignee: string | null;
  state: string;
  /** taskCursor(task). */
  ord: string;
  deadline?: number;
  completedAt: number | null;
  /** The Task as created, as JSON. */
  doc: string;
}
const taskSchema = new Schema<TaskDoc>(
  {
    _id: String,
    instanceId: String,
    processId: String,
    elementId: String,
    department: String,
    assignee: String,
    state: String,
    ord: String,
    deadline: Number,
    completedAt: Number,
    doc: String,
  },
  { ...options, collection: 'tasks' },
);
taskSchema.index({ department: 1, state: 1, ord: 1 }, { name: 'department_state' });
taskSchema.index({ assignee: 1, state: 1, ord: 1 }, { name: 'assignee_state' });
taskSchema.index({ state: 1, ord: 1 }, { name: 'state' });
taskSchema.index({ state: 1, deadline: 1 }, { name: 'state_deadline' });
taskSchema.index({ instanceId: 1, ord: 1 }, { name: 'instance' });

export interface JobDoc {
  _id: string;
  instanceId: string;
  type: string;
  createdAt: number;
  doc: string;
}
const jobSchema = new Schema<JobDoc>(
  { _id: String, instanceId: String, type: String, createdAt: Number, doc: String },
  { ...options, collection: 'jobs' },
);
jobSchema.index({ instanceId: 1 }, { name: 'instance' });
jobSchema.index({ type: 1, createdAt: 1 }, { name: 'type' });

export interface TimerDoc {
  _id: string;
  instanceId: string;
  elementId: string;
  dueAt: number;
}
const timerSchema = new Schema<TimerDoc>(
  { _id: String, instanceId: String, elementId: String, dueAt: Number },
  { ...options, collection: 'timers' },
);
timerSchema.index({ dueAt: 1, _id: 1 }, { name: 'due' });
timerSchema.index({ instanceId: 1 }, { name: 'instance' });

export interface SubscriptionDoc {
  _id: string;
  instanceId: string;
  messageName: string;
  correlationKey: string | null;
}
const subscriptionSchema = new Schema<SubscriptionDoc>(
  { _id: String, instanceId: String, messageName: String, correlationKey: String },
  { ...options, collection: 'subscriptions' },
);
subscriptionSchema.index({ messageName: 1, correlationKey: 1 }, { name: 'name_key' });
subscriptionSchema.index({ instanceId: 1 }, { name: 'instance' });

/**
 * History in buckets (the MongoDB bucket pattern): one document per instance and range of
 * HISTORY_BUCKET step numbers, `_id` `<instanceId>#<n>`, entries keyed `s<seq>` (so the entry id
 * `<instanceId>:<seq>` names exactly one slot: writing it again changes nothing). A step's
 * entries are one update; reading an instance's history is a lookup by _id, plus one per further
 * bucket (`top` in bucket 0 is the highest bucket number used).
 */
export interface HistoryDoc {
  _id: string;
  instanceId: string;
  n: number;
  top?: number;
  /** Entry JSON by `s<seq>`. */
  e?: Record<string, string>;
}
export const HISTORY_BUCKET = 256;
const historySchema = new Schema<HistoryDoc>(
  { _id: String, instanceId: String, n: Number, top: Number, e: Schema.Types.Mixed },
  { ...options, collection: 'history' },
);
historySchema.index({ instanceId: 1, n: 1 }, { name: 'instance' });

export interface Models {
  Deployment: Model<DeploymentDoc>;
  ProcessVersion: Model<ProcessVersionDoc>;
  Instance: Model<InstanceDoc>;
  Task: Model<TaskDoc>;
  Job: Model<JobDoc>;
  Timer: Model<TimerDoc>;
  Subscription: Model<SubscriptionDoc>;
  History: Model<HistoryDoc>;
}

export function models(conn: Connection): Models {
  return {
    Deployment: conn.model<DeploymentDoc>('Deployment', deploymentSchema),
    ProcessVersion: conn.model<ProcessVersionDoc>('ProcessVersion', processVersionSchema),
    Instance: conn.model<InstanceDoc>('Instance', instanceSchema),
    Task: conn.model<TaskDoc>('Task', taskSchema),
    Job: conn.model<JobDoc>('Job', jobSchema),
    Timer: conn.model<TimerDoc>('Timer', timerSchema),
    Subscription: conn.model<SubscriptionDoc>('Subscription', subscriptionSchema),
    History: conn.model<HistoryDoc>('History', historySchema),
  };
}

/** Creates the collections and their indexes; safe to run on every start. */
export async function ensureIndexes(m: Models): Promise<void> {
  for (const model of Object.values(m) as Model<unknown>[]) {
    await model.createCollection().catch((err: { codeName?: string; code?: number }) => {
      if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
    });
    await model.createIndexes();
  }
}
