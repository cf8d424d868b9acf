/** Each side of a case warms up for a time, not a count: a slow side's count was over in half a second. */
import { warmUp, type Side } from '../../bench/lib/harness.js';

/** A side whose every batch moves a fake clock on by `msPerBatch`: the test reads no real time. */
function sideTaking(msPerBatch: number, warmup: number) {
  const clock = { ms: 0 };
  const batches: number[] = [];
  const side: Side = {
    label: 'test',
    count: 1,
    warmup,
    async run(count) {
      batches.push(count);
      clock.ms += msPerBatch;
      return { ops: count };
    },
  };
  return { side, batches, now: () => clock.ms };
}

it('runs warm-up batches of the side’s count until the time has passed', async () => {
  const { side, batches, now } = sideTaking(10, 3);
  expect(await warmUp(side, 0.1, now)).toBe(10);
  expect(now()).toBe(100);
  expect(batches).toEqual(new Array(10).fill(3));
});

it('runs one batch at least, however short the time, and none for a warm-up of 0', async () => {
  const slow = sideTaking(30, 2);
  expect(await warmUp(slow.side, 0.001, slow.now)).toBe(1);
  const none = sideTaking(1, 0);
  expect(await warmUp(none.side, 1, none.now)).toBe(0);
  expect(none.batches).toEqual([]);
});
