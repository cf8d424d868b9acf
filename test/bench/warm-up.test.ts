/** Each side of a case warms up for a time, not a count: a slow side's count was over in half a second. */
import { warmUp, type Side } from '../../bench/lib/harness.js';

function sideTaking(msPerBatch: number, warmup: number): Side & { batches: number[] } {
  const batches: number[] = [];
  return {
    label: 'test',
    count: 1,
    warmup,
    batches,
    async run(count) {
      batches.push(count);
      await new Promise((resolve) => setTimeout(resolve, msPerBatch));
      return { ops: count };
    },
  };
}

it('runs warm-up batches of the side’s count until the time has passed', async () => {
  const side = sideTaking(10, 3);
  const started = performance.now();
  const batches = await warmUp(side, 0.1);
  expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  expect(batches).toBeGreaterThanOrEqual(5);
  expect(side.batches).toEqual(new Array(batches).fill(3));
});

it('runs one batch at least, however short the time, and none for a warm-up of 0', async () => {
  const slow = sideTaking(30, 2);
  expect(await warmUp(slow, 0.001)).toBe(1);
  const none = sideTaking(1, 0);
  expect(await warmUp(none, 1)).toBe(0);
  expect(none.batches).toEqual([]);
});
