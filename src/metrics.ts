import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** A worker's task slots of each kind (workflow, activity, local_activity): how many there are and how many are busy. */
export type TaskSlots = Record<string, { max: number; used: number }>;

/** Metrics as prom-client's `getMetricsAsJSON()` gives them (they cross between threads as such). */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/**
 * Prometheus metrics of one thread. Under `npm start` the API and the worker share one set, or, on
 * PostgreSQL, the API's thread has its own, without the process's metrics, and includes the
 * worker's (the main thread's) in what it exposes.
 */
export function createMetrics({ processMetrics = true }: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  // Metrics kept by another thread of this process, added to this registry's when scraped.
  let otherThread: (() => Promise<MetricsSnapshot>) | undefined;
  // Read when scraped, from the worker that registered itself (none in the API alone).
  let taskSlots: (() => TaskSlots) | undefined;
  const slotGauge = (name: string, help: string, pick: (slots: TaskSlots[string]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['worker_type'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [workerType, slots] of Object.entries(taskSlots?.() ?? {})) this.set({ worker_type: workerType }, pick(slots));
      },
    });
  slotGauge('webhook_worker_task_slots_used', "Busy task slots of the process's Temporal worker, by kind.", (s) => s.used);
  slotGauge('webhook_worker_task_slots_available', "Free task slots of the process's Temporal worker, by kind.", (s) => s.max - s.used);
  return {
    /** The worker of this process reports its task slots through this. */
    watchTaskSlots(read: () => TaskSlots): void {
      taskSlots = read;
    },
    registry,
    /** Adds another thread's metrics (`read` gets them) to what `exposition` gives. */
    include(read: () => Promise<MetricsSnapshot>): void {
      otherThread = read;
    },
    /** The Prometheus text for `/metrics`: this registry's metrics, summed with the other thread's. */
    async exposition(): Promise<string> {
      if (!otherThread) return registry.metrics();
      const snapshots = await Promise.all([registry.getMetricsAsJSON(), otherThread()]);
      return AggregatorRegistry.aggregate(snapshots).metrics();
    },
    deliveries: new Counter({
      name: 'webhook_deliveries_total',
      help: 'Deliveries that finished, by final status (delivered, failed, skipped, cancelled).',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    attempts: new Counter({
      name: 'webhook_delivery_attempts_total',
      help: 'Delivery attempts, by outcome (success or failure) and error class.',
      labelNames: ['outcome', 'error_class'] as const,
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'webhook_delivery_attempt_duration_seconds',
      help: 'Duration of delivery attempts, from connecting to the end of the answer.',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    webhooksDisabled: new Counter({
      name: 'webhooks_disabled_total',
      help: 'Webhooks disabled by their health workflow after consecutive failed deliveries.',
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: 'api_requests_total',
      help: 'API requests, by method, route and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
