import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { createPublisher } from '../../src/client';
import { isFinalStatus, type DeliveryStatus } from '../../src/domain/deliveries';
import { workflowIds } from '../../src/domain/workflow-ids';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait';
import { apiClient, expectStatus, type ApiClient } from './api-client';
import { attemptsInFlight, runningDeliveries } from './attempts-in-flight';
import { startFaultReceiver, type FaultReceiver } from './fault-receiver';
import { computeFigures, figuresTable, type Figures, type LoggedDelivery } from './figures';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';
import { publishWith, startPublishStream } from './publish-stream';
import { startServiceProcess, type ServiceProcess } from './service-process';
import { startTemporalServer, type TemporalServer } from './temporal-server';

// Issue #9, item 5: the API and the worker as separate processes on PostgreSQL, events published
// over REST and with the TypeScript publisher while a fault happens; nothing acknowledged may be lost.

const adminKey = 'faults-admin-key-0123456789';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishing runs this long before the fault (deliveries have failed once and sit in backoff) and after it. */
const publishBeforeFaultMs = 4_000;
const publishAfterFaultMs = 3_000;
/** The worker stays dead this long: the backoff timers of the deliveries it left fire meanwhile. */
const workerDeadMs = 3_000;
/** The dev server stays dead this long: publishers and the API meet a Temporal that is away, not just slow. */
const temporalDeadMs = 5_000;
const postgresOutageMs = 10_000;
/** Recovery includes the worker's sweep of deliveries a publication left behind (30 s old, every 5 s). */
const recoveryTimeoutMs = 180_000;

let workDir: string;
let postgres: PrivatePostgres;
let temporalServer: TemporalServer;
let receiver: FaultReceiver;
let api: ApiClient;
let apiProcess: ServiceProcess;
let workerProcess: ServiceProcess;
let connection: Connection;
let temporal: Client;
let startWorker: () => Promise<ServiceProcess>;
let startTemporal: () => Promise<TemporalServer>;

beforeAll(async () => {
  // What `npm run api` and `npm run worker` do first.
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  workDir = mkdtempSync(path.join(os.tmpdir(), 'faults-'));
  process.stdout.write(`Fault tests: the logs of the API, the worker and the Temporal dev server are in ${workDir}\n`);
  const [postgresPort, temporalPort, apiPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  postgres = await startPrivatePostgres(postgresPort);
  startTemporal = () => startTemporalServer(workDir, temporalPort);
  temporalServer = await startTemporal();
  receiver = await startFaultReceiver();
  const env = {
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_TASK_QUEUE: 'faults',
    PORT: String(apiPort),
    METRICS_PORT: String(metricsPort),
    ADMIN_API_KEY: adminKey,
    SECRET_ENCRYPTION_KEY: 'dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTMyYnk=',
    // Long enough that the faults land while deliveries wait for their retry; short enough for a quick run.
    WEBHOOK_RETRY_DELAYS_MS: '2000,4000,8000',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_ALLOW_INSECURE_URLS: 'true',
    // The test publishes and reads far faster than one credential's default allows.
    API_RATE_LIMIT_PER_MINUTE: '600000',
    API_RATE_LIMIT_BURST: '100000',
  };
  // The API runs the migrations before the worker starts.
  apiProcess = await startServiceProcess('api', env, path.join(workDir, 'api.log'), `http://127.0.0.1:${apiPort}/readyz`);
  startWorker = () => startServiceProcess('worker', env, path.join(workDir, 'worker.log'), `http://127.0.0.1:${metricsPort}/readyz`);
  workerProcess = await startWorker();
  api = apiClient(`http://127.0.0.1:${apiPort}`, adminKey);
  connection = await Connection.connect({ address: temporalServer.address });
  temporal = new Client({ connection });
}, 300_000);

afterAll(async () => {
  await workerProcess?.stop();
  await apiProcess?.stop();
  await connection?.close();
  await receiver?.close();
  await temporalServer?.kill();
  await postgres?.destroy();
  // The logs stay for a failed run to be explained; the databases are gone with the servers.
  for (const file of ['temporal.db', 'temporal.db-wal', 'temporal.db-shm']) rmSync(path.join(workDir, file), { force: true });
});

interface Fault {
  /** When the API's answers count as answers during the fault. */
  window: { from: number; to: number };
  inFlightAtFault: number;
}

interface Scenario {
  integrationId: string;
  token: string;
  webhookId: string;
}

/** An integration with one webhook on the receiver, for one scenario. */
async function newScenario(prefix: string): Promise<Scenario> {
  const integration = await expectStatus<{ id: string; token: string }>(api, 201, 'POST', '/api/v1/admin/integrations', { body: { name: prefix } });
  const webhook = await expectStatus<{ id: string }>(api, 201, 'POST', '/api/v1/integration/webhook-events', {
    token: integration.token,
    body: { url: receiver.url, events: ['supplier.created', 'supplier.updated'] },
  });
  return { integrationId: integration.id, token: integration.token, webhookId: webhook.id };
}

/**
 * Publishes over REST and with the publisher (its own Temporal connection, as a producer service has),
 * reads the delivery log meanwhile, injects the fault, then waits until every delivery is over and
 * computes the figures.
 */
async function runScenario(fault: string, prefix: string, inject: (scenario: Scenario) => Promise<Fault>): Promise<Figures> {
  const scenario = await newScenario(prefix);
  const { integrationId } = scenario;
  const publisher = createPublisher({ client: temporal, taskQueue: 'faults' });
  const answersBefore = api.answers.length;
  receiver.failFirstAttempts(true);
  const stream = startPublishStream(prefix, restPublish(integrationId), publishWith(publisher, integrationId));
  const reading = keepReading(scenario);
  await sleep(publishBeforeFaultMs);
  const { window, inFlightAtFault } = await inject(scenario);
  await sleep(publishAfterFaultMs);
  await stream.stop();
  await reading.stop();
  receiver.failFirstAttempts(false);

  const acknowledged = [...stream.rest.acknowledged, ...stream.publisher.acknowledged];
  await waitUntilAllFinished(scenario, acknowledged);
  const figures = computeFigures({
    fault,
    rest: stream.rest,
    publisher: stream.publisher,
    deliveries: await withAttempts(scenario, await deliveryLog(scenario)),
    attempts: receiver.attempts.filter((a) => a.webhookId === scenario.webhookId),
    inFlightAtFault,
    answers: api.answers.slice(answersBefore),
    faultWindow: window,
  });
  process.stdout.write(`\n${figuresTable(figures)}\n\n`);
  return figures;
}

const restPublish = (integrationId: string) => async (eventId: string) => {
  await expectStatus(api, 202, 'POST', '/api/v1/admin/events', {
    body: { integrationId, event: 'supplier.created', data: { externalId: 'VENDOR-1', internalId: eventId }, id: eventId },
  });
};

/** Reads the webhook and its delivery log every 200 ms, as an integrator's dashboard would, until stopped. */
function keepReading({ token, webhookId }: Scenario): { stop(): Promise<void> } {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      await Promise.allSettled([
        api.call('GET', `/api/v1/integration/webhook-events/${webhookId}`, { token }),
        api.call('GET', `/api/v1/integration/webhook-events/${webhookId}/deliveries?limit=20`, { token }),
      ]);
      await sleep(200);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

interface DeliveryJson {
  id: string;
  eventId: string;
  status: DeliveryStatus;
}

/** Every delivery of the webhook, from the API's delivery log. */
async function deliveryLog({ token, webhookId }: Scenario): Promise<DeliveryJson[]> {
  const all: DeliveryJson[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: DeliveryJson[]; nextCursor: string | null } = await expectStatus(
      api,
      200,
      'GET',
      `/api/v1/integration/webhook-events/${webhookId}/deliveries?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    all.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Each delivery with its attempts' status codes, from the API's attempt log. */
async function withAttempts({ token }: Scenario, deliveries: DeliveryJson[]): Promise<LoggedDelivery[]> {
  const logged: LoggedDelivery[] = [];
  for (const delivery of deliveries) {
    const { attempts } = await expectStatus<{ attempts: { statusCode: number | null }[] }>(api, 200, 'GET', `/api/v1/integration/deliveries/${delivery.id}`, { token });
    logged.push({ id: delivery.id, eventId: delivery.eventId, status: delivery.status, attemptStatusCodes: attempts.map((a) => a.statusCode) });
  }
  return logged;
}

/**
 * Until every acknowledged event has a finished delivery and no delivery of the webhook runs any
 * more in Temporal (an attempt retried after a crash can come after the log says delivered).
 */
async function waitUntilAllFinished(scenario: Scenario, acknowledged: string[]): Promise<void> {
  const finishedEvents = async () => new Set((await deliveryLog(scenario)).filter((d) => isFinalStatus(d.status)).map((d) => d.eventId));
  try {
    await waitFor(
      `every delivery of ${acknowledged.length} acknowledged events to finish`,
      async () => {
        const finished = await finishedEvents();
        if (!acknowledged.every((eventId) => finished.has(eventId))) return undefined;
        return (await runningDeliveries(temporal, scenario.webhookId)) === 0 ? true : undefined;
      },
      recoveryTimeoutMs,
    );
  } catch (err) {
    const finished = await finishedEvents();
    await keepHistories(scenario, acknowledged.filter((eventId) => !finished.has(eventId)));
    throw err;
  }
}

/** For a failed run to be explained: the workflow histories of unfinished events, beside the logs. */
async function keepHistories({ integrationId, webhookId }: Scenario, eventIds: string[]): Promise<void> {
  for (const eventId of eventIds) {
    for (const workflowId of [workflowIds.publish(integrationId, eventId), workflowIds.delivery(integrationId, eventId, webhookId)]) {
      const history = await temporal.workflow
        .getHandle(workflowId)
        .fetchHistory()
        .catch(() => undefined);
      if (history) writeFileSync(path.join(workDir, `${workflowId}.json`), historyToJSON(history));
    }
  }
  process.stdout.write(`Histories of the ${eventIds.length} unfinished events' workflows (those that exist) are in ${workDir}\n`);
}

/** What every scenario must show: nothing acknowledged lost, the log true to the receiver, no 500. */
function expectNothingLost(figures: Figures): void {
  expect(figures.acknowledged).toBeGreaterThan(0);
  expect(figures.lost).toEqual([]);
  expect(figures.logDisagrees).toEqual([]);
  expect(figures.deliveredTwice).toEqual([]);
  expect(figures.duplicates).toBeLessThanOrEqual(figures.inFlightAtFault);
  expect(figures.internalErrors).toBe(0);
}

describe('faults: the API and the worker as separate processes on PostgreSQL', () => {
  it('loses nothing when the worker is killed with SIGKILL while deliveries wait in backoff', async () => {
    const figures = await runScenario('worker killed with SIGKILL in backoff', 'kill', async ({ webhookId }) => {
      const from = Date.now();
      await workerProcess.kill();
      // Temporal still holds the attempts the dead worker had started: those may be sent again.
      const inFlightAtFault = await attemptsInFlight(temporal, webhookId);
      await sleep(workerDeadMs);
      workerProcess = await startWorker();
      return { window: { from, to: Date.now() }, inFlightAtFault };
    });
    expectNothingLost(figures);
    expect(figures.inBackoffAtFault).toBeGreaterThan(0);
    // Only the worker was away: both ways of publishing kept working.
    expect(figures.rest.refused).toEqual(new Map());
    expect(figures.publisher.refused).toEqual(new Map());
  }, 300_000);

  it('loses nothing when the Temporal dev server is killed and, 5 s later, restarted on its data file', async () => {
    const figures = await runScenario('Temporal dev server killed, restarted 5 s later on its data file', 'temporal', async ({ webhookId }) => {
      const from = Date.now();
      const startedBefore = await attemptsInFlight(temporal, webhookId);
      await temporalServer.kill();
      await sleep(temporalDeadMs);
      temporalServer = await startTemporal();
      const to = Date.now();
      // Attempts the worker began meanwhile may not have reached the server either.
      const begunMeanwhile = receiver.attempts.filter((a) => a.webhookId === webhookId && a.receivedAt >= from && a.receivedAt <= to).length;
      return { window: { from, to }, inFlightAtFault: startedBefore + begunMeanwhile };
    });
    expectNothingLost(figures);
    // The API records a REST publication in PostgreSQL and starts it once Temporal is back.
    expect(figures.rest.refused).toEqual(new Map());
  }, 300_000);

  it('loses nothing and answers 503 unavailable, never 500, while PostgreSQL is stopped for 10 s', async () => {
    const figures = await runScenario('PostgreSQL stopped for 10 s', 'postgres', async ({ webhookId }) => {
      const from = Date.now();
      await postgres.stop();
      const inFlightAtFault = await attemptsInFlight(temporal, webhookId);
      await sleep(postgresOutageMs - (Date.now() - from));
      await postgres.start();
      return { window: { from, to: Date.now() }, inFlightAtFault };
    });
    expectNothingLost(figures);
    // The publisher needs Temporal only.
    expect(figures.publisher.refused).toEqual(new Map());
    const answers = [...figures.answersDuringFault.keys()];
    expect(answers).toContain('503 unavailable');
    expect(answers.filter((a) => !a.startsWith('2') && a !== '503 unavailable')).toEqual([]);
  }, 300_000);
});
