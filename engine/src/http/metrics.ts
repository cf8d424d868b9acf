/**
 * Prometheus metrics (prom-client), one registry per app so tests can run several apps: HTTP
 * request durations by route template, command outcomes, logins, audit appends, and gauges read
 * at scrape time (engine incidents, applications by status).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  /** Current number of engine instances in incident. */
  incidents?: () => Promise<number>;
  /** Applications by status (status → count). */
  applicationsByStatus?: () => Promise<Record<string, number>>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly commands: Counter<'action' | 'outcome'>;
  readonly logins: Counter<'outcome'>;
  readonly auditAppends: Counter<'outcome'>;
  readonly idempotentReplays: Counter;

  constructor(sources: MetricsSources = {}, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'onething_' });
    this.httpDuration = new Histogram({
      name: 'onething_http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.commands = new Counter({
      name: 'onething_commands_total',
      help: 'Domain commands (POST/PATCH) by action and outcome (ok, denied, rejected, error)',
      labelNames: ['action', 'outcome'],
      registers,
    });
    this.logins = new Counter({
      name: 'onething_logins_total',
      help: 'Token requests by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.auditAppends = new Counter({
      name: 'onething_audit_appends_total',
      help: 'Audit log appends by outcome (ok, failed)',
      labelNames: ['outcome'],
      registers,
    });
    this.idempotentReplays = new Counter({
      name: 'onething_idempotent_replays_total',
      help: 'POSTs answered from a stored response (same Idempotency-Key and body)',
      registers,
    });
    if (sources.incidents) {
      const read = sources.incidents;
      new Gauge({
        name: 'onething_incidents',
        help: 'Engine instances currently in incident',
        registers,
        async collect() {
          this.set(await read().catch(() => 0));
        },
      });
    }
    if (sources.applicationsByStatus) {
      const read = sources.applicationsByStatus;
      new Gauge({
        name: 'onething_applications',
        help: 'Applications by status',
        labelNames: ['status'],
        registers,
        async collect() {
          this.reset();
          const counts = await read().catch(() => ({}) as Record<string, number>);
          for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
        },
      });
    }
  }
}
