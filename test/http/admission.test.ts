import type { IncomingMessage, ServerResponse } from 'node:http';
import { onePerTurn } from '../../engine/src/http/admission.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const request = (n: number) => ({ n }) as unknown as IncomingMessage;
const response = {} as ServerResponse;

describe('onePerTurn', () => {
  it('starts requests in the order they came, one per event-loop turn', async () => {
    const started: number[] = [];
    const handle = onePerTurn((req) => started.push((req as unknown as { n: number }).n));
    for (const n of [1, 2, 3]) handle(request(n), response);
    expect(started).toEqual([]);
    await turn();
    expect(started).toEqual([1]);
    await turn();
    expect(started).toEqual([1, 2]);
    handle(request(4), response);
    await turn();
    await turn();
    expect(started).toEqual([1, 2, 3, 4]);
  });

  it('starts a request that comes to an idle server on the next turn', async () => {
    const started: number[] = [];
    const handle = onePerTurn((req) => started.push((req as unknown as { n: number }).n));
    handle(request(1), response);
    await turn();
    await turn();
    handle(request(2), response);
    await turn();
    expect(started).toEqual([1, 2]);
  });
});
