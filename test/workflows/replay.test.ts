import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { UnwatchedWorker } from '../../src/worker/unwatched-worker';
import { allowLocalReceivers, createTestApp, type TestApp, type withBearer } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish, supplier } from '../helpers/deliveries';
import { deliveryOutcomeSignal, searchAttributes } from '../../src/domain/workflow-definitions';
import { workflowIds } from '../../src/domain/workflow-ids';
import { newId } from '../../src/domain/ids';
import { createPublisher, PublicationRefusedError } from '../../src/client';
import { waitFor } from '../helpers/wait';
import { cutOffDatabase } from '../helpers/db';

/**
 * Histories recorded from earlier versions of the workflows, one folder per version (see
 * docs/workflow-histories.md). A change that would break running workflows
 * (nondeterminism) fails here. Record a new version's folder with RECORD_HISTORIES=v10 (the next
 * free name) when a workflow changes on purpose; recorded files are never rewritten.
 */
const fixtures = path.join(__dirname, '../fixtures/histories');
const workflowBundle = () => ({ code: readFileSync(process.env.WORKFLOW_BUNDLE_PATH!, 'utf8') });

/** Every recorded history as `<version>/<file>.json`, from every version folder. */
function recordedHistoryFiles() {
  return readdirSync(fixtures, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(path.join(fixtures, dir.name))
        .filter((name) => name.endsWith('.json'))
        .map((name) => `${dir.name}/${name}`),
    )
    .sort();
}

/** The number after the highest version folder's. */
function nextFreeVersion(): number {
  const versions = readdirSync(fixtures).flatMap((name) => (/^v[0-9]+$/.test(name) ? [Number(name.slice(1))] : []));
  return Math.max(0, ...versions) + 1;
}

/**
 * The new version folder RECORD_HISTORIES names, created empty. An existing folder is refused:
 * workflows of that version may still be running, so its files must stay as they were recorded.
 */
function newVersionFolder(name: string) {
  if (!/^v[0-9]+$/.test(name)) {
    throw new Error(`RECORD_HISTORIES must name a new version folder such as v2 (got ${JSON.stringify(name)})`);
  }
  const folder = path.join(fixtures, name);
  if (existsSync(folder)) {
    throw new Error(
      `RECORD_HISTORIES=${name}: test/fixtures/histories/${name} already exists and recorded histories are never ` +
        `rewritten; record into v${nextFreeVersion()}, the next free folder (only a half-written folder you have not ` +
        'committed may be deleted)',
    );
  }
  mkdirSync(folder);
  return folder;
}

/**
 * A health run that is due while an outcome waits behind a re-enable: it handles the re-enable and
 * hands the outcome to its next run (the `patched()` path). The database is away meanwhile, so the
 * run waits on a timer, which is when the re-enable and then the outcome arrive.
 */
async function handOnWaitingOutcome(t: TestApp, api: ReturnType<typeof withBearer>) {
  const webhook = (await api.post('/api/v1/integration/webhook-events', { url: 'http://127.0.0.1:9/hook', events: ['sync.completed'] }).expect(201)).body;
  await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: false }).expect(200);
  const outage = cutOffDatabase(t.repos.webhooks, 'saveHealth');
  try {
    const handle = await t.temporal.workflow.start('webhookHealth', {
      workflowId: workflowIds.health(webhook.id),
      taskQueue: t.config.temporalTaskQueue,
      args: [{ webhookId: webhook.id, outcomesPerRun: 2 }],
    });
    await handle.signal(deliveryOutcomeSignal, { deliveryId: newId('delivery'), delivered: false });
    await waitFor('a durable wait', async () => ((await handle.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes) ? true : undefined));
    const reenabling = api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: true }).then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await handle.signal(deliveryOutcomeSignal, { deliveryId: newId('delivery'), delivered: false });
    outage.restore();
    expect((await reenabling).status).toBe(200);
    const firstRun = t.temporal.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    await waitFor('the run to continue as new', async () => ((await firstRun.describe()).status.name === 'CONTINUED_AS_NEW' ? true : undefined));
    const markers = (await firstRun.fetchHistory()).events!.map((e) => e.markerRecordedEventAttributes?.markerName);
    expect(markers).toContain('core_patch');
    await waitFor('the outcome counted by the next run', async () => {
      const row = await t.repos.db('webhooks').where({ id: webhook.id }).first();
      return row.consecutive_failures === 1 && row.active ? true : undefined;
    });
    return firstRun;
  } finally {
    outage.restore();
  }
}

/**
 * A receiver's back-pressure: a 429's Retry-After stretches the wait before the retry; a 410 Gone
 * disables the webhook, once where the attempt records it and once where it could not (the
 * webhook's row out of reach) and the workflow does it. Returns the three deliveries' handles.
 */
async function backPressure(t: TestApp) {
  const slow = await startReceiver((_, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : 200));
  const gone = await startReceiver(() => 410);
  const deliveryTo = async (url: string, onPublished = async () => {}) => {
    const { integration, webhook } = await integrationWithWebhook(t.app, url);
    const event = await publish(t.app, integration.id, 'sync.completed', { rows: 5 });
    await onPublished();
    const delivery = await finishedDelivery(t.repos, event.id, webhook.id);
    const handle = t.temporal.workflow.getHandle(delivery.workflowId);
    await handle.result();
    return { handle, health: t.temporal.workflow.getHandle(workflowIds.health(webhook.id)) };
  };
  try {
    const retryAfter = await deliveryTo(slow.url);
    const goneRecorded = await deliveryTo(gone.url);
    const outage = cutOffDatabase(t.repos.webhooks, 'disableGone');
    try {
      const goneUnrecorded = await deliveryTo(gone.url, async () => {
        await waitFor('the attempt', () => (gone.requests.length === 2 ? true : undefined));
        outage.restore();
      });
      await waitFor('the health workflow to show the webhook disabled', async () =>
        (await goneRecorded.health.describe()).typedSearchAttributes.get(searchAttributes.webhookState) === 'disabled' ? true : undefined,
      );
      return { retryAfter: retryAfter.handle, goneRecorded: goneRecorded.handle, goneUnrecorded: goneUnrecorded.handle, goneHealth: goneRecorded.health };
    } finally {
      outage.restore();
    }
  } finally {
    await slow.close();
    await gone.close();
  }
}

async function replay(histories: Array<{ workflowId: string; history: temporal.api.history.v1.IHistory }>) {
  const failures: string[] = [];
  // The worker class the service runs, without the vm timeout. Replay runs the workflows in this
  // thread (the SDK's debug mode, which its replay options do not let us change), so with the SDK's
  // own stack-trace handlers; the service's workflow thread differs only in those, which record
  // stacks and decide nothing.
  for await (const result of UnwatchedWorker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

describe('workflow replay', () => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await createTestApp({
      worker: true,
      env: { ...allowLocalReceivers, WEBHOOK_RETRY_DELAYS_MS: '10,10,10' },
    });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it('replays the recorded histories of earlier versions', async () => {
    const files = recordedHistoryFiles();
    expect(files.filter((file) => file.startsWith('v1/'))).toHaveLength(5);
    const histories = files.map((file) => ({
      workflowId: file,
      history: historyFromJSON(JSON.parse(readFileSync(path.join(fixtures, file), 'utf8'))),
    }));
    expect(await replay(histories)).toEqual([]);
  });

  it('replays fresh histories of every workflow: retries, failure, undeliverable, cancelled, back-pressure, health with continue-as-new, re-enable and delete', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    // Its health workflow continues as new every 2 outcomes.
    const health = t.temporal.workflow.getHandle(workflowIds.health(webhook.id));
    const { firstExecutionRunId: firstRunId } = await t.temporal.workflow.start('webhookHealth', {
      workflowId: workflowIds.health(webhook.id),
      taskQueue: t.config.temporalTaskQueue,
      args: [{ webhookId: webhook.id, outcomesPerRun: 2 }],
    });
    receiver.reply((_req, n) => (n === 1 ? 500 : 200));
    // Through the publication workflow (the TypeScript publisher), continuing as new after two
    // publications, the second one refused; the others over REST, without it.
    const publications = await t.temporal.workflow.start('publishEvents', {
      workflowId: workflowIds.publications(t.config.temporalTaskQueue),
      taskQueue: t.config.temporalTaskQueue,
      args: [{ publicationsPerRun: 2 }],
    });
    const publisher = createPublisher({ client: t.temporal, taskQueue: t.config.temporalTaskQueue });
    const retried = await publisher.publish({ integrationId: integration.id, event: 'sync.completed', data: { rows: 1 } });
    const retriedDelivery = await finishedDelivery(t.repos, retried.id, webhook.id);
    await t.temporal.workflow.getHandle(retriedDelivery.workflowId).result();
    const refused = publisher.publish({ id: retried.id, integrationId: integration.id, event: 'supplier.created', data: supplier });
    await expect(refused).rejects.toThrow(PublicationRefusedError);
    // A fan-out workflow of its own, as the publisher starts when the publication workflow does not answer in time.
    const ownFanOut = { id: newId('event'), integrationId: integration.id, event: 'sync.completed', data: { rows: 2 }, timestamp: new Date().toISOString() };
    const fanOut = await t.temporal.workflow.start('publishEvent', {
      workflowId: workflowIds.publish(integration.id, ownFanOut.id),
      taskQueue: t.config.temporalTaskQueue,
      args: [ownFanOut],
    });
    await fanOut.result();
    await t.temporal.workflow.getHandle((await finishedDelivery(t.repos, ownFanOut.id, webhook.id)).workflowId).result();

    receiver.reply(() => 500);
    const failed = await publish(t.app, integration.id, 'sync.completed', { rows: 3 });
    const failedDelivery = await finishedDelivery(t.repos, failed.id, webhook.id);
    await t.temporal.workflow.getHandle(failedDelivery.workflowId).result();

    // A delivery that can never be made (its row does not exist) ends failed at once.
    const undeliverable = await t.temporal.workflow.start('deliverEvent', {
      workflowId: `delivery-undeliverable-${newId('delivery')}`,
      taskQueue: t.config.temporalTaskQueue,
      args: [{ deliveryId: newId('delivery'), eventId: newId('event'), webhookId: webhook.id, integrationId: integration.id, eventType: 'sync.completed' }],
    });
    expect(await undeliverable.result()).toBe('failed');

    // A delivery cancelled while its receiver holds the attempt.
    receiver.reply(() => 'hang');
    const held = await publish(t.app, integration.id, 'sync.completed', { rows: 4 });
    await waitFor('the held attempt', () => (receiver.requests.some((r) => JSON.parse(r.body).data.rows === 4) ? true : undefined));
    const cancelledDelivery = (await t.repos.deliveries.listForEvent(integration.id, held.id))[0];
    const cancelled = t.temporal.workflow.getHandle(cancelledDelivery.workflowId);
    await cancelled.cancel();
    await expect(cancelled.result()).rejects.toThrow();
    receiver.reply(() => 500);

    const pushedBack = await backPressure(t);

    // More outcomes, some at once, a re-enable and a delete for the health workflow.
    for (let i = 0; i < 3; i++) await health.signal(deliveryOutcomeSignal, { deliveryId: newId('delivery'), delivered: false });
    await Promise.all(Array.from({ length: 6 }, () => health.signal(deliveryOutcomeSignal, { deliveryId: newId('delivery'), delivered: false })));
    const carrying = await handOnWaitingOutcome(t, api);
    await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: false }).expect(200);
    await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: true }).expect(200);
    await api.delete(`/api/v1/integration/webhook-events/${webhook.id}`).expect(204);
    await health.result();
    expect((await health.describe()).runId).not.toBe(firstRunId);

    const handles = [
      ['publish-event', fanOut],
      ['publish-events-first-run', t.temporal.workflow.getHandle(publications.workflowId, publications.firstExecutionRunId)],
      ['deliver-event-retried', t.temporal.workflow.getHandle(retriedDelivery.workflowId)],
      ['deliver-event-failed', t.temporal.workflow.getHandle(failedDelivery.workflowId)],
      ['deliver-event-undeliverable', undeliverable],
      ['deliver-event-cancelled', cancelled],
      ['deliver-event-retry-after', pushedBack.retryAfter],
      ['deliver-event-gone', pushedBack.goneRecorded],
      ['deliver-event-gone-unrecorded', pushedBack.goneUnrecorded],
      ['webhook-health-gone', pushedBack.goneHealth],
      ['webhook-health-first-run', t.temporal.workflow.getHandle(workflowIds.health(webhook.id), firstRunId)],
      ['webhook-health-carried-queue', carrying],
      ['webhook-health-last-run', health],
    ] as const;
    const histories = await Promise.all(
      handles.map(async ([name, handle]) => ({ workflowId: name, history: await handle.fetchHistory() })),
    );
    expect(await replay(histories)).toEqual([]);

    if (process.env.RECORD_HISTORIES) {
      // The CLI writes the standard JSON history format (the same the Web UI downloads).
      const folder = newVersionFolder(process.env.RECORD_HISTORIES);
      for (const [name, handle] of handles) {
        const { runId } = await handle.describe();
        const json = execFileSync(process.env.TEMPORAL_CLI_PATH!, [
          'workflow', 'show', '--address', process.env.TEMPORAL_TEST_ADDRESS!, '--workflow-id', handle.workflowId, '--run-id', runId, '--output', 'json',
        ]);
        writeFileSync(path.join(folder, `${name}.json`), json);
      }
    }
  });
});
