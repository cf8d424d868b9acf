/**
 * Mongoose models of the MongoDB Store, with every index declared here and created explicitly
 * (autoIndex off) when the store opens.
 *
 * Field names are fixed: user data (variables, form answers, task input elements, history data)
 * lives only inside JSON strings (`state`, `outbox`, `doc`), because variable names may contain
 * dots or start with `$`, which MongoDB field names may not (and FerretDB v1 rejects dots).
 */
import type { IndexSpecification } from 'mongodb';
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

/**
 * One claim per deployed (process id, version): the unique index refuses a second deployment of
 * it. A deploy writes its claims, then its deployment document (see MongoStore.saveDeployment).
 */
export interface ProcessVersionDoc {
  processId: string;
  version: number;
  deploymentId: string;
  /** When the claim was made (ms since the epoch, the claiming node's clock); absent in older claims. */
  at?: number;
}
const processVersionSchema = new Schema<ProcessVersionDoc>(
  { processId: String, version: Number, deploymentId: String, at: Number },
  { ...options, collection: 'process_versions' },
);
processVersionSchema.index({ processId: 1, version: -1 }, { unique: true, name: 'process_version' });

/**
 * The `records` collection holds three kinds of document, told apart by `k` and by an `_id`
 * prefix (so a caller's instance id can never collide with a task or history id): instances
 * (`i:<id>`), inbox tasks (`t:<taskId>`) and history buckets (`h:<instanceId>#<n>`). Keeping them
 * in one collection lets a command's instance save, its projections and the outbox clear go to
 * the server as one ordered bulk write (one round trip), see ./commit.ts. Every secondary index
 * leads with `k`, and every query names the kind it wants.
 */
export type RecordKind = 'i' | 't' | 'h';

export interface InstanceDoc {
  _id: string;
  k: 'i';
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
  /** The commit that wrote this revision (tells our save from a rival's after a failed batch). */
  w?: string;
}

export interface TaskDoc {
  _id: string;
  k: 't';
  instanceId: string;
  processId: string;
  elementId: string;
  department: string | null;
  assignee: string | null;
  /** The task's state ('open', 'completed', ...); named apart from the instance's `state` JSON. */
  ts: string;
  /** taskCursor(task). */
  ord: string;
  deadline?: number;
  completedAt: number | null;
  /** The Task as created, as JSON. */
  doc: string;
}

/**
 * History in buckets (the MongoDB bucket pattern): one document per instance and range of
 * HISTORY_BUCKET step numbers, `_id` `h:<instanceId>#<n>`, entries keyed `s<seq>` (so the entry id
 * `<instanceId>:<seq>` names exactly one slot: writing it again changes nothing). A step's
 * entries are one update; reading an instance's history is a lookup by _id, plus one per further
 * bucket (`top` in bucket 0 is the highest bucket number used).
 */
export interface HistoryDoc {
  _id: string;
  k: 'h';
  instanceId: string;
  n: number;
  top?: number;
  /** Entry JSON by `s<seq>`. */
  e?: Record<string, string>;
}
export const HISTORY_BUCKET = 256;

export type RecordDoc = InstanceDoc | TaskDoc | HistoryDoc;

const recordSchema = new Schema<RecordDoc>(
  {
    _id: String,
    k: String,
    // instances
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
    w: String,
    // tasks (processId above)
    instanceId: String,
    elementId: String,
    department: String,
    assignee: String,
    ts: String,
    ord: String,
    deadline: Number,
    completedAt: Number,
    doc: String,
    // history buckets (instanceId above)
    n: Number,
    top: Number,
    e: Schema.Types.Mixed,
  },
  { ...options, collection: 'records' },
);
recordSchema.index({ k: 1, processId: 1, status: 1, _id: 1 }, { name: 'instance_process_status' });
recordSchema.index({ k: 1, status: 1, _id: 1 }, { name: 'instance_status' });
recordSchema.index({ k: 1, businessKey: 1, _id: 1 }, { name: 'instance_business_key' });
recordSchema.index({ k: 1, pending: 1, _id: 1 }, { name: 'instance_pending' });
recordSchema.index({ deliveries: 1 }, { name: 'instance_deliveries', sparse: true });
recordSchema.index({ k: 1, department: 1, ts: 1, ord: 1 }, { name: 'task_department_state' });
recordSchema.index({ k: 1, assignee: 1, ts: 1, ord: 1 }, { name: 'task_assignee_state' });
recordSchema.index({ k: 1, ts: 1, ord: 1 }, { name: 'task_state' });
recordSchema.index({ k: 1, ts: 1, deadline: 1 }, { name: 'task_state_deadline' });
recordSchema.index({ k: 1, instanceId: 1, ord: 1 }, { name: 'task_instance' });

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

export interface Models {
  Deployment: Model<DeploymentDoc>;
  ProcessVersion: Model<ProcessVersionDoc>;
  Record: Model<RecordDoc>;
  Job: Model<JobDoc>;
  Timer: Model<TimerDoc>;
  Subscription: Model<SubscriptionDoc>;
}

export function models(conn: Connection): Models {
  return {
    Deployment: conn.model<DeploymentDoc>('Deployment', deploymentSchema),
    ProcessVersion: conn.model<ProcessVersionDoc>('ProcessVersion', processVersionSchema),
    Record: conn.model<RecordDoc>('Record', recordSchema),
    Job: conn.model<JobDoc>('Job', jobSchema),
    Timer: conn.model<TimerDoc>('Timer', timerSchema),
    Subscription: conn.model<SubscriptionDoc>('Subscription', subscriptionSchema),
  };
}

/**
 * Creates the collections and their indexes; safe to run on every start. With `secondary` false
 * only the unique indexes are made (they enforce a rule); see usesSecondaryIndexes.
 */
export async function ensureIndexes(m: Models, secondary = true): Promise<void> {
  for (const model of Object.values(m) as Model<unknown>[]) {
    await model.createCollection().catch((err: { codeName?: string; code?: number }) => {
      if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
    });
    if (secondary) {
      await model.createIndexes();
      continue;
    }
    for (const [fields, indexOptions] of model.schema.indexes())
      if (indexOptions.unique)
        await model.collection.createIndex(fields as IndexSpecification, {
          name: indexOptions.name,
          unique: true,
        });
  }
}

/**
 * Whether the server answers a query on a secondary field from an index. FerretDB says in its
 * explain output (`filterPushdown`): v1 on SQLite hands the database only `_id` lookups and
 * filters every other query itself, so an index there is never read and only costs each write
 * (about a quarter of the server's time in the fan-out benchmark). MongoDB has no such field.
 */
export async function usesSecondaryIndexes(conn: Connection): Promise<boolean> {
  const plan = await conn.db!.command({
    explain: { find: 'records', filter: { k: 't', ts: 'open' } },
    verbosity: 'queryPlanner',
  });
  return (plan as { filterPushdown?: unknown }).filterPushdown !== false;
}
