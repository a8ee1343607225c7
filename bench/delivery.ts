/**
 * `npm run bench`: end-to-end delivery throughput and latency on this machine.
 *
 * Starts the whole service in-process (on an in-memory Temporal dev server unless TEMPORAL_ADDRESS
 * is set; PostgreSQL from DATABASE_URL, else embedded PGlite), a receiver on 127.0.0.1 that answers
 * 200 at once, registers BENCH_WEBHOOKS webhooks and publishes BENCH_EVENTS events over REST, then
 * prints publish latency, publish-to-receipt latency, throughput and peak memory.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../src/main';
import { installTemporalLogging } from '../src/worker/runtime';
import { createLogger } from '../src/logger';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server';

const events = Number(process.env.BENCH_EVENTS ?? 300);
const webhooks = Number(process.env.BENCH_WEBHOOKS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 20);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (n: number) => `${n.toFixed(0)} ms`;



async function main(): Promise<void> {
  const publishedAt = new Map<string, number>();
  const latencies: number[] = [];
  let lastReceipt = 0;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { data } = JSON.parse(body) as { data: { externalId: string } };
      const sent = publishedAt.get(data.externalId);
      if (sent !== undefined) latencies.push(Date.now() - sent);
      lastReceipt = Date.now();
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  // Unless TEMPORAL_ADDRESS names a server, an in-memory dev server: `npm start` keeps its state
  // in SQLite on disk, whose fsyncs would dominate what this measures.
  installTemporalLogging(createLogger('warn'));
  const devServer = process.env.TEMPORAL_ADDRESS ? undefined : await startTemporalDevServer({ namespace: 'default', log: () => undefined });
  const service = await startService({
    env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? devServer!.address, PORT: '0', LOG_LEVEL: 'warn', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_ALLOW_INSECURE_URLS: 'true', ADMIN_API_KEY: 'bench-admin-key-0123456789' },
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'webhooks-bench-')),
    print: () => undefined,
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const call = async (method: string, route: string, token: string, body?: unknown) => {
      const res = await fetch(`${service.apiUrl}/api/v1${route}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, string>>;
    };
    const integration = await call('POST', '/admin/integrations', service.adminApiKey, { name: 'bench' });
    for (let i = 0; i < webhooks; i++) {
      await call('POST', '/integration/webhook-events', integration.token, { url: `${receiverUrl}?w=${i}`, events: ['supplier.created'] });
    }

    const publishLatencies: number[] = [];
    const start = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < events) {
          const externalId = `bench-${next++}`;
          const t0 = Date.now();
          publishedAt.set(externalId, t0);
          await call('POST', '/admin/events', service.adminApiKey, { integrationId: integration.id, event: 'supplier.created', data: { externalId, internalId: 'x' } });
          publishLatencies.push(Date.now() - t0);
        }
      }),
    );
    const publishSeconds = (Date.now() - start) / 1000;
    const expected = events * webhooks;
    const deadline = Date.now() + 10 * 60_000;
    while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const totalSeconds = (lastReceipt - start) / 1000;

    console.log(`database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}; ${os.cpus().length} cores`);
    console.log(`events published: ${events} (${concurrency} at a time) to ${webhooks} webhooks = ${expected} deliveries`);
    console.log(`publish (REST, 202): p50 ${ms(percentile(publishLatencies, 50))}, p95 ${ms(percentile(publishLatencies, 95))}, ${(events / publishSeconds).toFixed(1)} events/s`);
    console.log(`deliveries received: ${latencies.length}/${expected} in ${totalSeconds.toFixed(1)} s = ${(latencies.length / totalSeconds).toFixed(1)} deliveries/s`);
    console.log(`publish to receipt: p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, max ${ms(Math.max(...latencies))}`);
    console.log(`peak RSS of the process (API + worker + embedded DB): ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
  } finally {
    clearInterval(sampler);
    await service.stop();
    await devServer?.stop();
    receiver.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
