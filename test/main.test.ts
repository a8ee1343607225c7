import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startService, type RunningService } from '../src/main';
import { freePort } from './helpers/ports';
import { startReceiver } from './helpers/receiver';
import { waitFor } from './helpers/wait';

const json = { 'Content-Type': 'application/json' };
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function createIntegration(service: RunningService, name: string) {
  const res = await fetch(`${service.apiUrl}/api/v1/admin/integrations`, {
    method: 'POST',
    headers: { ...json, ...bearer(service.adminApiKey) },
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; token: string };
}

async function listIntegrationNames(service: RunningService): Promise<string[]> {
  const res = await fetch(`${service.apiUrl}/api/v1/admin/integrations`, { headers: bearer(service.adminApiKey) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Array<{ name: string }> }).data.map((i) => i.name);
}

/** The worker is up when Temporal sees it polling the task queue. */
async function activityPollers(address: string, taskQueue: string): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    const res = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return res.pollers.length;
  } finally {
    await connection.close();
  }
}

describe('npm start with the embedded defaults', () => {
  it('runs Temporal with its Web UI, the database, the worker and the API, and keeps data across a restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'webhooks-start-'));
    const ports = { temporalPort: await freePort(), temporalUiPort: await freePort() };
    const env = {
      PORT: '0',
      LOG_LEVEL: 'silent',
      TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_ALLOW_INSECURE_URLS: 'true',
    };
    const printed: string[] = [];
    const receiver = await startReceiver();

    const first = await startService({ env, dataDir, ...ports, print: (line) => printed.push(line) });
    let integration: { id: string; token: string };
    try {
      const banner = printed.join('\n');
      expect(banner).toContain(`API:              ${first.apiUrl}/api/v1`);
      expect(banner).toContain(`Platform UI:      ${first.apiUrl}/`);
      const platformUi = await fetch(`${first.apiUrl}/`);
      expect(platformUi.status).toBe(200);
      expect(banner).toContain(`Temporal Web UI:  http://localhost:${ports.temporalUiPort}`);
      // The Platform UI links to the dev server's Web UI (TEMPORAL_UI_URL is unset).
      expect(await platformUi.text()).toContain(`<meta name="temporal-ui-namespace" content="http://localhost:${ports.temporalUiPort}/namespaces/default">`);
      expect(banner).toContain(`Admin API key:    ${first.adminApiKey}`);
      expect(banner).toMatch(/ADMIN_API_KEY is unset, so one was generated/);

      integration = await createIntegration(first, 'Acme ERP');
      await subscribe(first, integration.token, receiver.url);
      // A published event is delivered by the embedded worker.
      const published = await publish(first, integration.id);
      expect(published.status).toBe(202);
      await waitFor('the delivery', () => (receiver.requests.length > 0 ? true : undefined));
      expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ event: 'supplier.created', integrationId: integration.id });
      expect((await fetch(first.temporalUiUrl!)).status).toBe(200);
      expect(await activityPollers(first.temporalAddress, 'webhooks')).toBeGreaterThan(0);
      // The API and the embedded database each have a thread of their own: a request that reads
      // the database is answered while the main thread, the worker's, is busy.
      expect(answeredWhileThisThreadIsBusy(`${first.apiUrl}/api/v1/admin/integrations`, first.adminApiKey)).toBe('200');
    } finally {
      await first.stop();
    }
    expect(existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);

    const second = await startService({ env, dataDir, ...ports, print: () => undefined });
    try {
      expect(second.adminApiKey).toBe(first.adminApiKey);
      expect(await listIntegrationNames(second)).toEqual(['Acme ERP']);
      const webhooks = await fetch(`${second.apiUrl}/api/v1/integration/webhook-events`, { headers: bearer(integration.token) });
      expect(((await webhooks.json()) as { data: unknown[] }).data).toHaveLength(1);
    } finally {
      await second.stop();
      await receiver.close();
    }
  });
});

describe('with TEMPORAL_ADDRESS and DATABASE_URL', () => {
  it('runs the same code against the given Temporal server and database, the API on a thread of its own', async () => {
    const taskQueue = `start-test-${Date.now()}`;
    const env = {
      PORT: '0',
      LOG_LEVEL: 'silent',
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ADMIN_API_KEY: 'an-admin-key-from-the-environment',
      DATABASE_URL: process.env.DATABASE_URL,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_ALLOW_INSECURE_URLS: 'true',
    };
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'webhooks-ext-'));
    const printed: string[] = [];
    const receiver = await startReceiver();
    const service = await startService({ env, dataDir, print: (line) => printed.push(line) });
    try {
      expect(service.adminApiKey).toBe('an-admin-key-from-the-environment');
      expect(service.temporalAddress).toBe(process.env.TEMPORAL_TEST_ADDRESS);
      expect(printed.join('\n')).toContain('external Temporal');
      const integration = await createIntegration(service, 'Via settings');
      expect(await activityPollers(service.temporalAddress, taskQueue)).toBeGreaterThan(0);

      // The API's thread leaves what it publishes to the worker on the main thread, which delivers it.
      await subscribe(service, integration.token, receiver.url);
      const published = await publish(service, integration.id);
      expect(published.status).toBe(202);
      await waitFor('the delivery', () => (receiver.requests.length > 0 ? true : undefined));
      expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ event: 'supplier.created', integrationId: integration.id });

      // One /metrics on the API's port: the worker's deliveries, the API's requests, the process's metrics once.
      const metrics = await waitFor('the delivery counted', async () => {
        const text = await (await fetch(`${service.apiUrl}/metrics`)).text();
        return text.includes('webhook_deliveries_total{status="delivered"} 1') ? text : undefined;
      });
      expect(metrics).toContain('api_requests_total{method="POST",route="admin /",status="202"} 1');
      expect(metrics.match(/^process_cpu_user_seconds_total /gm)).toHaveLength(1);

      // The API answers while the main thread, the worker's, is busy: a request made from another
      // process is answered before this thread takes up its own work again.
      expect(answeredWhileThisThreadIsBusy(`${service.apiUrl}/api/v1/admin/integrations`, service.adminApiKey)).toBe('200');
    } finally {
      await service.stop();
      await receiver.close();
    }
    // No embedded Temporal state was made.
    expect(existsSync(path.join(dataDir, 'temporal.db'))).toBe(false);
  });
});

describe('when the API cannot listen', () => {
  it('fails to start, with the reason', async () => {
    const taken = createServer().listen(0);
    await once(taken, 'listening');
    const env = {
      PORT: String((taken.address() as AddressInfo).port),
      LOG_LEVEL: 'silent',
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: `start-fail-${Date.now()}`,
      ADMIN_API_KEY: 'an-admin-key-from-the-environment',
      DATABASE_URL: process.env.DATABASE_URL,
    };
    try {
      await expect(startService({ env, dataDir: mkdtempSync(path.join(os.tmpdir(), 'webhooks-taken-')), print: () => undefined })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});

/** Subscribes a webhook to `url` for supplier.created. */
async function subscribe(service: RunningService, token: string, url: string): Promise<void> {
  const res = await fetch(`${service.apiUrl}/api/v1/integration/webhook-events`, {
    method: 'POST',
    headers: { ...json, ...bearer(token) },
    body: JSON.stringify({ url, events: ['supplier.created'] }),
  });
  expect(res.status).toBe(201);
}

function publish(service: RunningService, integrationId: string): Promise<Response> {
  return fetch(`${service.apiUrl}/api/v1/admin/events`, {
    method: 'POST',
    headers: { ...json, ...bearer(service.adminApiKey) },
    body: JSON.stringify({ integrationId, event: 'supplier.created', data: { externalId: 'A', internalId: 'B' } }),
  });
}

/**
 * GETs `url` from a child process while this thread does nothing else: it blocks, looking every
 * 10 ms for the child's answer, for up to 30 s. The status answered, or 'no answer'.
 */
function answeredWhileThisThreadIsBusy(url: string, adminKey: string): string {
  const answer = path.join(mkdtempSync(path.join(os.tmpdir(), 'webhooks-busy-')), 'status');
  const script = `fetch(${JSON.stringify(url)}, { headers: { Authorization: ${JSON.stringify(`Bearer ${adminKey}`)} } }).then((res) => {
    require('node:fs').writeFileSync(${JSON.stringify(`${answer}.part`)}, String(res.status));
    require('node:fs').renameSync(${JSON.stringify(`${answer}.part`)}, ${JSON.stringify(answer)});
  })`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 30_000;
  while (!existsSync(answer) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 10);
  child.kill();
  return existsSync(answer) ? readFileSync(answer, 'utf8') : 'no answer';
}
