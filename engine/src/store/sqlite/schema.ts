/**
 * SQLite schema, versioned with `PRAGMA user_version`: migration N brings a database from
 * version N-1 to N inside one transaction. Opening a database runs only the missing ones, so a
 * command never does schema work. Add a migration at the end; never edit a shipped one.
 *
 * Layout: the instance record is one row whose state and outbox are JSON text (user variable
 * names never become column names). Projections have their query fields as columns and the
 * whole object as JSON in `doc`, so reads parse one column and inbox queries hit an index.
 */
import type Database from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  // 1: the first schema.
  `
  CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE TABLE process_versions (
    process_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    deployment_id TEXT NOT NULL,
    PRIMARY KEY (process_id, version)
  ) WITHOUT ROWID;

  CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    deployment_id TEXT NOT NULL,
    business_key TEXT,
    status TEXT NOT NULL,
    parent_id TEXT,
    rev INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    -- JSON array of effects not yet projected; NULL when empty.
    outbox TEXT
  );
  CREATE INDEX instances_process_status ON instances (process_id, status, id);
  CREATE INDEX instances_status ON instances (status, id);
  CREATE INDEX instances_business_key ON instances (business_key, id) WHERE business_key IS NOT NULL;
  CREATE INDEX instances_pending ON instances (id) WHERE outbox IS NOT NULL;

  CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    process_id TEXT NOT NULL,
    element_id TEXT NOT NULL,
    department TEXT,
    assignee TEXT,
    state TEXT NOT NULL,
    -- taskCursor(task): createdAt then id, the inbox order and the pagination cursor.
    ord TEXT NOT NULL,
    deadline INTEGER,
    completed_at INTEGER,
    doc TEXT NOT NULL
  );
  CREATE INDEX tasks_department_state ON tasks (department, state, ord);
  CREATE INDEX tasks_assignee_state ON tasks (assignee, state, ord);
  CREATE INDEX tasks_state ON tasks (state, ord);
  CREATE INDEX tasks_state_deadline ON tasks (state, deadline) WHERE deadline IS NOT NULL;
  CREATE INDEX tasks_instance ON tasks (instance_id, ord);

  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    type TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX jobs_instance ON jobs (instance_id);
  CREATE INDEX jobs_type ON jobs (type, created_at);

  CREATE TABLE timers (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    element_id TEXT NOT NULL,
    due_at INTEGER NOT NULL
  );
  CREATE INDEX timers_due ON timers (due_at);
  CREATE INDEX timers_instance ON timers (instance_id);

  CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    message_name TEXT NOT NULL,
    correlation_key TEXT
  );
  CREATE INDEX subscriptions_name_key ON subscriptions (message_name, correlation_key);
  CREATE INDEX subscriptions_instance ON subscriptions (instance_id);

  -- An entry's id is '<instance id>:<seq>', so (instance_id, seq) is the id: one b-tree, in order.
  CREATE TABLE history (
    instance_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (instance_id, seq)
  ) WITHOUT ROWID;
  `,
  // 2: deliveries an instance has applied (published messages, escalations), saved with its record
  // so a replayed follow-up is recognised.
  `
  CREATE TABLE deliveries (
    delivery_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    PRIMARY KEY (delivery_id, instance_id)
  ) WITHOUT ROWID;
  `,
  // 3: the job queue (timers and service-task jobs with leases, retries) and its incidents.
  `
  CREATE TABLE job_queue (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    payload TEXT,
    instance_id TEXT,
    element_id TEXT,
    -- ready | done | incident | cancelled
    state TEXT NOT NULL,
    -- as scheduled; scheduling again with another due time makes the job due afresh
    due_at INTEGER NOT NULL,
    -- when it may run next; NULL once it has given up
    next_run_at INTEGER,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    last_error TEXT,
    owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    -- incidents so far; the n-th has id '<job id>#<n>'
    incidents INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX job_queue_due ON job_queue (next_run_at, id) WHERE state = 'ready';
  CREATE INDEX job_queue_instance ON job_queue (instance_id);

  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    instance_id TEXT,
    element_id TEXT,
    message TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    comment TEXT
  );
  CREATE INDEX incidents_created ON incidents (created_at, id);
  CREATE INDEX incidents_instance ON incidents (instance_id, created_at);

  -- What was waiting before the queue existed is queued (3 attempts, the default).
  INSERT INTO job_queue (id, type, payload, instance_id, element_id, state, due_at, next_run_at, attempts, max_attempts)
    SELECT id, 'bpmn:timer', json_object('dueAt', due_at), NULLIF(instance_id, ''), element_id, 'ready', due_at,
      due_at, 0, 3 FROM timers;
  INSERT INTO job_queue (id, type, instance_id, element_id, state, due_at, next_run_at, attempts, max_attempts)
    SELECT id, type, instance_id, json_extract(doc, '$.elementId'), 'ready', created_at, created_at, 0,
      max(1, coalesce(json_extract(doc, '$.retries'), 3)) FROM jobs;
  `,
  // 4: history appended in commit order, one row per command. Keyed by (instance_id, seq), each
  // entry went into the middle of the b-tree (instance ids are random) and split full pages there:
  // ~5 WAL pages a command. A rowid table takes each command's entries (a JSON array, seq
  // ascending) at its right edge; the unique index on (instance_id, last seq), one short entry per
  // command, finds an instance's entries in order and makes a replayed projection a no-op.
  `
  ALTER TABLE history RENAME TO history_v3;
  CREATE TABLE history (
    n INTEGER PRIMARY KEY,
    instance_id TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    entries TEXT NOT NULL
  );
  INSERT INTO history (instance_id, last_seq, entries)
    SELECT instance_id, seq, '[' || doc || ']' FROM history_v3 ORDER BY instance_id, seq;
  DROP TABLE history_v3;
  CREATE UNIQUE INDEX history_instance_seq ON history (instance_id, last_seq);
  `,
  // 5: fewer b-trees written per command (each one a WAL page or more per commit). Every instance
  // gets a small integer key k in the order it was first projected; history and tasks are rowid
  // tables keyed by (k << 32) + a number within the instance, so an instance's rows sit together,
  // a new instance's at the right edge, and "the rows of instance X" is a rowid range: no
  // (instance_id, …) index on either table. The task inbox indexes cover open tasks only
  // (partial indexes, queried with the literal state = 'open'): a completed task leaves them
  // instead of moving to another place in each; other states are read by instance, or scanned.
  `
  CREATE TABLE instance_keys (
    k INTEGER PRIMARY KEY,
    instance_id TEXT NOT NULL UNIQUE
  );
  INSERT INTO instance_keys (instance_id)
    SELECT instance_id FROM history GROUP BY instance_id ORDER BY min(n);
  INSERT OR IGNORE INTO instance_keys (instance_id)
    SELECT instance_id FROM tasks GROUP BY instance_id ORDER BY min(rowid);

  DROP INDEX history_instance_seq;
  ALTER TABLE history RENAME TO history_v4;
  CREATE TABLE history (
    -- (k << 32) + the seq of the row's last entry; entries: a JSON array, seq ascending
    n INTEGER PRIMARY KEY,
    entries TEXT NOT NULL
  );
  INSERT INTO history (n, entries)
    SELECT (k.k << 32) + h.last_seq, h.entries FROM history_v4 h JOIN instance_keys k USING (instance_id)
    ORDER BY 1;
  DROP TABLE history_v4;

  ALTER TABLE tasks RENAME TO tasks_v4;
  DROP INDEX tasks_department_state;
  DROP INDEX tasks_assignee_state;
  DROP INDEX tasks_state;
  DROP INDEX tasks_state_deadline;
  DROP INDEX tasks_instance;
  CREATE TABLE tasks (
    -- (k << 32) + the task's number within its instance
    n INTEGER PRIMARY KEY,
    -- the other columns as in migration 1, the id now unique rather than the key
    id TEXT NOT NULL UNIQUE, instance_id TEXT NOT NULL, process_id TEXT NOT NULL, element_id TEXT NOT NULL,
    department TEXT, assignee TEXT, state TEXT NOT NULL, ord TEXT NOT NULL, deadline INTEGER,
    completed_at INTEGER, doc TEXT NOT NULL
  );
  INSERT INTO tasks (n, id, instance_id, process_id, element_id, department, assignee, state, ord, deadline, completed_at, doc)
    SELECT (k.k << 32) + row_number() OVER (PARTITION BY t.instance_id ORDER BY t.rowid),
      t.id, t.instance_id, t.process_id, t.element_id, t.department, t.assignee, t.state, t.ord, t.deadline,
      t.completed_at, t.doc
    FROM tasks_v4 t JOIN instance_keys k USING (instance_id)
    ORDER BY 1;
  DROP TABLE tasks_v4;
  CREATE INDEX tasks_open_department ON tasks (department, ord) WHERE state = 'open';
  CREATE INDEX tasks_open_assignee ON tasks (assignee, ord) WHERE state = 'open' AND assignee IS NOT NULL;
  CREATE INDEX tasks_open ON tasks (ord) WHERE state = 'open';
  CREATE INDEX tasks_open_deadline ON tasks (deadline) WHERE state = 'open' AND deadline IS NOT NULL;
  `,
  // 6: an instance that ends no longer moves in two status indexes (four b-tree pages). The
  // process index leaves the status out; the status index holds unfinished instances only
  // (incident and active: what the server asks for), queried with the literal partial term.
  `
  DROP INDEX instances_process_status;
  DROP INDEX instances_status;
  CREATE INDEX instances_process ON instances (process_id, id);
  CREATE INDEX instances_unfinished ON instances (status, id) WHERE status <> 'completed';
  `,
  // 7: no index over every task id (a b-tree page or more per command). A task whose id is
  // '<its instance id>.<letters><number>' (as the runtime makes them) sits at n = (k << 32) +
  // that number, found by rowid from its id alone; any other task, and every task written
  // before, sits in the upper half of its instance's range, n = (k << 32) + 2^31 + m, where a
  // partial index on the id finds it. A task's n no longer follows the order it was written in
  // (findTasks orders by ord, not n).
  `
  ALTER TABLE tasks RENAME TO tasks_v6;
  DROP INDEX tasks_open_department;
  DROP INDEX tasks_open_assignee;
  DROP INDEX tasks_open;
  DROP INDEX tasks_open_deadline;
  CREATE TABLE tasks (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL, instance_id TEXT NOT NULL, process_id TEXT NOT NULL, element_id TEXT NOT NULL,
    department TEXT, assignee TEXT, state TEXT NOT NULL, ord TEXT NOT NULL, deadline INTEGER,
    completed_at INTEGER, doc TEXT NOT NULL
  );
  INSERT INTO tasks (n, id, instance_id, process_id, element_id, department, assignee, state, ord, deadline, completed_at, doc)
    SELECT ((n >> 32) << 32) + 2147483648 + (n & 4294967295), id, instance_id, process_id, element_id,
      department, assignee, state, ord, deadline, completed_at, doc
    FROM tasks_v6 ORDER BY n;
  DROP TABLE tasks_v6;
  CREATE UNIQUE INDEX tasks_spare_id ON tasks (id) WHERE (n & 2147483648) <> 0;
  CREATE INDEX tasks_open_department ON tasks (department, ord) WHERE state = 'open';
  CREATE INDEX tasks_open_assignee ON tasks (assignee, ord) WHERE state = 'open' AND assignee IS NOT NULL;
  CREATE INDEX tasks_open ON tasks (ord) WHERE state = 'open';
  CREATE INDEX tasks_open_deadline ON tasks (deadline) WHERE state = 'open' AND deadline IS NOT NULL;
  `,
  // 8: no change to the tables. Instance states are now saved with their waits, tasks and jobs
  // keyed instance-locally ('w7', not '<instance id>.w7'; runtime/state.ts withLocalKeys upgrades
  // older ones as they load), which an older OneThing cannot read: it would take a due timer, an
  // open task or a message wait for one already closed. The new version makes it refuse the file.
  `
  SELECT 1;
  `,
  // 9: no index of every open task in inbox order (a b-tree page nearly every command wrote):
  // findTasks merges the departments' pages from tasks_open_department instead.
  `
  DROP INDEX tasks_open;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database to SCHEMA_VERSION (or to `upTo`: tests build an older version's database
 * this way); refuses a database written by a newer OneThing.
 */
export function migrate(db: Database.Database, upTo: number = SCHEMA_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this OneThing understands (${SCHEMA_VERSION}); upgrade OneThing`,
    );
  }
  for (let v = current; v < upTo; v++) {
    db.transaction(() => {
      // Another process may have migrated while this one waited for the write lock.
      if ((db.pragma('user_version', { simple: true }) as number) > v) return;
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
