/**
 * The job queue in the SQLite store's file (tables `job_queue` and `incidents`, created by the
 * store's schema migrations). Claiming is one `UPDATE … WHERE id IN (due, free or expired) …
 * RETURNING` in a write transaction, so two processes on one file never hold the same job. The
 * store's projections call `schedule` and `finish` inside their own transaction (synchronous,
 * better-sqlite3), so a timer or job is queued atomically with the step that created it.
 */
import type Database from 'better-sqlite3';
import { incidentId, type ClaimedJob, type JobQueue, type NewJob } from './job-source.js';
import {
  IncidentStateError,
  initialRetryState,
  openIncident,
  resolveIncident,
  type IncidentRecord,
} from './retry.js';

interface QueueRow {
  id: string;
  type: string;
  payload: string | null;
  instance_id: string | null;
  element_id: string | null;
  state: string;
  next_run_at: number | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  owner: string | null;
  lease_until: number;
  incidents: number;
}

interface IncidentRow {
  id: string;
  job_id: string;
  instance_id: string | null;
  element_id: string | null;
  message: string;
  created_at: number;
  resolved_at: number | null;
  comment: string | null;
}

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteJobSource implements JobQueue {
  private readonly s: ReturnType<typeof prepare>;
  private readonly claimTx: Database.Transaction<
    (now: number, owner: string, leaseMs: number, limit: number, types: string | null) => QueueRow[]
  >;
  private readonly failTx: Database.Transaction<
    (id: string, owner: string, error: string, nextRunAt: number | null, now: number) => boolean
  >;
  private readonly closeTx: Database.Transaction<
    (id: string, comment: string, now: number, retry: boolean) => IncidentRecord
  >;

  constructor(db: Database.Database) {
    this.s = prepare(db);
    this.claimTx = db.transaction(
      (now, owner, leaseMs, limit, types) =>
        this.s.claim.all(owner, now + leaseMs, now, now, types, types, limit) as QueueRow[],
    );
    this.failTx = db.transaction((id, owner, error, nextRunAt, now) => {
      const row = this.s.held.get(id, owner) as QueueRow | undefined;
      if (!row) return false;
      if (row.state === 'finished') {
        this.s.complete.run(id, owner); // the instance no longer wants it: nothing to retry
        return true;
      }
      if (nextRunAt !== null) {
        this.s.retryLater.run(error, nextRunAt, id);
        return true;
      }
      const n = row.incidents + 1;
      this.s.giveUp.run(error, n, id);
      const incident = openIncident(
        incidentId(id, n),
        { id, instanceId: row.instance_id, elementId: row.element_id },
        error,
        now,
      );
      this.s.insertIncident.run(
        incident.id,
        incident.jobId,
        incident.instanceId,
        incident.elementId,
        incident.message,
        incident.createdAt,
      );
      return true;
    });
    this.closeTx = db.transaction((id, comment, now, retry) => {
      const row = this.s.getIncident.get(id) as IncidentRow | undefined;
      if (!row) throw new IncidentStateError(`no incident ${id}`);
      const closed = resolveIncident(incidentOf(row), comment, now);
      this.s.closeIncident.run(closed.resolvedAt, closed.comment, id);
      // A retry is a fresh set of attempts, due now (grantRetry); the last error stays for the record.
      if (retry) {
        this.s.grantRetry.run(now, row.job_id);
      } else {
        this.s.cancel.run(row.job_id);
      }
      return closed;
    });
  }

  async add(job: NewJob): Promise<void> {
    this.insert(job);
  }

  /** Queues a job from a projection: see MemoryJobSource.schedule (same rules). */
  schedule(job: NewJob): void {
    if (!this.insert(job)) this.s.reschedule.run(job.dueAt, job.dueAt, payloadOf(job), job.id, job.dueAt);
  }

  /** A projection says the instance is done with the job (timer fired or cancelled, job ended). */
  finish(id: string): void {
    this.s.finish.run(id);
  }

  async claim(
    now: number,
    owner: string,
    leaseMs: number,
    limit: number,
    types?: readonly string[],
  ): Promise<ClaimedJob[]> {
    if (types?.length === 0) return [];
    const rows = this.claimTx.immediate(now, owner, leaseMs, limit, types ? JSON.stringify(types) : null);
    // RETURNING comes in no particular order.
    rows.sort((a, b) => a.next_run_at! - b.next_run_at! || (a.id < b.id ? -1 : 1));
    return rows.map(claimedOf);
  }

  async complete(id: string, owner: string): Promise<boolean> {
    return this.s.complete.run(id, owner).changes > 0;
  }

  async fail(
    id: string,
    owner: string,
    error: string,
    nextRunAt: number | null,
    now: number,
  ): Promise<boolean> {
    return this.failTx.immediate(id, owner, error, nextRunAt, now);
  }

  async listIncidents(filter: { open?: boolean; instanceId?: string } = {}): Promise<IncidentRecord[]> {
    const open = filter.open === undefined ? null : filter.open ? 1 : 0;
    const rows = this.s.listIncidents.all(open, open, filter.instanceId ?? null, filter.instanceId ?? null);
    return (rows as IncidentRow[]).map(incidentOf);
  }

  async retryIncident(id: string, now: number, comment = 'retried'): Promise<IncidentRecord> {
    return this.closeTx.immediate(id, comment, now, true);
  }

  async resolveIncident(id: string, comment: string, now: number): Promise<IncidentRecord> {
    return this.closeTx.immediate(id, comment, now, false);
  }

  /** Inserts if absent; true when inserted. */
  private insert(job: NewJob): boolean {
    const retry = initialRetryState(job.dueAt, job.maxAttempts);
    return (
      this.s.insert.run(
        job.id,
        job.type,
        payloadOf(job),
        job.instanceId ?? null,
        job.elementId ?? null,
        job.dueAt,
        retry.nextRunAt,
        retry.maxAttempts,
      ).changes > 0
    );
  }
}

const COLUMNS =
  'id, type, payload, instance_id, element_id, state, next_run_at, attempts, max_attempts, last_error, owner, lease_until, incidents';

function prepare(db: Database.Database) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    insert: p(
      'INSERT INTO job_queue (id, type, payload, instance_id, element_id, state, due_at, next_run_at, attempts, max_attempts) ' +
        "VALUES (?, ?, ?, ?, ?, 'ready', ?, ?, 0, ?) ON CONFLICT (id) DO NOTHING",
    ),
    reschedule: p(
      "UPDATE job_queue SET state = 'ready', due_at = ?, next_run_at = ?, payload = ?, attempts = 0, " +
        'last_error = NULL, owner = NULL, lease_until = 0 WHERE id = ? AND due_at != ?',
    ),
    // A job nobody holds is done; a held one is finished until its holder reports.
    finish: p(
      "UPDATE job_queue SET state = CASE WHEN owner IS NULL THEN 'done' ELSE 'finished' END WHERE id = ? AND state = 'ready'",
    ),
    // Due, not finished, lease free or expired, of the types asked for (a JSON array, or NULL: all).
    claim: p(
      `UPDATE job_queue SET owner = ?, lease_until = ? WHERE id IN (
        SELECT id FROM job_queue
        WHERE state = 'ready' AND next_run_at <= ? AND (owner IS NULL OR lease_until <= ?)
          AND (? IS NULL OR type IN (SELECT value FROM json_each(?)))
        ORDER BY next_run_at, id LIMIT ?
      ) RETURNING ${COLUMNS}`,
    ),
    held: p(`SELECT ${COLUMNS} FROM job_queue WHERE id = ? AND state IN ('ready', 'finished') AND owner = ?`),
    complete: p(
      "UPDATE job_queue SET state = 'done' WHERE id = ? AND owner = ? AND state IN ('ready', 'finished')",
    ),
    retryLater: p(
      'UPDATE job_queue SET attempts = attempts + 1, last_error = ?, next_run_at = ?, owner = NULL, lease_until = 0 WHERE id = ?',
    ),
    giveUp: p(
      "UPDATE job_queue SET state = 'incident', attempts = attempts + 1, last_error = ?, next_run_at = NULL, " +
        'owner = NULL, lease_until = 0, incidents = ? WHERE id = ?',
    ),
    grantRetry: p(
      "UPDATE job_queue SET state = 'ready', attempts = 0, next_run_at = ?, owner = NULL, lease_until = 0 WHERE id = ?",
    ),
    cancel: p("UPDATE job_queue SET state = 'cancelled', owner = NULL WHERE id = ?"),
    insertIncident: p(
      'INSERT INTO incidents (id, job_id, instance_id, element_id, message, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    getIncident: p('SELECT * FROM incidents WHERE id = ?'),
    closeIncident: p('UPDATE incidents SET resolved_at = ?, comment = ? WHERE id = ?'),
    listIncidents: p(
      `SELECT * FROM incidents
       WHERE (? IS NULL OR (resolved_at IS NULL) = ?) AND (? IS NULL OR instance_id = ?)
       ORDER BY created_at, id`,
    ),
  };
}

function payloadOf(job: NewJob): string | null {
  return job.payload === undefined ? null : JSON.stringify(job.payload);
}

function claimedOf(row: QueueRow): ClaimedJob {
  return {
    id: row.id,
    type: row.type,
    payload: row.payload === null ? null : (JSON.parse(row.payload) as unknown),
    instanceId: row.instance_id,
    elementId: row.element_id,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    leaseUntil: row.lease_until,
  };
}

function incidentOf(row: IncidentRow): IncidentRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    instanceId: row.instance_id,
    elementId: row.element_id,
    message: row.message,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    comment: row.comment,
  };
}
