import type { WorkflowHandle } from '@temporalio/client';
import { createTestApp, type TestApp } from '../helpers/app';
import { integrationWithWebhook } from '../helpers/deliveries';
import { waitFor } from '../helpers/wait';
import { cutOffDatabase } from '../helpers/db';
import { deliveryOutcomeSignal, healthQuery, searchAttributes, type DeliveryOutcome, type WebhookHealth } from '../../src/domain/workflow-definitions';
import { workflowIds } from '../../src/domain/workflow-ids';
import { newId } from '../../src/domain/ids';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_INSECURE_URLS: 'true', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
});
afterAll(() => t.close());

const outcomesPerRun = 25;
/**
 * A run's history: its outcomes, plus the signals that arrive while it hands over (Temporal lets a
 * run continue as new only in a workflow task without new signals). Far below the 1,000 of the stream.
 */
const maxEventsPerRun = 600;

/** `count` failed outcomes, one in five reported twice (as a retried report would be), a few places later. */
function failedOutcomes(count: number): { outcomes: DeliveryOutcome[]; distinct: number } {
  const outcomes: DeliveryOutcome[] = [];
  const ids: string[] = [];
  while (outcomes.length < count) {
    const id = newId('delivery');
    ids.push(id);
    outcomes.push({ deliveryId: id, delivered: false });
    if (ids.length % 5 === 0 && outcomes.length < count) outcomes.push({ deliveryId: ids[ids.length - 3], delivered: false });
  }
  return { outcomes, distinct: ids.length };
}

/** Sends the outcomes as a steady stream, two in flight at once, so more arrive while each save runs. */
async function stream(handle: WorkflowHandle, outcomes: DeliveryOutcome[], inFlight = 2): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < outcomes.length) await handle.signal(deliveryOutcomeSignal, outcomes[next++]);
    }),
  );
}

async function runsOf(workflowId: string): Promise<Array<{ runId: string; status: string }>> {
  const runs: Array<{ runId: string; status: string }> = [];
  for await (const run of t.temporal.workflow.list({ query: `WorkflowId="${workflowId}"` })) runs.push({ runId: run.runId, status: run.status.name });
  return runs;
}

/** Waits until the workflow's query and the database both show `expected`; says what they showed if not. */
async function waitForHealth(webhookId: string, expected: WebhookHealth) {
  const handle = t.temporal.workflow.getHandle(workflowIds.health(webhookId));
  const same = (a: WebhookHealth, b: WebhookHealth) => a.consecutiveFailures === b.consecutiveFailures && a.disabled === b.disabled;
  let seen: unknown;
  try {
    await waitFor(`health ${JSON.stringify(expected)}`, async () => {
      const row = await t.repos.db('webhooks').where({ id: webhookId }).first();
      const saved = { consecutiveFailures: row.consecutive_failures, disabled: !row.active };
      const state = await handle.query(healthQuery);
      seen = { state, saved };
      return same(state, expected) && same(saved, expected) ? true : undefined;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(seen)}`, { cause: err });
  }
}

it('stays bounded under a steady stream of outcomes: runs continue as new, the count stays exact, re-enabling works across runs', async () => {
  const { api, webhook } = await integrationWithWebhook(t.app, 'http://127.0.0.1:9/hook');
  const workflowId = workflowIds.health(webhook.id);
  const handle = await t.temporal.workflow.start('webhookHealth', {
    workflowId,
    taskQueue: t.config.temporalTaskQueue,
    args: [{ webhookId: webhook.id, outcomesPerRun }],
  });

  const first = failedOutcomes(1000);
  expect(first.outcomes).toHaveLength(1000);
  await stream(handle, first.outcomes);
  // Disabled at the 10th failure, counted on to the last, and the state survives every continue-as-new.
  await waitForHealth(webhook.id, { consecutiveFailures: first.distinct, disabled: true });

  const runs = await runsOf(workflowId);
  expect(runs.length).toBeGreaterThanOrEqual(4);
  // The latest run shows the webhook disabled, whichever run disabled it (search attributes carry over).
  expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.webhookState)).toBe('disabled');
  for (const run of runs) {
    const { events } = await t.temporal.workflow.getHandle(workflowId, run.runId).fetchHistory();
    // A run takes its share of the stream and hands the rest on: no run grows with the stream.
    expect({ run: run.runId, bounded: events!.length <= maxEventsPerRun }).toEqual({ run: run.runId, bounded: true });
  }

  // Re-enabling, then another stream across more runs, and re-enabling again.
  const enabled = await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: true }).expect(200);
  expect(enabled.body).toMatchObject({ active: true, consecutiveFailures: 0 });
  await waitForHealth(webhook.id, { consecutiveFailures: 0, disabled: false });
  const more = failedOutcomes(3 * outcomesPerRun);
  await stream(handle, more.outcomes);
  await waitForHealth(webhook.id, { consecutiveFailures: more.distinct, disabled: true });
  await api.patch(`/api/v1/integration/webhook-events/${webhook.id}`, { active: true }).expect(200);
  await waitForHealth(webhook.id, { consecutiveFailures: 0, disabled: false });
  expect((await runsOf(workflowId)).length).toBeGreaterThan(runs.length);
}, 120_000);

it('continues as new while the database is away, and saves the count once it is back', async () => {
  const { webhook } = await integrationWithWebhook(t.app, 'http://127.0.0.1:9/hook');
  const outage = cutOffDatabase(t.repos.webhooks, 'saveHealth');
  try {
    const workflowId = workflowIds.health(webhook.id);
    const handle = await t.temporal.workflow.start('webhookHealth', {
      workflowId,
      taskQueue: t.config.temporalTaskQueue,
      args: [{ webhookId: webhook.id, outcomesPerRun: 3 }],
    });
    const { outcomes } = failedOutcomes(4);
    for (const outcome of outcomes) await handle.signal(deliveryOutcomeSignal, outcome);
    // Its outcomes handled but not saved, the run hands its state on instead of holding its task.
    await waitFor('a continue-as-new during the outage', async () => ((await runsOf(workflowId)).length > 1 ? true : undefined));
    expect((await t.repos.db('webhooks').where({ id: webhook.id }).first()).consecutive_failures).toBe(0);
    outage.restore();
    await waitForHealth(webhook.id, { consecutiveFailures: 4, disabled: false });
  } finally {
    outage.restore();
  }
});
