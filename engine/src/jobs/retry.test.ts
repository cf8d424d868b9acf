import {
  DEFAULT_BACKOFF,
  IncidentStateError,
  afterFailure,
  backoffDelay,
  grantRetry,
  initialRetryState,
  openIncident,
  resolveIncident,
} from './retry.js';

describe('backoffDelay', () => {
  it('grows by the factor from the base and stops at the maximum', () => {
    const policy = { baseMs: 1000, factor: 3, maxMs: 20_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n))).toEqual([1000, 3000, 9000, 20_000, 20_000]);
    expect(backoffDelay(policy, 10_000)).toBe(20_000);
    expect([1, 2, 3].map((n) => backoffDelay(DEFAULT_BACKOFF, n))).toEqual([10_000, 20_000, 40_000]);
  });

  it('is the same every time (no jitter) and refuses a failure count below 1', () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 4)).toBe(backoffDelay(DEFAULT_BACKOFF, 4));
    expect(() => backoffDelay(DEFAULT_BACKOFF, 0)).toThrow(RangeError);
  });
});

describe('retry bookkeeping', () => {
  const policy = { baseMs: 100, factor: 2, maxMs: 1000 };

  it('schedules each retry after its delay and gives up after maxAttempts failures', () => {
    let state = initialRetryState(0, 3);
    const first = afterFailure(state, 'HTTP 503', 1000, policy);
    expect(first).toEqual({
      exhausted: false,
      state: { attempts: 1, maxAttempts: 3, lastError: 'HTTP 503', nextRunAt: 1100 },
    });
    state = afterFailure(first.state, 'timeout', 1100, policy).state;
    expect(state).toMatchObject({ attempts: 2, nextRunAt: 1300, lastError: 'timeout' });
    const last = afterFailure(state, 'HTTP 500', 1300, policy);
    expect(last).toEqual({
      exhausted: true,
      state: { attempts: 3, maxAttempts: 3, lastError: 'HTTP 500', nextRunAt: null },
    });
  });

  it('gives a single-attempt job up on its first failure and rejects a zero budget', () => {
    expect(afterFailure(initialRetryState(0, 1), 'boom', 5, policy).exhausted).toBe(true);
    expect(() => initialRetryState(0, 0)).toThrow(RangeError);
  });

  it('grants a fresh budget on a supervisor retry, due now, backoff from the base again', () => {
    const given = afterFailure(
      afterFailure(initialRetryState(0, 2), 'a', 10, policy).state,
      'b',
      200,
      policy,
    ).state;
    const retried = grantRetry(given, 5000);
    expect(retried).toEqual({ attempts: 0, maxAttempts: 2, lastError: 'b', nextRunAt: 5000 });
    expect(afterFailure(retried, 'c', 5000, policy).state.nextRunAt).toBe(5100);
    expect(grantRetry(given, 5000, 5).maxAttempts).toBe(5);
  });
});

describe('incidents', () => {
  const incident = openIncident(
    'inc-1',
    { id: 'job-1', instanceId: 'i-1', elementId: 'notifyTax' },
    'HTTP 500 from tax system',
    42,
  );

  it('records the job, the element and the last error, open', () => {
    expect(incident).toEqual({
      id: 'inc-1',
      jobId: 'job-1',
      instanceId: 'i-1',
      elementId: 'notifyTax',
      message: 'HTTP 500 from tax system',
      createdAt: 42,
      resolvedAt: null,
      comment: null,
    });
    expect(openIncident('inc-2', { id: 'job-2' }, 'x', 0)).toMatchObject({
      instanceId: null,
      elementId: null,
    });
  });

  it('resolves once, with a comment', () => {
    const resolved = resolveIncident(incident, '  tax endpoint fixed, retried ', 99);
    expect(resolved).toMatchObject({ resolvedAt: 99, comment: 'tax endpoint fixed, retried' });
    expect(incident.resolvedAt).toBeNull(); // pure: the input is untouched
    expect(() => resolveIncident(resolved, 'again', 100)).toThrow(IncidentStateError);
    expect(() => resolveIncident(incident, '   ', 100)).toThrow(/needs a comment/);
  });
});
