import { Counter, Gauge, type Metric } from 'prom-client';
import type { HubContext } from '../context.ts';
import * as store from './store.ts';

export type NotifyMetrics = {
  attempts: Counter<'kind' | 'outcome'>;
  collectors: Metric[];
};

const byContext = new WeakMap<HubContext, NotifyMetrics>();

/**
 * One set per hub (several hubs share a test process). The counter is
 * counted by the delivery worker; the gauges ask the database when scraped,
 * so they tell the state of the whole queue, whichever process sends.
 */
export function notifyMetricsOf(ctx: HubContext): NotifyMetrics {
  const existing = byContext.get(ctx);
  if (existing) return existing;
  const attempts = new Counter({
    name: 'lintas_delivery_attempts_total',
    help:
      'Webhook and callback delivery attempts by outcome: delivered, retrying (will be tried again) or failed ' +
      '(given up)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [],
  });
  const queueDepth = new Gauge({
    name: 'lintas_delivery_queue_depth',
    help: 'Deliveries pending (not yet delivered nor given up), by kind',
    labelNames: ['kind'] as const,
    registers: [],
    async collect() {
      const counts = new Map((await store.pendingCounts(ctx.db.kysely)).map((row) => [row.kind, row.count]));
      for (const kind of ['webhook', 'callback']) this.set({ kind }, counts.get(kind) ?? 0);
    },
  });
  const oldestAge = new Gauge({
    name: 'lintas_delivery_oldest_pending_age_seconds',
    help: 'Age of the oldest event with a delivery still pending; 0 when none is',
    registers: [],
    async collect() {
      const oldest = await store.oldestPendingCreatedAt(ctx.db.kysely);
      this.set(oldest === undefined ? 0 : Math.max(0, (ctx.clock.now().getTime() - new Date(oldest).getTime()) / 1000));
    },
  });
  const metrics = { attempts, collectors: [attempts, queueDepth, oldestAge] };
  byContext.set(ctx, metrics);
  return metrics;
}
