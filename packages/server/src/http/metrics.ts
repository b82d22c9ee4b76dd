import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobQueue } from '../jobs/job-queue.js';

/** What the server counts for Prometheus, one registry per server (tests run several in one process). */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'keyward_http_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'keyward_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly activations = new Counter({
    name: 'keyward_activations_total',
    help: 'Serials bound to a computer.',
    registers: [this.registry],
  });
  readonly checks = new Counter({
    name: 'keyward_checks_total',
    help: 'License checks and activations answered, by outcome (granted, or the refusal code).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly updates = new Counter({
    name: 'keyward_updates_total',
    help: 'Update packages issued, by transport.',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  /** Label sets already seen, so the hot path counts without building label objects. */
  private readonly byRoute = new Map<
    string,
    {
      requests: Counter.Internal;
      latency: Histogram.Internal<'route' | 'method'>;
    }
  >();

  /** One answered request: counted, and its latency observed. */
  answered(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    let children = this.byRoute.get(key);
    if (children === undefined) {
      children = {
        requests: this.requests.labels(route, method, String(status)),
        latency: this.latency.labels(route, method),
      };
      this.byRoute.set(key, children);
    }
    children.requests.inc();
    children.latency.observe(seconds);
  }

  constructor(queue: JobQueue, now: () => Date) {
    new Gauge({
      name: 'keyward_job_lag_seconds',
      help: 'How long the oldest due job has waited.',
      registers: [this.registry],
      async collect() {
        this.set(await queue.lagSeconds(now()));
      },
    });
  }
}
