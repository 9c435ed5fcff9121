import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Services declare their own metrics with these, registered on ctx.metrics.registry.
export { Counter, Gauge, Histogram };

/** Metric names the fleet exports. Alert rules and dashboards are tested against this list. */
export const METRIC = {
  httpDuration: 'http_request_duration_seconds',
  queueJobs: 'linkops_queue_jobs',
  jobDuration: 'linkops_job_duration_seconds',
  jobsCompleted: 'linkops_jobs_completed_total',
  jobsFailed: 'linkops_jobs_failed_total',
  deadLetters: 'linkops_dead_letter_jobs',
} as const;

export type QueueCounts = Record<'waiting' | 'active' | 'delayed' | 'failed' | 'completed', number>;

export interface ServiceMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  jobDuration: Histogram<'queue' | 'outcome'>;
  jobsCompleted: Counter<'queue'>;
  jobsFailed: Counter<'queue'>;
}

/**
 * One registry per service, with default process metrics (labelled by service) and the HTTP/queue
 * metrics every service shares. `queueCounts` is read at scrape time so the gauges are never stale.
 */
export function createMetrics(
  service: string,
  queueCounts: () => Promise<Array<{ queue: string; counts: QueueCounts; deadLetters: number }>>,
): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: METRIC.httpDuration,
    help: 'HTTP request duration by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: METRIC.jobDuration,
    help: 'Job processing time by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  const jobsCompleted = new Counter({ name: METRIC.jobsCompleted, help: 'Jobs completed', labelNames: ['queue'] as const, registers: [registry] });
  const jobsFailed = new Counter({ name: METRIC.jobsFailed, help: 'Job attempts failed', labelNames: ['queue'] as const, registers: [registry] });
  new Gauge({
    name: METRIC.queueJobs,
    help: 'Jobs in each queue by state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const { queue, counts } of await queueCounts()) {
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
        }
      } catch {
        // Redis down: export nothing rather than fail the whole scrape; /ready reports the outage.
      }
    },
  });
  new Gauge({
    name: METRIC.deadLetters,
    help: 'Jobs waiting in each dead-letter queue',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const { queue, deadLetters } of await queueCounts()) this.set({ queue }, deadLetters);
      } catch {
        /* see above */
      }
    },
  });
  return { registry, httpDuration, jobDuration, jobsCompleted, jobsFailed };
}
