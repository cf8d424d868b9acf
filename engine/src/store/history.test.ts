import type { HistoryEntry } from '../api.js';
import { inSeqOrder, withEntries } from './history.js';

const entry = (seq: number, type = 'first') => ({ seq, type }) as unknown as HistoryEntry;
const shown = (entries: HistoryEntry[]) => entries.map((e) => `${e.seq}:${e.type}`);

test('inSeqOrder: sorted by seq, one entry a seq, the first written kept', () => {
  const out = inSeqOrder([entry(3), entry(1), entry(3, 'replay'), entry(2)]);
  expect(shown(out)).toEqual(['1:first', '2:first', '3:first']);
});

test('withEntries: a step’s entries after the history are appended', () => {
  const history = [entry(0), entry(1)];
  expect(shown(withEntries(history, [entry(2), entry(3)]))).toEqual([
    '0:first',
    '1:first',
    '2:first',
    '3:first',
  ]);
  expect(history).toHaveLength(2); // the kept history is not changed
});

test('withEntries: entries carried again from an unfinished outbox do not repeat or replace', () => {
  const history = [entry(0), entry(1), entry(2)];
  const out = withEntries(history, [entry(1, 'replay'), entry(2, 'replay'), entry(3)]);
  expect(shown(out)).toEqual(['0:first', '1:first', '2:first', '3:first']);
});
