import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
 * Histories recorded from earlier versions of the workflows. A change that would break running
 * workflows (nondeterminism) fails here. Record new ones with RECORD_HISTORIES=1 when a workflow
 * changes on purpose (and keep the old files while such workflows may still be running).
 */
const fixtures = path.join(__dirname, '../fixtures/histories');
const workflowBundle = () => ({ code: readFileSync(process.env.WORKFLOW_BUNDLE_PATH!, 'utf8') });

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
    const files = readdirSync(fixtures).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const histories = files.map((name) => ({
      workflowId: name,
      history: historyFromJSON(JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'))),
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
      mkdirSync(fixtures, { recursive: true });
      for (const [name, handle] of handles) {
        const { runId } = await handle.describe();
        const json = execFileSync(process.env.TEMPORAL_CLI_PATH!, [
          'workflow', 'show', '--address', process.env.TEMPORAL_TEST_ADDRESS!, '--workflow-id', handle.workflowId, '--run-id', runId, '--output', 'json',
        ]);
        writeFileSync(path.join(fixtures, `${name}.json`), json);
      }
    }
  });
});
