/**
 * One process of the multi-process booking test: opens its own connection to the SQLite file and
 * books `count` places in one slot at once, printing how many it got as JSON.
 * Usage: tsx book-worker.ts <sqlite file> <network json> <now ms> <worker no> <count> <date> <start>
 */
import { readFileSync } from 'node:fs';
import { SqliteDocStore } from '../../domain/docs-sqlite.js';
import { DomainError } from '../../domain/errors.js';
import { AppointmentBook } from '../appointments.js';
import { loadNetwork } from '../load.js';
import { NETWORK_DOC_INDEXES } from '../index.js';

const [file, networkFile, now, worker, count, date, start] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];
const docs = new SqliteDocStore(file, NETWORK_DOC_INDEXES);
const book = new AppointmentBook({
  docs,
  network: loadNetwork(JSON.parse(readFileSync(networkFile, 'utf8'))),
  clock: () => Number(now),
});
const results = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    book
      .book(
        { userId: `w${worker}-u${i}`, name: 'x', role: 'applicant' },
        { venue: 'zhuhai-centre', windowType: 'comprehensive', date, start },
      )
      .then(() => 'ok' as const)
      .catch((err: unknown) => (err instanceof DomainError ? err.code : String(err))),
  ),
);
docs.close();
process.stdout.write(
  JSON.stringify({
    ok: results.filter((r) => r === 'ok').length,
    refused: results.filter((r) => r !== 'ok'),
  }),
);
