import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Metric, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per hub, so several hubs in one test process keep their own counts. */
export function createHttpMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lintas_' });
  const requests = new Counter({
    name: 'lintas_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'lintas_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });

  function observe(request: FastifyRequest, reply: FastifyReply): void {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  }

  return { registry, observe };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

/** Capabilities count their own work (deliveries, ...); their collectors join the hub's registry here. */
export function registerCapabilityMetrics(registry: Registry, metrics: readonly Metric[]): void {
  for (const metric of metrics) registry.registerMetric(metric);
}
