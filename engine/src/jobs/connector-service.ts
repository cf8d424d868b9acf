/**
 * The connector as an engine ServiceHandler, for an engine whose own job loop runs service
 * handlers with leases, backoff and incidents (runDueJobs over the store's job queue):
 *
 *   const engine = createEngine({ store, services: { [CONNECTOR_JOB_TYPE]: connectorService(() => engine, { allowedOrigins }) } });
 *
 * The engine is read lazily because it is created with its services. Every failure is thrown, so
 * the engine retries it; a permanent refusal without gov:errorCode is therefore tried again
 * until its attempts are used up, where ConnectorRunner raises its incident at once.
 */
import { BpmnError, type Engine, type ServiceHandler } from '../index.js';
import type { ConnectorOptions } from './connector.js';
import { attemptConnectorJob, connectorErrorOf } from './connector-runner.js';

export function connectorService(engine: () => Engine, options: ConnectorOptions): ServiceHandler {
  return async (job) => {
    const outcome = await attemptConnectorJob(engine(), job, options);
    if (outcome === 'stale') throw new Error(`job ${job.id} is no longer awaited by its instance`);
    if (outcome.kind === 'bpmnError')
      throw new BpmnError(outcome.errorCode, outcome.message, connectorErrorOf(outcome));
    return outcome.variables;
  };
}
