import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { finishedDelivery, integrationWithWebhook, publish } from '../helpers/deliveries';
import { deliveryOutcomeSignal, workflowIds } from '../../src/workflows/definitions';
import { newId } from '../../src/ids';

/**
 * Histories recorded from earlier versions of the workflows, one folder per version (see
 * test/fixtures/histories/README.md). A change that would break running workflows
 * (nondeterminism) fails here. Record a new version's folder with RECORD_HISTORIES=v2 (the next
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
        'rewritten; record into a new version folder (only a half-written folder you have not committed may be deleted)',
    );
  }
  mkdirSync(folder);
  return folder;
}

async function replay(histories: Array<{ workflowId: string; history: temporal.api.history.v1.IHistory }>) {
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) {
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

  it('replays fresh histories of every workflow: retries, failure, health with continue-as-new, re-enable and delete', async () => {
    const { integration, api, webhook } = await integrationWithWebhook(t.app, receiver.url);
    // Its health workflow continues as new every 2 outcomes.
    const health = t.temporal.workflow.getHandle(workflowIds.health(webhook.id));
    const { firstExecutionRunId: firstRunId } = await t.temporal.workflow.start('webhookHealth', {
      workflowId: workflowIds.health(webhook.id),
      taskQueue: t.config.temporalTaskQueue,
      args: [{ webhookId: webhook.id, outcomesPerRun: 2 }],
    });
    receiver.reply((_req, n) => (n === 1 ? 500 : 200));
    const retried = await publish(t.app, integration.id);
    const retriedDelivery = await finishedDelivery(t.repos, retried.id, webhook.id);
    await t.temporal.workflow.getHandle(retriedDelivery.workflowId).result();

    receiver.reply(() => 500);
    const failed = await publish(t.app, integration.id, 'sync.completed', { rows: 3 });
    const failedDelivery = await finishedDelivery(t.repos, failed.id, webhook.id);
    await t.temporal.workflow.getHandle(failedDelivery.workflowId).result();

    // More outcomes, a re-enable and a delete for the health workflow.
    for (let i = 0; i < 3; i++) await health.signal(deliveryOutcomeSignal, { deliveryId: newId('delivery'), delivered: false });
    await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: false }).expect(200);
    await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: true }).expect(200);
    await api.delete(`/api/v1/integration/webhook-events/${webhook.id}`).expect(204);
    await health.result();
    expect((await health.describe()).runId).not.toBe(firstRunId);

    const handles = [
      ['publish-event', t.temporal.workflow.getHandle(workflowIds.publish(retried.id))],
      ['deliver-event-retried', t.temporal.workflow.getHandle(retriedDelivery.workflowId)],
      ['deliver-event-failed', t.temporal.workflow.getHandle(failedDelivery.workflowId)],
      ['webhook-health-first-run', t.temporal.workflow.getHandle(workflowIds.health(webhook.id), firstRunId)],
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
