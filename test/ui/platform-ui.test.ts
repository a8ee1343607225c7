import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pageWithTemporalUi } from '../../src/api/ui';
import { allowLocalReceivers, adminKey, asAdmin, createIntegration, createTestApp, withBearer, type TestApp } from '../helpers/app';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { waitFor } from '../helpers/wait';
import { directivesOf } from '../helpers/csp';
import { launchChromium } from '../helpers/browser';

/**
 * The Platform UI end to end: Debian's Chromium driven by playwright-core against the real stack
 * (API + database + Temporal worker) and a real receiver. Locators are accessible ones (roles,
 * labels), so a control without a proper name or role fails the test.
 */

const screenshotPath = '/tmp/ui-webhook-page.png';

let t: TestApp;
let receiver: Receiver;
let server: Server;
let base: string;
let browser: Browser;

/** The run's Temporal dev server's Web UI, where the UI links deliveries and webhooks. */
const temporalUi = process.env.TEMPORAL_TEST_UI_URL!;

beforeAll(async () => {
  t = await createTestApp({ worker: true, env: { ...allowLocalReceivers, TEMPORAL_UI_URL: temporalUi } });
  receiver = await startReceiver();
  // The app serves the UI itself (buildApp mounts uiRouter).
  server = await new Promise<Server>((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
  await receiver?.close();
  await t?.close();
});

interface OpenPage {
  page: Page;
  context: BrowserContext;
  /** Script errors, CSP violations and other console errors the page produced. */
  problems: string[];
}

async function openUi(path = '/'): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    // Refused API calls (4xx) are logged by Chromium itself; they are expected here.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(message.text());
  });
  await page.goto(base + path);
  return { page, context, problems };
}

async function signIn(page: Page, credential: string): Promise<void> {
  await page.getByLabel('Admin key or integration token').fill(credential);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const statusSays = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text }).waitFor();

/** What has focus, as "tag:text" ("input:id" for fields), so tests can check where focus went after an action. */
const focused = (page: Page) =>
  page.evaluate(
    '(() => { const el = document.activeElement; if (!el) return ""; const tag = el.tagName.toLowerCase(); return tag + ":" + (tag === "input" ? el.id : (el.textContent || "").trim()); })()',
  ) as Promise<string>;

/** Only this origin, no inline script or style (no 'unsafe-*' anywhere), no framing, no plugins. */
const uiPolicy = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

const signatureOf = (secret: string, timestamp: string, body: string) => 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

describe('Platform UI', () => {
  it('is served at / with its bundle, a strict Content-Security-Policy, and leaves the API alone', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(directivesOf(page.headers.get('content-security-policy'))).toEqual(uiPolicy);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<script src="/ui/app.js" defer></script>');
    // Where the UI links deliveries and webhooks; without TEMPORAL_UI_URL, nothing (and no links).
    expect(html).toContain(`<meta name="temporal-ui-namespace" content="${temporalUi}/namespaces/default">`);
    expect(pageWithTemporalUi('<head></head>', undefined)).toBe('<head></head>');

    const js = await fetch(`${base}/ui/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(directivesOf(js.headers.get('content-security-policy'))).toEqual(uiPolicy);
    const code = await js.text();
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/\bimport\s*[{*]|\brequire\(/); // bundled for the browser

    const css = await fetch(`${base}/ui/styles.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);

    const api = await fetch(`${base}/api/v1/admin/integrations`);
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('lets an admin pick an integration, add a webhook, see its secret once, test, disable, enable and delete it', async () => {
    const integration = await createIntegration(t.app, 'Acme ERP (UI)');
    await createIntegration(t.app, 'Another integration');
    const { page, context, problems } = await openUi();
    try {
      // Sign in with the admin key: Integrations → (pick one) → Webhooks.
      await signIn(page, adminKey);
      await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
      expect(await page.getByText('Signed in with the admin key', { exact: true }).isVisible()).toBe(true);
      await page.getByRole('link', { name: 'Acme ERP (UI)' }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      expect(await focused(page)).toBe('h1:Webhooks');
      await page.getByRole('navigation', { name: 'Breadcrumb' }).getByText('Acme ERP (UI)').waitFor();
      await page.getByText('No webhooks yet').waitFor();

      // Add Webhook: one checkbox per subscribable event type; an invalid URL is explained in plain words.
      await page.getByRole('button', { name: 'Add Webhook' }).click();
      const url = page.getByLabel('Endpoint URL');
      await url.waitFor();
      expect(await focused(page)).toMatch(/^input:url-/);
      for (const name of ['supplier.created', 'supplier.updated', 'sync.completed']) {
        expect(await page.getByRole('checkbox', { name }).isChecked()).toBe(false);
      }
      expect(await page.getByRole('checkbox', { name: 'webhook.test' }).count()).toBe(0);
      await url.fill('ftp://example.com/hook');
      await page.getByRole('checkbox', { name: 'supplier.created' }).check();
      await page.getByRole('checkbox', { name: 'sync.completed' }).check();
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const urlError = page.getByRole('alert').filter({ hasText: 'URL' });
      await urlError.waitFor();
      expect((await urlError.innerText()).trim()).toBe('URL: must use https or http');
      expect(await url.getAttribute('aria-invalid')).toBe('true');
      expect(await focused(page)).toMatch(/^input:url-/);

      await url.fill(receiver.url);
      await page.getByLabel('Description (optional)').fill('ERP sync');
      await page.getByRole('button', { name: 'Create webhook' }).click();

      // The secret, once, with a copy button.
      const secretField = page.getByRole('textbox', { name: 'Signing secret' });
      await secretField.waitFor();
      const secret = await secretField.inputValue();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
      await page.getByRole('region', { name: `Signing secret for ${receiver.url}` }).getByText('Copy this secret now. It will not be shown again.').waitFor();
      expect(await focused(page)).toBe(`h2:Signing secret for ${receiver.url}`);
      await statusSays(page, 'Webhook created');
      await page.getByRole('button', { name: 'Copy secret' }).click();
      await statusSays(page, 'Secret copied to the clipboard.');
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
      await page.getByRole('button', { name: 'Done' }).click();
      expect(await secretField.count()).toBe(0);
      expect(await focused(page)).toBe('button:Add Webhook');
      expect(await page.content()).not.toContain(secret);

      // Listed with its events, status and failure count.
      const listed = page.getByRole('row').filter({ hasText: receiver.url });
      await listed.waitFor();
      const cells = await listed.getByRole('cell').allInnerTexts();
      expect(cells[0]).toContain('ERP sync');
      expect(cells[1]).toMatch(/supplier\.created\s+sync\.completed/);
      expect(cells[2]).toBe('Active');
      expect(cells[3]).toBe('0');
      const [webhook] = (await asAdmin(t.app).get(`/api/v1/admin/integrations/${integration.id}/webhook-events`).expect(200)).body.data;
      expect(webhook).toMatchObject({ url: receiver.url, events: ['supplier.created', 'sync.completed'], description: 'ERP sync' });

      // The webhook's page: send a test event; auto-refresh shows it delivered without a reload.
      await page.getByRole('link', { name: receiver.url }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhook' }).waitFor();
      await page.getByText('No deliveries yet').waitFor();
      await page.getByRole('button', { name: 'Send test event' }).click();
      await statusSays(page, 'Test event sent');
      const delivered = page.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: 'Delivered' });
      await delivered.waitFor({ timeout: 30_000 });
      expect(receiver.requests).toHaveLength(1);
      const [request] = receiver.requests;
      expect(request.headers['x-webhook-event']).toBe('webhook.test');
      expect(request.headers['x-webhook-id']).toBe(webhook.id);
      // The secret the page showed is the one deliveries are signed with.
      expect(request.headers['x-webhook-signature']).toBe(signatureOf(secret, String(request.headers['x-webhook-timestamp']), request.body));

      // Its attempts, expanded in place.
      const deliveryId = String(request.headers['x-webhook-delivery-id']);
      const showAttempts = page.getByRole('button', { name: `Show attempts of webhook.test delivery ${deliveryId}` });
      await showAttempts.click();
      const hideAttempts = page.getByRole('button', { name: `Hide attempts of webhook.test delivery ${deliveryId}` });
      expect(await hideAttempts.getAttribute('aria-expanded')).toBe('true');
      expect(await focused(page)).toBe('button:Hide attempts of webhook.test delivery ' + deliveryId);
      const attempts = page.getByRole('table', { name: /^Attempts of delivery dlv_/ });
      await attempts.getByRole('cell', { name: 'HTTP 200' }).waitFor();
      expect(await attempts.getByRole('row').count()).toBe(2); // header + attempt 1
      await page.screenshot({ path: screenshotPath, fullPage: true });

      // Redeliver: a second delivery of the same event appears on its own.
      await page.getByRole('button', { name: `Redeliver webhook.test delivery ${deliveryId}` }).click();
      await statusSays(page, 'Redelivery started');
      await waitFor('redelivery to show as delivered', async () =>
        (await page.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: 'Delivered' }).count()) === 2 ? true : undefined,
      );
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.requests[1].body).toBe(receiver.requests[0].body);
      // The expanded row stayed expanded through the refreshes.
      expect(await hideAttempts.getAttribute('aria-expanded')).toBe('true');

      // Disable: the status says why; a test event is refused in plain words; enable again.
      await page.getByRole('button', { name: 'Disable', exact: true }).click();
      const enable = page.getByRole('button', { name: 'Enable', exact: true });
      await enable.waitFor();
      expect(await focused(page)).toBe('button:Enable');
      await page.getByText('Disabled: turned off by a user').first().waitFor();
      await statusSays(page, 'Webhook disabled');
      expect((await asAdmin(t.app).get(`/api/v1/admin/integrations/${integration.id}/webhook-events/${webhook.id}`).expect(200)).body).toMatchObject({
        active: false,
        disabledReason: 'manual',
      });
      await page.getByRole('button', { name: 'Send test event' }).click();
      const refused = page.getByRole('alert').filter({ hasText: 'disabled' });
      await refused.waitFor();
      expect((await refused.innerText()).trim()).toBe(`Webhook ${webhook.id} is disabled; re-enable it first`);
      await enable.click();
      await page.getByRole('button', { name: 'Disable', exact: true }).waitFor();
      await statusSays(page, 'Webhook enabled');
      expect((await asAdmin(t.app).get(`/api/v1/admin/integrations/${integration.id}/webhook-events/${webhook.id}`).expect(200)).body.active).toBe(true);

      // Rotate secret: the new one once; the old one keeps signing for the grace period.
      const rotate = page.getByRole('button', { name: 'Rotate secret' });
      await rotate.click();
      expect(await rotate.getAttribute('aria-expanded')).toBe('true');
      const grace = page.getByLabel(/^Grace period for the current secret/);
      expect(await focused(page)).toMatch(/^input:grace-/);
      await grace.fill('-5');
      await page.getByRole('button', { name: 'Rotate now' }).click();
      await page.getByRole('alert').filter({ hasText: 'Grace period: must be a whole number of seconds, 0 or more.' }).waitFor();
      await grace.fill('3600');
      await page.getByRole('button', { name: 'Rotate now' }).click();
      const rotatedRegion = page.getByRole('region', { name: 'New signing secret' });
      await rotatedRegion.getByText('It will not be shown again.').waitFor();
      await rotatedRegion.getByText('The previous secret keeps signing deliveries until').waitFor();
      expect(await focused(page)).toBe('h2:New signing secret');
      const newSecret = await rotatedRegion.getByRole('textbox', { name: 'Signing secret' }).inputValue();
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(secret);
      await page.getByRole('term').filter({ hasText: 'Previous secret' }).waitFor();
      await rotatedRegion.getByRole('button', { name: 'Done' }).click();
      expect(await rotatedRegion.count()).toBe(0);
      expect(await focused(page)).toBe('button:Rotate secret');
      expect(await page.content()).not.toContain(newSecret);
      // Deliveries are now signed with both secrets.
      await page.getByRole('button', { name: 'Send test event' }).click();
      await waitFor('a third request', () => (receiver.requests.length === 3 ? true : undefined));
      const third = receiver.requests[2];
      expect(String(third.headers['x-webhook-signature']).split(',').sort()).toEqual(
        [newSecret, secret].map((key) => signatureOf(key, String(third.headers['x-webhook-timestamp']), third.body)).sort(),
      );

      // Delete, after a confirmation step (Cancel first: nothing happens).
      await page.getByRole('button', { name: 'Delete webhook' }).click();
      const confirm = page.getByRole('group', { name: /Delete this webhook\?/ });
      await confirm.waitFor();
      expect(await focused(page)).toBe('button:Cancel');
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      expect(await confirm.count()).toBe(0);
      await page.getByRole('button', { name: 'Delete webhook' }).click();
      await page.getByRole('button', { name: 'Yes, delete this webhook' }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      await statusSays(page, 'Webhook deleted.');
      await page.getByText('No webhooks yet').waitFor();
      await asAdmin(t.app).get(`/api/v1/admin/integrations/${integration.id}/webhook-events/${webhook.id}`).expect(404);

      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("links each delivery to its workflow in the Temporal Web UI, and the webhook to its deliveries there", async () => {
    const failing = await startReceiver(() => 500);
    const integration = await createIntegration(t.app, 'Web UI links');
    const api = withBearer(t.app, integration.token);
    const webhook = (await api.post('/api/v1/integration/webhook-events', { url: failing.url, events: ['sync.completed'] }).expect(201)).body;
    const event = (await asAdmin(t.app).post('/api/v1/admin/events', { integrationId: integration.id, event: 'sync.completed', data: {} }).expect(202)).body;
    const { page, context, problems } = await openUi();
    try {
      await signIn(page, integration.token);
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      await page.getByRole('link', { name: failing.url }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhook' }).waitFor();
      const filtered = page.getByRole('link', { name: `Deliveries in the Temporal Web UI of webhook ${webhook.id}` });
      expect(await filtered.getAttribute('href')).toBe(`${temporalUi}/namespaces/default/workflows?query=${encodeURIComponent(`WebhookId="${webhook.id}"`)}`);

      const [delivery] = (await api.get(`/api/v1/integration/webhook-events/${webhook.id}/deliveries`).expect(200)).body.data;
      expect(delivery.workflowId).toBe(`delivery-${integration.id}-${event.id}-${webhook.id}`);
      const link = page.getByRole('link', { name: `Workflow of sync.completed delivery ${delivery.id} in the Temporal Web UI` });
      const [webUi] = await Promise.all([context.waitForEvent('page'), link.click()]);
      await webUi.waitForLoadState();
      expect(webUi.url()).toContain(`${temporalUi}/namespaces/default/workflows/${encodeURIComponent(delivery.workflowId)}`);
      // The Web UI shows that workflow.
      await webUi.getByText(delivery.workflowId).first().waitFor({ timeout: 30_000 });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await failing.close();
    }
  }, 120_000);

  it('shows an integration token only its own webhooks, by keyboard, and signs out', async () => {
    const mine = await createIntegration(t.app, 'Token Co A');
    const theirs = await createIntegration(t.app, 'Token Co B');
    await withBearer(t.app, mine.token).post('/api/v1/integration/webhook-events', { url: `${receiver.url}/mine`, events: ['supplier.updated'] }).expect(201);
    const other = (
      await withBearer(t.app, theirs.token).post('/api/v1/integration/webhook-events', { url: `${receiver.url}/theirs`, events: ['supplier.updated'] }).expect(201)
    ).body;

    const { page, context, problems } = await openUi();
    try {
      // Wrong credentials are explained, for either kind.
      await signIn(page, 'not-the-admin-key-at-all');
      await page.getByRole('alert').filter({ hasText: 'That admin key was not accepted.' }).waitFor();
      await signIn(page, 'eudr_live_0000000000000000000000000000000000');
      await page.getByRole('alert').filter({ hasText: 'That integration token was not accepted.' }).waitFor();

      // Keyboard only: the field has focus; type the token and press Enter.
      await page.getByLabel('Admin key or integration token').fill('');
      expect(await focused(page)).toBe('input:credential');
      await page.keyboard.type(mine.token);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      await page.getByText('Signed in with an integration token', { exact: true }).waitFor();
      await page.getByRole('link', { name: `${receiver.url}/mine` }).waitFor();
      expect(await page.getByRole('link', { name: `${receiver.url}/theirs` }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Integrations' }).count()).toBe(0);
      expect(await page.evaluate('sessionStorage.length')).toBe(1);

      // Another integration's webhook is simply not found; admin addresses lead back to one's own.
      await page.goto(`${base}/#/webhooks/${other.id}`);
      await page.getByText('This webhook does not exist (any more).').waitFor();
      await page.goto(`${base}/#/integrations`);
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      await page.getByRole('link', { name: `${receiver.url}/mine` }).waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('shows every user-supplied string as text, exactly as typed: nothing in it runs', async () => {
    const markup = (where: string) => [
      `<script>window.__xss = '${where}'</script>`,
      `"><img src=x onerror="window.__xss = '${where}'; alert(1)">`,
      `'><svg onload="window.__xss = '${where}'">`,
      `<a href="javascript:alert('${where}')">click</a> {{constructor.constructor('alert(1)')()}}`,
    ].join(' ');
    const name = `Acme <script>window.__xss = 'name'</script>"><img src=x onerror="window.__xss = 'name'">`;
    const description = markup('description');
    const url = `${receiver.url}/<script>window.__xss='url'</script>/"><img src=x onerror=alert(1)>`;
    const excerpt = markup('response');
    const integration = await createIntegration(t.app, name);
    const webhook = (await withBearer(t.app, integration.token).post('/api/v1/integration/webhook-events', { url, events: ['sync.completed'], description }).expect(201)).body;
    expect(webhook).toMatchObject({ url, description });
    receiver.reply(() => ({ status: 500, body: excerpt, headers: { 'Content-Type': 'text/html' } }));

    const { page, context, problems } = await openUi();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    /** What a script of the payloads would leave behind: the flag, or elements made from the markup. */
    const traces = () =>
      page.evaluate('({ flag: window.__xss, made: document.querySelectorAll("main img, main script, main svg, main a[href^=javascript]").length })');
    try {
      await signIn(page, adminKey);
      await page.getByRole('link', { name }).waitFor();
      await page.getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      await page.getByRole('navigation', { name: 'Breadcrumb' }).getByText(name, { exact: true }).waitFor();
      const row = page.getByRole('row').filter({ hasText: url });
      await row.getByRole('link', { name: url, exact: true }).waitFor();
      await row.getByText(description, { exact: true }).waitFor();
      expect(await traces()).toEqual({ made: 0 });

      await row.getByRole('link', { name: url, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhook' }).waitFor();
      await page.getByText(description, { exact: true }).waitFor();
      await page.getByText(url, { exact: true }).first().waitFor();
      await page.getByRole('button', { name: 'Send test event' }).click();
      const failed = page.getByRole('row').filter({ hasText: 'webhook.test' }).first();
      await failed.getByRole('button', { name: /^Show attempts of webhook\.test delivery/ }).click();
      await page.getByText(excerpt, { exact: true }).first().waitFor({ timeout: 30_000 });
      expect(await traces()).toEqual({ made: 0 });
      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      receiver.reply(() => 200);
      await context.close();
    }
  }, 90_000);

  it('serves /docs under its Content-Security-Policy without a violation, styled', async () => {
    const { page, context, problems } = await openUi('/docs');
    try {
      await page.getByRole('heading', { level: 1 }).waitFor();
      // The stylesheet applied: the body is centred at its max width.
      expect(await page.evaluate('getComputedStyle(document.body).maxWidth')).toBe('960px');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('sends you back to sign-in when the token stops working', async () => {
    const integration = await createIntegration(t.app, 'Revoked Co');
    const webhook = (
      await withBearer(t.app, integration.token).post('/api/v1/integration/webhook-events', { url: `${receiver.url}/revoked`, events: ['sync.completed'] }).expect(201)
    ).body;
    const { page, context } = await openUi();
    try {
      await signIn(page, integration.token);
      await page.getByRole('link', { name: `${receiver.url}/revoked` }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhook' }).waitFor();
      await asAdmin(t.app).delete(`/api/v1/admin/integrations/${integration.id}/tokens/${integration.tokenId}`).expect(204);
      // The page's own auto-refresh meets the 401.
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await page.getByText('Your session has ended').first().waitFor();
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      // Signing in again (here as admin, who cannot use an integration's address) lands somewhere sensible.
      expect(page.url()).toContain(`#/webhooks/${webhook.id}`);
      await signIn(page, adminKey);
      await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
    } finally {
      await context.close();
    }
  }, 60_000);
});
