import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApp } from '../../src/api/app';
import { createRepositories } from '../../src/db';
import { createDb } from '../../src/db/knex';
import { createSecretBox } from '../../src/db/secret-box';
import { createLogger } from '../../src/logger';
import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';

const logLines: Array<Record<string, unknown>> = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    done();
  },
});

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  t = await createTestApp({
    worker: true,
    logger: pino({ level: 'info' }, logStream),
    env: { ...allowLocalReceivers, WEBHOOK_RETRY_DELAYS_MS: '10', WEBHOOK_DISABLE_AFTER_FAILURES: '1' },
  });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

describe('health probes', () => {
  it('GET /healthz answers while the process is up', async () => {
    expect((await request(t.app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when the database and Temporal are reachable', async () => {
    expect((await request(t.app).get('/readyz').expect(200)).body).toEqual({ status: 'ready' });
  });

  it('GET /readyz answers 503 naming what is unreachable', async () => {
    const deadDb = createDb({ databaseUrl: 'postgres://nobody:nothing@127.0.0.1:1/none' });
    // A Temporal server that goes away after the API connected to it.
    const server = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_CLI_PATH! }, ip: '127.0.0.1' },
    });
    const deadTemporal = new Client({ connection: await Connection.connect({ address: server.address }) });
    await server.teardown();
    try {
      const app = buildApp({
        config: t.config,
        repos: createRepositories(deadDb, createSecretBox(t.config.secretEncryptionKey!)),
        logger: createLogger('silent'),
        temporal: deadTemporal,
      });
      const res = await request(app).get('/readyz').expect(503);
      expect(res.body.error.code).toBe('unavailable');
      expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['database', 'temporal']);
    } finally {
      await deadDb.destroy();
      await deadTemporal.connection.close();
    }
  });
});

describe('metrics and logs', () => {
  it('count deliveries, attempts, durations, disabled webhooks and API requests; logs carry the ids', async () => {
    receiver.reply((_req, n) => (n === 1 ? 200 : 500));
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const delivered = await publish(t.app, integration.id);
    const ok = await finishedDelivery(t.repos, delivered.id, webhook.id);
    const failed = await publish(t.app, integration.id);
    await finishedDelivery(t.repos, failed.id, webhook.id);
    await waitFor('the webhook to be disabled', async () => ((await api.get(`/api/v1/integration/webhook-events/${webhook.id}`)).body.active === false ? true : undefined));

    const res = await request(t.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toMatch(/^webhook_deliveries_total\{status="delivered"\} 1$/m);
    expect(text).toMatch(/^webhook_deliveries_total\{status="failed"\} 1$/m);
    expect(text).toMatch(/^webhook_delivery_attempts_total\{outcome="success",error_class="none"\} 1$/m);
    expect(text).toMatch(/^webhook_delivery_attempts_total\{outcome="failure",error_class="http_status"\} 2$/m);
    expect(text).toMatch(/^webhook_delivery_attempt_duration_seconds_count\{outcome="failure"\} 2$/m);
    expect(text).toMatch(/^webhooks_disabled_total 1$/m);
    expect(text).toMatch(/^api_requests_total\{method="POST",route="admin \/",status="202"\} 2$/m);
    expect(text).toMatch(/^api_requests_total\{method="GET",route="integration \/webhook-events\/:id",status="200"\} \d+$/m);

    const attemptLog = logLines.find((line) => line.deliveryId === ok.id && line.attempt === 1);
    expect(attemptLog).toMatchObject({
      level: 30,
      webhookId: webhook.id,
      eventId: delivered.id,
      workflowId: ok.workflowId,
      statusCode: 200,
      msg: 'delivery attempt succeeded',
    });
    expect(logLines).toEqual(expect.arrayContaining([expect.objectContaining({ webhookId: webhook.id, msg: expect.stringMatching(/disabled/) })]));
  });
});
