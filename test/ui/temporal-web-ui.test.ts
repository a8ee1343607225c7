import type { Browser } from 'playwright-core';
import { allowLocalReceivers, createTestApp, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { integrationWithWebhook, publish } from '../helpers/deliveries';
import { launchChromium } from '../helpers/browser';
import { waitFor } from '../helpers/wait';

/**
 * What operators see in the Temporal Web UI (the run's dev server serves it): a failing delivery's
 * workflow page shows its summary and where it stands (its current details, which the Web UI asks
 * the worker for).
 */

const temporalUi = process.env.TEMPORAL_TEST_UI_URL!;
const screenshotPath = '/tmp/temporal-web-ui-delivery.png';

let t: TestApp;
let receiver: Receiver;
let browser: Browser;
beforeAll(async () => {
  // The retry waits long enough to be read while it waits.
  t = await createTestApp({ worker: true, env: { ...allowLocalReceivers, WEBHOOK_RETRY_DELAYS_MS: '60000' } });
  receiver = await startReceiver(() => 500);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await t?.close();
});

describe('the Temporal Web UI', () => {
  it("shows a failing delivery's summary and current details on its workflow page", async () => {
    const { integration, webhook } = await integrationWithWebhook(t.app, receiver.url);
    const event = await publish(t.app, integration.id, 'supplier.created');
    const delivery = await waitFor('the first attempt to fail', async () => {
      const [found] = await t.repos.deliveries.listForEvent(integration.id, event.id);
      return found?.status === 'retrying' ? found : undefined;
    });

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`${temporalUi}/namespaces/default/workflows/${encodeURIComponent(delivery.workflowId)}`);
      await page.getByRole('tab', { name: 'User Metadata' }).click();
      // The Web UI renders each piece of metadata (Markdown) in a frame of its own.
      const shown = await waitFor('the summary and current details', async () => {
        const texts = await Promise.all(page.frames().map((frame) => frame.locator('body').innerText().catch(() => '')));
        const text = texts.join('\n');
        return text.includes(`supplier.created → 127.0.0.1:${receiver.port}/hook`) && /attempt 1 of 2 failed/.test(text) ? text : undefined;
      });
      expect(shown).toMatch(/^attempt 1 of 2 failed: HTTP 500 in \d+ ms; attempt 2 at \d\d:\d\d:\d\d UTC$/m);
      expect(shown).toContain(`Webhook: ${webhook.id}`);
      await page.getByText('wait 60 s before attempt 2').waitFor();
      await page.screenshot({ path: screenshotPath, fullPage: true });
    } finally {
      await context.close();
    }
  }, 120_000);
});
