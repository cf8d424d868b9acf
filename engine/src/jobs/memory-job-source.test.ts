import { describeJobSourceContract } from './job-source.contract.js';
import { MemoryJobSource } from './memory-job-source.js';

describeJobSourceContract('memory', async () => {
  const source = new MemoryJobSource();
  return { source, add: (job) => source.add(job) };
});

describe('MemoryJobSource', () => {
  it('ignores a job added twice (effects may be projected twice)', async () => {
    const source = new MemoryJobSource();
    await source.add({ id: 'a', type: 'call', dueAt: 0 });
    await source.add({ id: 'a', type: 'other', dueAt: 0 });
    const [claimed] = await source.claim(0, 'w', 1000, 10);
    expect(claimed!.type).toBe('call');
  });
});
