import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../config';
import { isFinalStatus } from '../domain/deliveries';
import { runMain } from '../lifecycle';

export interface DemoOptions {
  apiUrl: string;
  adminKey: string;
  temporalUiUrl: string;
  namespace?: string;
  print?: (line: string) => void;
  /** Gives up waiting for deliveries after this long. */
  timeoutMs?: number;
}

interface Attempt {
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: { class: string; message: string } | null;
}

interface DeliveryView {
  id: string;
  eventType: string;
  status: string;
  attempts: Attempt[];
}


/** The demo's receiver: fails the first try of every third event, and every try of "FAIL-" suppliers. */
function startDemoReceiver(print: (line: string) => void): Promise<Server> {
  let received = 0;
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received++;
      const deliveryId = String(req.headers['x-webhook-delivery-id']);
      const tries = (seen.get(deliveryId) ?? 0) + 1;
      seen.set(deliveryId, tries);
      const payload = JSON.parse(body) as { event: string; data: { externalId?: string } };
      const alwaysFail = payload.data.externalId?.startsWith('FAIL-') ?? false;
      const failOnce = received % 3 === 0 && tries === 1;
      const status = alwaysFail || failOnce ? 503 : 200;
      print(`  receiver  ${payload.event.padEnd(16)} ${deliveryId} attempt ${req.headers['x-webhook-attempt']} -> answering ${status}`);
      res.writeHead(status).end(status === 200 ? 'ok' : 'try again later');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function api<T>(options: DemoOptions, method: string, route: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${options.apiUrl}/api/v1${route}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = res.status === 204 ? undefined : await res.json();
  if (!res.ok) {
    const error = (json as { error?: { message?: string; details?: Array<{ path: string; message: string }> } })?.error;
    const details = error?.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
    throw new Error(`${method} ${route} answered ${res.status}: ${error?.message ?? ''}${details ? ` (${details})` : ''}`);
  }
  return json as T;
}

/**
 * Registers a local receiver with a running service, publishes events of every type (some of
 * which the receiver fails), and prints a line per attempt and delivery as they happen.
 */
export async function runDemo(options: DemoOptions): Promise<{ webhookId: string; deliveries: DeliveryView[] }> {
  const print = options.print ?? ((line: string) => console.log(line));
  const receiver = await startDemoReceiver(print);
  try {
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
    const integration = await api<{ id: string; token: string }>(options, 'POST', '/admin/integrations', options.adminKey, { name: 'Demo integration' });
    let webhook: { id: string };
    try {
      webhook = await api(options, 'POST', '/integration/webhook-events', integration.token, {
        url: receiverUrl,
        events: ['supplier.created', 'supplier.updated', 'sync.completed'],
        description: 'npm run demo',
      });
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\nThe demo's receiver runs on this machine (${receiverUrl}); start the service with ` +
          'WEBHOOK_ALLOW_PRIVATE_TARGETS=true WEBHOOK_ALLOW_INSECURE_URLS=true npm start',
        { cause: err },
      );
    }
    print(`Registered webhook ${webhook.id} -> ${receiverUrl}`);

    const events: Array<{ event: string; data: unknown }> = [
      { event: 'supplier.created', data: { externalId: 'VENDOR-001', internalId: 'sup_1' } },
      { event: 'supplier.created', data: { externalId: 'VENDOR-002', internalId: 'sup_2' } },
      { event: 'supplier.updated', data: { externalId: 'VENDOR-001', internalId: 'sup_1', name: 'Acme Timber' } },
      { event: 'supplier.updated', data: { externalId: 'FAIL-003', internalId: 'sup_3' } },
      { event: 'sync.completed', data: { suppliers: 3, durationMs: 812 } },
      { event: 'sync.completed', data: { suppliers: 0, durationMs: 97 } },
    ];
    for (const event of events) {
      const published = await api<{ id: string }>(options, 'POST', '/admin/events', options.adminKey, { integrationId: integration.id, ...event });
      print(`Published ${event.event.padEnd(16)} ${published.id}`);
    }

    const deliveries = await followDeliveries(options, integration.token, webhook.id, events.length, print);
    const uiFilter = encodeURIComponent(`WebhookId="${webhook.id}"`);
    print('');
    print(`Platform UI:      ${options.apiUrl}/`);
    print(`Temporal Web UI:  ${options.temporalUiUrl}/namespaces/${options.namespace ?? 'default'}/workflows?query=${uiFilter}`);
    return { webhookId: webhook.id, deliveries };
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
}

/** Polls the delivery log, printing each new attempt and each final status, until all are final. */
async function followDeliveries(options: DemoOptions, token: string, webhookId: string, expected: number, print: (line: string) => void) {
  const printedAttempts = new Set<string>();
  const printedFinal = new Set<string>();
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const page = await api<{ data: Array<{ id: string }> }>(options, 'GET', `/integration/webhook-events/${webhookId}/deliveries?limit=100`, token);
    const views = await Promise.all(page.data.map((d) => api<DeliveryView>(options, 'GET', `/integration/deliveries/${d.id}`, token)));
    for (const view of views.reverse()) {
      for (const a of view.attempts) {
        const key = `${view.id}:${a.attempt}`;
        if (printedAttempts.has(key)) continue;
        printedAttempts.add(key);
        const outcome = a.error ? `${a.error.class}: ${a.error.message}` : `HTTP ${a.statusCode}`;
        print(`  attempt   ${view.eventType.padEnd(16)} ${view.id} #${a.attempt}: ${outcome} in ${a.durationMs} ms`);
      }
      if (isFinalStatus(view.status) && !printedFinal.has(view.id)) {
        printedFinal.add(view.id);
        print(`Delivery  ${view.eventType.padEnd(16)} ${view.id} ${view.status.toUpperCase()} after ${view.attempts.length} attempt(s)`);
      }
    }
    if (views.length >= expected && views.every((v) => isFinalStatus(v.status))) return views;
    if (Date.now() > deadline) throw new Error('gave up waiting for the deliveries to finish');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `npm run demo`: against `npm start` on this machine (or DEMO_API_URL), with its admin key. */
async function main(): Promise<void> {
  await runDemo({
    apiUrl: process.env.DEMO_API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
    adminKey: process.env.ADMIN_API_KEY || readAdminKeyFile(),
    temporalUiUrl: process.env.DEMO_TEMPORAL_UI_URL ?? 'http://localhost:8233',
    namespace: process.env.TEMPORAL_NAMESPACE,
  });
}

function readAdminKeyFile(): string {
  const file = path.join(defaultDataDir(), 'admin-api-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new Error(`No admin key: set ADMIN_API_KEY, or run \`npm start\` first (it keeps one in ${file}).`);
  }
}

if (require.main === module) runMain(main);
