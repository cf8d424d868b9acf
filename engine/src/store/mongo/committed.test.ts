/**
 * CommittedRecords without a server: the history it calls exact at a revision must hold every
 * entry up to it. A MongoDB commit is not atomic (the save, then its history entries), so a view
 * reading the history while this store's commit is still writing must not be kept.
 */
import type { HistoryEntry } from '../../api.js';
import { CommittedRecords } from './committed.js';
import type { InstanceDoc } from './models.js';
import { instanceKey } from './records.js';

const ID = 'x';
const entry = (seq: number) => ({ seq, type: 'node', at: 0 }) as unknown as HistoryEntry;
const entries = (...seqs: number[]) => seqs.map(entry);
const seqs = (history: HistoryEntry[] | undefined) => history?.map((e) => e.seq);

/** The instance document at `rev`, whose last history entry is `seq`. */
function doc(rev: number, seq: number): InstanceDoc {
  return {
    _id: instanceKey(ID),
    k: 'i',
    processId: 'p',
    version: 1,
    deploymentId: 'd',
    businessKey: null,
    status: 'active',
    parentInstanceId: null,
    rev,
    startedAt: 0,
    updatedAt: 0,
    state: JSON.stringify({ id: ID, seq, status: 'active', tasks: {}, waits: {} }),
    outbox: null,
    pending: false,
  };
}

test('a history read that began before this store kept the revision is not kept', () => {
  const own = new CommittedRecords();
  // Rev 4 was another node's (nothing kept). A view starts reading while our commit of rev 5 runs:
  const seen = own.current(ID);
  own.committed(doc(5, 4), 4, own.take(ID), entries(4)); // the commit ends…
  own.fill(ID, 5, entries(0, 1, 2, 3), seen); // …and the read, which missed entry 4, arrives
  expect(own.history(ID, 5)).toBeUndefined();
  // The next commit on top does not make a history out of the partial read either.
  own.committed(doc(6, 5), 5, own.take(ID), entries(5));
  expect(own.history(ID, 6)).toBeUndefined();
});

test('a read that began after the commit had ended is kept, up to the revision’s last entry', () => {
  const own = new CommittedRecords();
  own.committed(doc(5, 4), 4, own.take(ID), entries(4));
  const seen = own.current(ID);
  // Another node may have committed rev 6 since: its entry 5 is not part of rev 5.
  own.fill(ID, 5, entries(0, 1, 2, 3, 4, 5), seen);
  expect(seqs(own.history(ID, 5))).toEqual([0, 1, 2, 3, 4]);
  own.committed(doc(6, 5), 5, own.take(ID), entries(5));
  expect(seqs(own.history(ID, 6))).toEqual([0, 1, 2, 3, 4, 5]);
});

test('a history longer than 1,000 entries is not kept: it is read each time', () => {
  const own = new CommittedRecords();
  const long = Array.from({ length: 1001 }, (_, seq) => entry(seq));
  own.committed(doc(1, 1000), null, own.take(ID), long);
  expect(own.history(ID, 1)).toBeUndefined();
  own.committed(doc(2, 1001), 1, own.take(ID), entries(1001));
  const seen = own.current(ID);
  own.fill(ID, 2, [...long, entry(1001)], seen);
  expect(own.history(ID, 2)).toBeUndefined();
});

test('a created instance’s history is what its commit wrote', () => {
  const own = new CommittedRecords();
  own.committed(doc(1, 1), null, own.take(ID), entries(0, 1));
  expect(seqs(own.history(ID, 1))).toEqual([0, 1]);
  expect(own.history(ID, 2)).toBeUndefined();
});
