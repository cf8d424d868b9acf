/**
 * The DocStore beside the engine's Store: the same database (the SQLite file, or the MongoDB
 * connection), with the indexes the service centre's queries need.
 */
import { NETWORK_DOC_INDEXES } from '../network/index.js';
import type { Store } from '../store/port.js';
import type { DocStore } from './docs.js';
import { MemoryDocStore } from './docs.js';
import { SqliteDocStore, type DocIndexes } from './docs-sqlite.js';

export const DOC_INDEXES: DocIndexes = {
  applications: [
    ['status'],
    ['applicantUserId'],
    // A proxy agent's account lists the cases they act in (scope.ts agentListScope).
    ['agentUserId'],
    ['region', 'createdAt'],
    ['city', 'createdAt'],
    ['createdAt'],
    // The supervisor figures of a period (aggregates.ts casesInPeriod): cases by acceptance date,
    // in the scopes a supervisor has (a district, a city, everywhere).
    ['region', 'acceptedAt'],
    ['city', 'acceptedAt'],
    ['acceptedAt'],
    // The sweep's cases due by now (sweep-due.ts): only running cases have the field.
    ['sweepAt'],
  ],
  // The supervisor figures' rows (case-figures.ts): read by scope and period as the cases above.
  caseFigures: [['region', 'acceptedAt'], ['city', 'acceptedAt'], ['acceptedAt']],
  departmentTasks: [
    ['department', 'state', 'deadline'],
    ['department', 'timeStatus', 'deadline'],
    // 属地 (scope.ts taskScope): a department's office, a district's or a city's supervisor.
    ['department', 'deciderRegion', 'deadline'],
    ['deciderDistrict', 'deadline'],
    ['deciderCity', 'deadline'],
    // A city-wide supervisor pages every task by deadline.
    ['deadline'],
    ['applicationId'],
  ],
  rectifications: [
    ['department', 'status', 'deadline'],
    ['city', 'deadline'],
    ['region', 'deadline'],
    ['status', 'deadline'],
    ['applicationId'],
  ],
  // code + status: the Centre counts a bundle's active versions per application start (activeBundle);
  // without it each count read every version's whole body (~25 kB of JSON) for its status.
  bundles: [
    ['code', 'version'],
    ['code', 'status'],
  ],
  // A licence's holder is sealed and found by its hash (security/blind-index.ts); holderId finds
  // licences stored before that, until they are sealed (on start: security/reseal.ts).
  licences: [['holderKey'], ['holderId']],
  // commandId: whether a command's entry is in already (audit/log.ts entryOf), in one look-up.
  audit: [['seq'], ['kind', 'seq'], ['action', 'seq'], ['userId', 'seq'], ['commandId']],
  idempotency: [['userId']],
};

export async function openDocStore(
  store: Store,
  indexes: DocIndexes = { ...DOC_INDEXES, ...NETWORK_DOC_INDEXES },
): Promise<DocStore> {
  const s = store as { connection?: unknown; file?: string };
  if (s.connection) {
    const { MongoDocStore } = await import('./docs-mongo.js');
    return new MongoDocStore(s.connection as import('mongoose').Connection, indexes);
  }
  if (typeof s.file === 'string') return new SqliteDocStore(s.file, indexes, { backgroundCheckpoints: true });
  return new MemoryDocStore();
}
