/**
 * The Platform UI: Integrations → Webhooks. Plain TypeScript, no framework; bundled by src/api/ui.ts.
 * Routes live in the URL hash (#/integrations, #/integrations/:id/webhooks[/:webhookId] for admins,
 * #/webhooks[/:webhookId] for an integration token); every view works on either API base path.
 */
import {
  ApiClient,
  ApiFailure,
  SignedOut,
  describeError,
  fieldLabel,
  integrationBase,
  verifyCredential,
  type Delivery,
  type DeliveryDetail,
  type EventType,
  type Integration,
  type Session,
  type Webhook,
} from './api';
import { append, errorBox, focusElement, h, showErrorLines, time, uid, type Child } from './dom';

const storageKey = 'platform-ui.session';
const refreshEveryMs = 2000;
const deliveriesShown = 20;

const mainEl = document.getElementById('main') as HTMLElement;
const statusEl = document.getElementById('status') as HTMLElement;
const sessionEl = document.getElementById('session') as HTMLElement;

let session: Session | null = loadSession();
let client: ApiClient | null = session ? newClient(session) : null;
/** Bumped on every render; async work of an older view checks it and stops. */
let renderToken = 0;
let viewTimers: number[] = [];
let integrations: Integration[] | null = null;

// ---------------------------------------------------------------- session

function loadSession(): Session | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as Partial<Session> | null;
    if (stored && typeof stored.token === 'string' && stored.token && (stored.kind === 'admin' || stored.kind === 'integration')) {
      return { kind: stored.kind, token: stored.token };
    }
  } catch {
    // Unreadable storage counts as signed out.
  }
  return null;
}

function newClient(s: Session): ApiClient {
  return new ApiClient(s.token, () => signOut('Your session has ended or the credential is no longer valid. Please sign in again.', true));
}

function signIn(s: Session): void {
  session = s;
  client = newClient(s);
  integrations = null;
  try {
    sessionStorage.setItem(storageKey, JSON.stringify(s));
  } catch {
    // Private modes may refuse storage; the session then lasts until reload.
  }
}

/** Forgets the credential; `keepPlace` returns to the same page after signing in again (a 401). */
function signOut(message?: string, keepPlace = false): void {
  session = null;
  client = null;
  integrations = null;
  try {
    sessionStorage.removeItem(storageKey);
  } catch {
    // Nothing stored.
  }
  if (!keepPlace) history.replaceState(null, '', '#/');
  render({ focus: true, notice: message });
  if (message) announce(message);
}

const api = (): ApiClient => {
  if (!client) throw new SignedOut();
  return client;
};

// ---------------------------------------------------------------- status messages

let announceTimer: number | undefined;
let announcedAt = 0;
/** Polite status message in the live region (also visible at the top of the page). */
function announce(message: string): void {
  window.clearTimeout(announceTimer);
  announcedAt = Date.now();
  statusEl.textContent = '';
  statusEl.classList.remove('status--visible');
  // A fresh text node in a fresh task, so repeating the same message is announced again.
  announceTimer = window.setTimeout(() => {
    statusEl.textContent = message;
    statusEl.classList.add('status--visible');
  }, 30);
}

function clearAnnouncement(): void {
  window.clearTimeout(announceTimer);
  statusEl.textContent = '';
  statusEl.classList.remove('status--visible');
}

/** Shows an API error in plain words in `box`; a 401 has already sent the user to sign-in. */
function showError(box: HTMLElement, err: unknown): void {
  if (err instanceof SignedOut) return;
  if (!(err instanceof ApiFailure)) console.error(err);
  showErrorLines(box, describeError(err));
}

/** Disables a button while its action runs, with a busy label; its name and focus come back afterwards. */
async function busy<T>(button: HTMLButtonElement, label: string, work: () => Promise<T>): Promise<T> {
  const children = [...button.childNodes];
  const hadFocus = document.activeElement === button;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.replaceChildren(...children);
    if (hadFocus && (document.activeElement === null || document.activeElement === document.body)) button.focus();
  }
}

// ---------------------------------------------------------------- routing

type Route =
  | { name: 'integrations' }
  | { name: 'webhooks'; integrationId?: string }
  | { name: 'webhook'; integrationId?: string; webhookId: string }
  | { name: 'home' }
  | { name: 'unknown' };

function parseRoute(): Route {
  const hash = location.hash.replace(/^#/, '');
  if (!hash.startsWith('/') || hash === '/') return { name: 'home' };
  const parts = hash.slice(1).split('/').map((part) => decodeURIComponent(part));
  if (parts[0] === 'integrations' && parts.length === 1) return { name: 'integrations' };
  if (parts[0] === 'integrations' && parts[2] === 'webhooks' && parts[1]) {
    if (parts.length === 3) return { name: 'webhooks', integrationId: parts[1] };
    if (parts.length === 4 && parts[3]) return { name: 'webhook', integrationId: parts[1], webhookId: parts[3] };
  }
  if (parts[0] === 'webhooks') {
    if (parts.length === 1) return { name: 'webhooks' };
    if (parts.length === 2 && parts[1]) return { name: 'webhook', webhookId: parts[1] };
  }
  return { name: 'unknown' };
}

/** The part of the hash naming the integration's webhooks, for either kind of session. */
function webhooksHref(integrationId?: string): string {
  return session?.kind === 'admin' ? `#/integrations/${encodeURIComponent(integrationId ?? '')}/webhooks` : '#/webhooks';
}
const webhookHref = (integrationId: string | undefined, webhookId: string) => `${webhooksHref(integrationId)}/${encodeURIComponent(webhookId)}`;
const defaultHref = () => (session?.kind === 'admin' ? '#/integrations' : '#/webhooks');

function go(href: string): void {
  if (location.hash === href) render({ focus: true });
  else location.hash = href;
}

interface RenderOptions {
  focus?: boolean;
  notice?: string;
}

function render({ focus = false, notice }: RenderOptions = {}): void {
  renderToken++;
  for (const timer of viewTimers) window.clearInterval(timer);
  viewTimers = [];
  renderSessionBar();
  mainEl.replaceChildren();
  if (!session) {
    viewSignIn(notice);
    return;
  }
  const route = parseRoute();
  let heading: HTMLElement;
  if (route.name === 'home') {
    history.replaceState(null, '', defaultHref());
    render({ focus });
    return;
  }
  if (session.kind === 'integration' && (route.name === 'integrations' || ('integrationId' in route && route.integrationId))) {
    // An integration token has no admin view: its own webhooks instead.
    history.replaceState(null, '', '#/webhooks');
    render({ focus });
    return;
  }
  if (session.kind === 'admin' && (route.name === 'webhooks' || route.name === 'webhook') && !route.integrationId) {
    history.replaceState(null, '', '#/integrations');
    render({ focus });
    return;
  }
  switch (route.name) {
    case 'integrations':
      heading = viewIntegrations();
      break;
    case 'webhooks':
      heading = viewWebhooks(route.integrationId);
      break;
    case 'webhook':
      heading = viewWebhook(route.integrationId, route.webhookId);
      break;
    default:
      heading = viewNotFound();
  }
  if (focus) focusElement(heading);
}

// ---------------------------------------------------------------- layout pieces

function renderSessionBar(): void {
  sessionEl.replaceChildren();
  if (!session) return;
  append(
    sessionEl,
    h('span', { class: 'session__who' }, session.kind === 'admin' ? 'Signed in with the admin key' : 'Signed in with an integration token'),
    h('button', { type: 'button', class: 'button button--quiet', onclick: () => signOut('You are signed out.') }, 'Sign out'),
  );
}

function pageTitle(...parts: string[]): void {
  document.title = [...parts, 'N’entropy Platform'].join(' · ');
}

interface Crumb {
  label: string;
  href?: string;
}

function breadcrumbs(crumbs: Crumb[]): HTMLElement {
  return h(
    'nav',
    { 'aria-label': 'Breadcrumb', class: 'breadcrumbs' },
    h(
      'ol',
      {},
      ...crumbs.map((crumb, index) =>
        h(
          'li',
          {},
          crumb.href && index < crumbs.length - 1
            ? h('a', { href: crumb.href }, crumb.label)
            : h('span', { 'aria-current': index === crumbs.length - 1 ? 'page' : null }, crumb.label),
        ),
      ),
    ),
  );
}

function integrationCrumbs(integrationId: string | undefined, name: string | undefined): Crumb[] {
  if (session?.kind !== 'admin') return [{ label: 'Webhooks', href: webhooksHref() }];
  return [
    { label: 'Integrations', href: '#/integrations' },
    { label: name ?? integrationId ?? 'Integration' },
    { label: 'Webhooks', href: webhooksHref(integrationId) },
  ];
}

const heading1 = (text: string) => h('h1', { tabindex: '-1' }, text);

const loading = (what: string) => h('p', { class: 'muted' }, `Loading ${what}…`);

function statusBadge(webhook: Pick<Webhook, 'active' | 'disabledReason'>): HTMLElement {
  if (webhook.active) return h('span', { class: 'badge badge--ok' }, 'Active');
  return h('span', { class: 'badge badge--off' }, `Disabled: ${disabledReasonText(webhook.disabledReason)}`);
}

function disabledReasonText(reason: string | null): string {
  switch (reason) {
    case 'consecutive_failures':
      return 'too many consecutive failed deliveries';
    case 'manual':
    case null:
      return 'turned off by a user';
    default:
      return reason.replace(/_/g, ' ');
  }
}

const deliveryStatusText: Record<string, string> = {
  pending: 'Pending',
  retrying: 'Retrying',
  delivered: 'Delivered',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

function deliveryBadge(status: string): HTMLElement {
  const tone = status === 'delivered' ? 'ok' : status === 'failed' ? 'bad' : status === 'pending' || status === 'retrying' ? 'wait' : 'off';
  return h('span', { class: `badge badge--${tone}` }, deliveryStatusText[status] ?? status);
}

/** The name of an integration for an admin (list fetched once per sign-in, again when unknown). */
async function integrationName(integrationId: string): Promise<string | undefined> {
  const find = () => integrations?.find((i) => i.id === integrationId)?.name;
  if (!find()) integrations = (await api().get<{ data: Integration[] }>('/api/v1/admin/integrations')).data;
  return find();
}

/** A secret shown exactly once, with a copy button; `onDone` runs when the user dismisses it. */
function secretPanel(title: string, secret: string, notes: Child[], onDone: () => void): { panel: HTMLElement; heading: HTMLElement } {
  const inputId = uid('secret');
  const headingId = uid('secret-heading');
  const input = h('input', { id: inputId, class: 'mono secret__value', type: 'text', readonly: true, spellcheck: 'false', autocomplete: 'off', value: secret });
  const copyResult = h('p', { class: 'hint', hidden: true });
  const heading = h('h2', { id: headingId, tabindex: '-1' }, title);
  const copy = h('button', { type: 'button', class: 'button' }, 'Copy secret');
  copy.addEventListener('click', async () => {
    const copied = await copyText(secret, input);
    const message = copied
      ? 'Secret copied to the clipboard.'
      : 'Could not copy automatically. The secret is selected: press Ctrl+C (⌘C on a Mac) to copy it.';
    copyResult.textContent = message;
    copyResult.hidden = false;
    announce(message);
    if (!copied) {
      input.focus();
      input.select();
    }
  });
  const panel = h(
    'section',
    { class: 'card secret', 'aria-labelledby': headingId },
    heading,
    h('p', { class: 'secret__warning' }, h('strong', {}, 'Copy this secret now. It will not be shown again.')),
    ...notes,
    h('label', { for: inputId }, 'Signing secret'),
    h('div', { class: 'secret__row' }, input, copy),
    copyResult,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', onclick: () => { panel.remove(); onDone(); } }, 'Done')),
  );
  return { panel, heading };
}

async function copyText(text: string, input: HTMLInputElement): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Denied or unavailable: fall back to the selection.
    }
  }
  try {
    input.focus();
    input.select();
    input.setSelectionRange(0, text.length);
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- views: sign-in

function viewSignIn(notice?: string): void {
  pageTitle('Sign in');
  const hintId = uid('hint');
  const input = h('input', {
    id: 'credential',
    name: 'credential',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
    required: true,
    'aria-describedby': hintId,
  });
  const error = errorBox();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow', novalidate: true, 'aria-labelledby': 'signin-heading' },
    h('h1', { id: 'signin-heading', tabindex: '-1' }, 'Sign in'),
    notice ? h('p', { class: 'notice' }, notice) : null,
    h('div', { class: 'field' }, h('label', { for: 'credential' }, 'Admin key or integration token'), input),
    h('p', { id: hintId, class: 'hint' }, 'Integration tokens start with eudr_live_ and show only that integration’s webhooks. An admin key shows every integration.'),
    error,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      input.setAttribute('aria-invalid', 'true');
      showErrorLines(error, ['Enter an admin key or an integration token.']);
      input.focus();
      return;
    }
    try {
      const kind = await busy(submit, 'Signing in…', () => verifyCredential(token));
      signIn({ kind, token });
      input.value = '';
      announce(kind === 'admin' ? 'Signed in with the admin key.' : 'Signed in with an integration token.');
      // Back to where a 401 interrupted, if anywhere (render redirects what this kind cannot see).
      if (parseRoute().name === 'home') go(defaultHref());
      else render({ focus: true });
    } catch (err) {
      input.setAttribute('aria-invalid', 'true');
      showError(error, err);
      input.focus();
      input.select();
    }
  });
  mainEl.append(form);
  input.focus();
}

// ---------------------------------------------------------------- views: integrations (admin)

function viewIntegrations(): HTMLElement {
  pageTitle('Integrations');
  const heading = heading1('Integrations');
  const body = h('div', {}, loading('integrations'));
  const error = errorBox();
  mainEl.append(
    breadcrumbs([{ label: 'Integrations' }]),
    heading,
    h('p', { class: 'lead' }, 'Select an integration to manage its webhooks.'),
    error,
    body,
  );
  const token = renderToken;
  void (async () => {
    try {
      integrations = (await api().get<{ data: Integration[] }>('/api/v1/admin/integrations')).data;
      if (token !== renderToken) return;
      body.replaceChildren(
        integrations.length === 0
          ? h('p', {}, 'No integrations yet. Create one with POST /api/v1/admin/integrations; it will show up here.')
          : h(
              'ul',
              { class: 'link-list' },
              ...integrations.map((integration) =>
                h(
                  'li',
                  {},
                  h('a', { href: webhooksHref(integration.id), class: 'link-list__name' }, integration.name),
                  h('span', { class: 'muted mono' }, integration.id),
                  h('span', { class: 'muted' }, 'Created ', time(integration.createdAt)),
                ),
              ),
            ),
      );
    } catch (err) {
      if (token !== renderToken) return;
      body.replaceChildren();
      showError(error, err);
    }
  })();
  return heading;
}

// ---------------------------------------------------------------- views: webhook list + Add Webhook

function viewWebhooks(integrationId: string | undefined): HTMLElement {
  const s = session as Session;
  const base = integrationBase(s, integrationId);
  pageTitle('Webhooks');
  const heading = heading1('Webhooks');
  const crumbsSlot = h('div', {}, breadcrumbs(integrationCrumbs(integrationId, undefined)));
  const lead = h('p', { class: 'lead' }, s.kind === 'admin' ? `Integration ${integrationId}` : 'The webhooks of your integration.');
  const secretSlot = h('div', {});
  const listError = errorBox();
  const list = h('div', {}, loading('webhooks'));

  const formId = uid('add-webhook');
  const addButton = h('button', { type: 'button', class: 'button button--primary', 'aria-expanded': 'false', 'aria-controls': formId }, 'Add Webhook');
  const formSlot = h('div', { id: formId, hidden: true });

  mainEl.append(crumbsSlot, heading, lead, secretSlot, h('div', { class: 'toolbar' }, addButton), formSlot, listError, list);

  const token = renderToken;
  const eventTypes = api()
    .get<{ data: EventType[] }>(`${base}/event-types`)
    .then((res) => res.data.filter((type) => type.subscribable !== false));
  eventTypes.catch(() => undefined);

  if (s.kind === 'admin' && integrationId) {
    integrationName(integrationId)
      .then((name) => {
        if (token !== renderToken || !name) return;
        crumbsSlot.replaceChildren(breadcrumbs(integrationCrumbs(integrationId, name)));
        lead.textContent = `Integration ${name} (${integrationId})`;
        pageTitle('Webhooks', name);
      })
      .catch(() => undefined);
  }

  const loadList = async () => {
    try {
      const webhooks = (await api().get<{ data: Webhook[] }>(`${base}/webhook-events`)).data;
      if (token !== renderToken) return;
      showErrorLines(listError, []);
      list.replaceChildren(webhookTable(webhooks, integrationId));
    } catch (err) {
      if (token !== renderToken) return;
      list.replaceChildren();
      showError(listError, err);
    }
  };
  void loadList();

  const closeForm = (focusButton: boolean) => {
    formSlot.hidden = true;
    formSlot.replaceChildren();
    addButton.setAttribute('aria-expanded', 'false');
    if (focusButton) addButton.focus();
  };

  addButton.addEventListener('click', async () => {
    if (!formSlot.hidden) {
      closeForm(true);
      return;
    }
    addButton.setAttribute('aria-expanded', 'true');
    formSlot.hidden = false;
    formSlot.replaceChildren(loading('event types'));
    try {
      const types = await eventTypes;
      if (token !== renderToken) return;
      const { form, firstField } = addWebhookForm(base, types, {
        onCancel: () => closeForm(true),
        onCreated: (webhook) => {
          closeForm(false);
          secretSlot.replaceChildren();
          const { panel, heading: secretHeading } = secretPanel(
            `Signing secret for ${webhook.url}`,
            webhook.secret ?? '',
            [h('p', {}, 'Your receiver uses it to verify the X-Webhook-Signature header of every delivery.')],
            () => addButton.focus(),
          );
          secretSlot.append(panel);
          announce('Webhook created. Copy its signing secret now: it will not be shown again.');
          focusElement(secretHeading);
          void loadList();
        },
      });
      formSlot.replaceChildren(form);
      firstField.focus();
    } catch (err) {
      if (token !== renderToken) return;
      const box = errorBox();
      formSlot.replaceChildren(box);
      showError(box, err);
    }
  });

  return heading;
}

function webhookTable(webhooks: Webhook[], integrationId: string | undefined): HTMLElement {
  if (webhooks.length === 0) return h('p', { class: 'empty' }, 'No webhooks yet. Add one to start receiving events.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Webhooks'),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, 'URL'), h('th', { scope: 'col' }, 'Events'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col', class: 'num' }, 'Consecutive failures')),
      ),
      h(
        'tbody',
        {},
        ...webhooks.map((webhook) =>
          h(
            'tr',
            {},
            h(
              'td',
              { class: 'url-cell' },
              h('a', { href: webhookHref(integrationId, webhook.id), class: 'mono' }, webhook.url),
              webhook.description ? h('div', { class: 'muted' }, webhook.description) : null,
            ),
            h('td', {}, eventList(webhook.events)),
            h('td', {}, statusBadge(webhook)),
            h('td', { class: 'num' }, webhook.consecutiveFailures),
          ),
        ),
      ),
    ),
  );
}

const eventList = (events: string[]) => h('ul', { class: 'tags' }, ...events.map((event) => h('li', { class: 'tag mono' }, event)));

function addWebhookForm(
  base: string,
  types: EventType[],
  handlers: { onCancel: () => void; onCreated: (webhook: Webhook) => void },
): { form: HTMLFormElement; firstField: HTMLInputElement } {
  const urlHint = uid('hint');
  const url = h('input', {
    id: uid('url'),
    name: 'url',
    type: 'url',
    inputmode: 'url',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'https://your-server.example.com/webhooks/eudr',
    'aria-describedby': urlHint,
  });
  const description = h('input', { id: uid('description'), name: 'description', type: 'text', maxlength: '1000', autocomplete: 'off' });
  const boxes = types.map((type) => {
    const id = uid('event');
    const hintId = uid('hint');
    const box = h('input', { id, type: 'checkbox', name: 'events', value: type.name, 'aria-describedby': hintId });
    return {
      box,
      row: h(
        'div',
        { class: 'check' },
        box,
        h('label', { for: id, class: 'mono' }, type.name),
        h('p', { id: hintId, class: 'hint' }, type.description.replace(/`/g, '')),
      ),
    };
  });
  const eventsGroup = h('fieldset', { class: 'fieldset' }, h('legend', {}, 'Events to send'), h('p', { class: 'hint' }, 'Choose at least one.'), ...boxes.map((b) => b.row));
  const error = errorBox();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Create webhook');
  const headingId = uid('heading');
  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, 'Add Webhook'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: url.id }, 'Endpoint URL'),
      h('p', { id: urlHint, class: 'hint' }, 'The HTTPS address that will receive a signed POST for each event.'),
      url,
    ),
    eventsGroup,
    h('div', { class: 'field' }, h('label', { for: description.id }, 'Description (optional)'), description),
    error,
    h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'button', onclick: handlers.onCancel }, 'Cancel')),
  );
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') handlers.onCancel();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const el of [url, ...boxes.map((b) => b.box)]) el.removeAttribute('aria-invalid');
    const body: { url: string; events: string[]; description?: string } = {
      url: url.value.trim(),
      events: boxes.filter((b) => b.box.checked).map((b) => b.box.value),
    };
    if (description.value.trim()) body.description = description.value.trim();
    try {
      const webhook = await busy(submit, 'Creating…', () => api().post<Webhook>(`${base}/webhook-events`, body));
      handlers.onCreated(webhook);
    } catch (err) {
      showError(error, err);
      // Mark the fields the API named and put the cursor in the first of them.
      const fields = err instanceof ApiFailure ? err.details.map((d) => fieldLabel(d.path)) : [];
      const invalid: HTMLElement[] = [];
      if (fields.includes('URL')) invalid.push(url);
      if (fields.includes('Events')) invalid.push(...boxes.map((b) => b.box));
      if (fields.includes('Description')) invalid.push(description);
      for (const el of invalid) el.setAttribute('aria-invalid', 'true');
      (invalid[0] ?? submit).focus();
    }
  });
  return { form, firstField: url };
}

// ---------------------------------------------------------------- views: one webhook

interface DeliveryRow {
  delivery: Delivery;
  row: HTMLTableRowElement;
  status: HTMLTableCellElement;
  attempts: HTMLTableCellElement;
  detail: HTMLTableRowElement | null;
  detailBody: HTMLElement | null;
  toggle: HTMLButtonElement;
  error: HTMLElement;
  /** What the attempts panel last showed, to refetch only when the delivery moved on. */
  shownVersion: string;
}

function viewWebhook(integrationId: string | undefined, webhookId: string): HTMLElement {
  const s = session as Session;
  const base = integrationBase(s, integrationId);
  const webhookPath = `${base}/webhook-events/${encodeURIComponent(webhookId)}`;
  const token = renderToken;
  const stale = () => token !== renderToken;
  pageTitle('Webhook');

  let webhook: Webhook | null = null;
  let integrationLabel: string | undefined;
  const heading = heading1('Webhook');
  const crumbsSlot = h('div', {});
  const subtitle = h('p', { class: 'lead mono url-cell' });
  const loadError = errorBox();
  const detailsList = h('dl', { class: 'details' });
  const disabledHint = h('p', { class: 'notice', hidden: true }, 'This webhook is disabled: it receives no deliveries. Enable it to send test events or redeliver.');

  // Actions
  const testButton = h('button', { type: 'button', class: 'button button--primary' }, 'Send test event');
  const toggleButton = h('button', { type: 'button', class: 'button' }, 'Disable');
  const rotatePanelId = uid('rotate');
  const deletePanelId = uid('delete');
  const rotateButton = h('button', { type: 'button', class: 'button', 'aria-expanded': 'false', 'aria-controls': rotatePanelId }, 'Rotate secret');
  const deleteButton = h('button', { type: 'button', class: 'button button--danger', 'aria-expanded': 'false', 'aria-controls': deletePanelId }, 'Delete webhook');
  const actionError = errorBox();
  const rotatePanel = h('div', { id: rotatePanelId, hidden: true });
  const deletePanel = h('div', { id: deletePanelId, hidden: true });
  const secretSlot = h('div', {});

  // Deliveries
  const refreshButton = h('button', { type: 'button', class: 'button' }, 'Refresh');
  const updatedAt = h('span', { class: 'muted' });
  const deliveriesError = errorBox();
  const deliveriesBody = h('tbody', {});
  const deliveriesTable = h(
    'div',
    { class: 'table-wrap', hidden: true },
    h(
      'table',
      { class: 'deliveries' },
      h('caption', { class: 'visually-hidden' }, 'Recent deliveries, newest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Event'),
          h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col', class: 'num' }, 'Attempts'),
          h('th', { scope: 'col' }, 'Created'),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
        ),
      ),
      deliveriesBody,
    ),
  );
  const noDeliveries = h('p', { class: 'empty', hidden: true }, 'No deliveries yet. Send a test event to try the endpoint.');
  const deliveriesLoading = loading('deliveries');
  const rows = new Map<string, DeliveryRow>();

  const content = h(
    'div',
    { hidden: true },
    h('section', { 'aria-labelledby': 'details-heading', class: 'card' }, h('h2', { id: 'details-heading' }, 'Details'), detailsList),
    h(
      'section',
      { 'aria-labelledby': 'actions-heading', class: 'card' },
      h('h2', { id: 'actions-heading' }, 'Actions'),
      disabledHint,
      h('div', { class: 'toolbar' }, testButton, toggleButton, rotateButton, deleteButton),
      actionError,
      rotatePanel,
      deletePanel,
      secretSlot,
    ),
    h(
      'section',
      { 'aria-labelledby': 'deliveries-heading', class: 'card' },
      h('div', { class: 'section-head' }, h('h2', { id: 'deliveries-heading' }, 'Recent deliveries'), h('div', { class: 'toolbar' }, refreshButton, updatedAt)),
      h('p', { class: 'hint' }, `The ${deliveriesShown} most recent deliveries, newest first. This list updates every ${refreshEveryMs / 1000} seconds while the page is open.`),
      deliveriesError,
      deliveriesLoading,
      noDeliveries,
      deliveriesTable,
    ),
  );
  mainEl.append(crumbsSlot, heading, subtitle, loadError, content);

  const setCrumbs = () => {
    crumbsSlot.replaceChildren(breadcrumbs([...integrationCrumbs(integrationId, integrationLabel), { label: webhook?.url ?? webhookId }]));
  };
  setCrumbs();
  if (s.kind === 'admin' && integrationId) {
    integrationName(integrationId)
      .then((name) => {
        if (stale()) return;
        integrationLabel = name;
        setCrumbs();
      })
      .catch(() => undefined);
  }

  const showWebhook = (w: Webhook) => {
    webhook = w;
    subtitle.textContent = w.url;
    pageTitle('Webhook', w.url);
    setCrumbs();
    const item = (term: string, ...value: Child[]) => [h('dt', {}, term), h('dd', {}, ...value)];
    detailsList.replaceChildren(
      ...item('URL', h('span', { class: 'mono url-cell' }, w.url)),
      ...item('Status', statusBadge(w), w.disabledAt ? h('span', { class: 'muted' }, ' since ', time(w.disabledAt)) : null),
      ...item('Events', eventList(w.events)),
      ...item('Consecutive failed deliveries', String(w.consecutiveFailures)),
      ...item('Description', w.description || h('span', { class: 'muted' }, 'None')),
      ...(w.previousSecretExpiresAt && Date.parse(w.previousSecretExpiresAt) > Date.now()
        ? item('Previous secret', 'Also signs deliveries until ', time(w.previousSecretExpiresAt))
        : []),
      ...item('Webhook ID', h('span', { class: 'mono' }, w.id)),
      ...item('Created', time(w.createdAt)),
      ...item('Last changed', time(w.updatedAt)),
    );
    toggleButton.textContent = w.active ? 'Disable' : 'Enable';
    disabledHint.hidden = w.active;
  };

  const gone = () => {
    for (const timer of viewTimers) window.clearInterval(timer);
    viewTimers = [];
    content.hidden = true;
    showErrorLines(loadError, ['This webhook does not exist (any more). It may have been deleted.']);
    loadError.append(h('p', {}, h('a', { href: webhooksHref(integrationId) }, 'Back to the webhooks')));
  };

  const loadWebhook = async () => {
    try {
      const w = await api().get<Webhook>(webhookPath);
      if (stale()) return;
      showWebhook(w);
      showErrorLines(loadError, []);
      content.hidden = false;
    } catch (err) {
      if (stale()) return;
      if (err instanceof ApiFailure && err.status === 404) gone();
      else showError(loadError, err);
    }
  };

  // ---- deliveries: rows are updated in place so focus and expanded rows survive a refresh.
  let refreshing = false;
  const refreshDeliveries = async () => {
    if (refreshing) return;
    refreshing = true;
    try {
      const page = await api().get<{ data: Delivery[] }>(`${webhookPath}/deliveries?limit=${deliveriesShown}`);
      if (stale()) return;
      showErrorLines(deliveriesError, []);
      deliveriesLoading.remove();
      const seen = new Set(page.data.map((d) => d.id));
      for (const [id, r] of rows) {
        if (!seen.has(id) && !r.row.contains(document.activeElement)) {
          r.row.remove();
          r.detail?.remove();
          rows.delete(id);
        }
      }
      let after: Element | null = null;
      for (const delivery of page.data) {
        let r = rows.get(delivery.id);
        if (!r) {
          r = deliveryRow(delivery);
          rows.set(delivery.id, r);
          if (after) after.after(r.row);
          else deliveriesBody.prepend(r.row);
        } else {
          updateDeliveryRow(r, delivery);
        }
        after = r.detail ?? r.row;
      }
      noDeliveries.hidden = rows.size > 0;
      deliveriesTable.hidden = rows.size === 0;
      updatedAt.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      await Promise.all([...rows.values()].filter((r) => r.detail && r.shownVersion !== versionOf(r.delivery)).map((r) => loadAttempts(r)));
    } catch (err) {
      if (stale()) return;
      if (err instanceof ApiFailure && err.status === 404) gone();
      else showError(deliveriesError, err);
    } finally {
      refreshing = false;
    }
  };

  const versionOf = (d: Delivery) => `${d.status}/${d.attemptCount}/${d.updatedAt}`;

  const deliveryRow = (delivery: Delivery): DeliveryRow => {
    const detailId = uid('attempts');
    const name = ` of ${delivery.eventType} delivery ${delivery.id}`;
    const toggle = h('button', { type: 'button', class: 'button button--small', 'aria-expanded': 'false', 'aria-controls': detailId }, 'Show attempts', h('span', { class: 'visually-hidden' }, name));
    const redeliver = h('button', { type: 'button', class: 'button button--small' }, 'Redeliver', h('span', { class: 'visually-hidden' }, ` ${delivery.eventType} delivery ${delivery.id}`));
    const error = errorBox();
    const status = h('td', {}, deliveryBadge(delivery.status));
    const attempts = h('td', { class: 'num' }, String(delivery.attemptCount));
    const row = h(
      'tr',
      { 'data-delivery-id': delivery.id },
      h(
        'td',
        {},
        h('span', { class: 'mono' }, delivery.eventType),
        h('div', { class: 'muted mono small' }, delivery.id),
        delivery.redeliveryOf ? h('div', { class: 'muted small' }, `Redelivery of ${delivery.redeliveryOf}`) : null,
      ),
      status,
      attempts,
      h('td', {}, time(delivery.createdAt)),
      h('td', { class: 'row-actions' }, h('div', { class: 'toolbar' }, toggle, redeliver), error),
    );
    const r: DeliveryRow = { delivery, row, status, attempts, detail: null, detailBody: null, toggle, error, shownVersion: '' };

    toggle.addEventListener('click', () => {
      if (r.detail) {
        r.detail.remove();
        r.detail = null;
        r.detailBody = null;
        toggle.setAttribute('aria-expanded', 'false');
        toggle.firstChild!.textContent = 'Show attempts';
        return;
      }
      r.detailBody = h('div', { id: detailId, class: 'attempts' }, loading('attempts'));
      r.detail = h('tr', { class: 'detail-row' }, h('td', { colspan: '5' }, r.detailBody));
      row.after(r.detail);
      toggle.setAttribute('aria-expanded', 'true');
      toggle.firstChild!.textContent = 'Hide attempts';
      void loadAttempts(r);
    });

    redeliver.addEventListener('click', async () => {
      try {
        const created = await busy(redeliver, 'Starting…', () => api().post<Delivery>(`${base}/deliveries/${encodeURIComponent(delivery.id)}/redeliver`));
        showErrorLines(error, []);
        announce(`Redelivery started (${created.id}). It appears at the top of the list.`);
        void refreshDeliveries();
      } catch (err) {
        showError(error, err);
      }
    });
    return r;
  };

  const updateDeliveryRow = (r: DeliveryRow, delivery: Delivery) => {
    if (r.delivery.status !== delivery.status) r.status.replaceChildren(deliveryBadge(delivery.status));
    if (r.delivery.attemptCount !== delivery.attemptCount) r.attempts.textContent = String(delivery.attemptCount);
    r.delivery = delivery;
  };

  const loadAttempts = async (r: DeliveryRow) => {
    const version = versionOf(r.delivery);
    try {
      const detail = await api().get<DeliveryDetail>(`${base}/deliveries/${encodeURIComponent(r.delivery.id)}`);
      if (stale() || !r.detailBody) return;
      r.shownVersion = version;
      r.detailBody.replaceChildren(attemptsTable(detail));
    } catch (err) {
      if (stale() || !r.detailBody) return;
      const box = errorBox();
      r.detailBody.replaceChildren(box);
      showError(box, err);
    }
  };

  // ---- actions
  const clearActionError = () => showErrorLines(actionError, []);

  testButton.addEventListener('click', async () => {
    clearActionError();
    try {
      const sent = await busy(testButton, 'Sending…', () => api().post<{ deliveryId: string; eventId: string }>(`${webhookPath}/test`));
      announce(`Test event sent (delivery ${sent.deliveryId}). Its progress shows in Recent deliveries.`);
      void refreshDeliveries();
    } catch (err) {
      showError(actionError, err);
    }
  });

  toggleButton.addEventListener('click', async () => {
    if (!webhook) return;
    clearActionError();
    const active = !webhook.active;
    try {
      const updated = await busy(toggleButton, active ? 'Enabling…' : 'Disabling…', () => api().patch<Webhook>(webhookPath, { active }));
      showWebhook(updated);
      announce(active ? 'Webhook enabled. New events will be delivered again.' : 'Webhook disabled. It receives no deliveries until you enable it.');
      toggleButton.focus();
    } catch (err) {
      showError(actionError, err);
    }
  });

  const closePanel = (panel: HTMLElement, button: HTMLButtonElement, focus: boolean) => {
    panel.hidden = true;
    panel.replaceChildren();
    button.setAttribute('aria-expanded', 'false');
    if (focus) button.focus();
  };

  rotateButton.addEventListener('click', () => {
    if (!rotatePanel.hidden) return closePanel(rotatePanel, rotateButton, true);
    closePanel(deletePanel, deleteButton, false);
    clearActionError();
    const graceId = uid('grace');
    const graceHint = uid('hint');
    const grace = h('input', { id: graceId, type: 'number', min: '0', step: '1', inputmode: 'numeric', 'aria-describedby': graceHint, autocomplete: 'off' });
    const error = errorBox();
    const confirm = h('button', { type: 'submit', class: 'button button--primary' }, 'Rotate now');
    const cancel = h('button', { type: 'button', class: 'button', onclick: () => closePanel(rotatePanel, rotateButton, true) }, 'Cancel');
    const headingId = uid('heading');
    const form = h(
      'form',
      { class: 'panel', novalidate: true, 'aria-labelledby': headingId },
      h('h3', { id: headingId }, 'Rotate signing secret'),
      h('p', {}, 'A new secret is created and shown once. During the grace period deliveries are signed with both the new and the current secret, so you can update your receiver without missing events.'),
      h('div', { class: 'field' }, h('label', { for: graceId }, 'Grace period for the current secret, in seconds (optional)'), h('p', { id: graceHint, class: 'hint' }, 'Leave empty for the default; 0 replaces the current secret at once.'), grace),
      error,
      h('div', { class: 'actions' }, confirm, cancel),
    );
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') closePanel(rotatePanel, rotateButton, true);
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      grace.removeAttribute('aria-invalid');
      const raw = grace.value.trim();
      if (grace.validity.badInput || (raw !== '' && !/^\d+$/.test(raw))) {
        grace.setAttribute('aria-invalid', 'true');
        showErrorLines(error, ['Grace period: must be a whole number of seconds, 0 or more.']);
        grace.focus();
        return;
      }
      const body = raw === '' ? {} : { gracePeriodSeconds: Number(raw) };
      try {
        const rotated = await busy(confirm, 'Rotating…', () =>
          api().post<Webhook & { secret: string }>(`${webhookPath}/rotate-secret`, body),
        );
        closePanel(rotatePanel, rotateButton, false);
        const notes: Child[] = [];
        if (rotated.previousSecretExpiresAt) notes.push(h('p', {}, 'The previous secret keeps signing deliveries until ', time(rotated.previousSecretExpiresAt), '.'));
        notes.push(h('p', {}, 'Update your receiver to verify with this secret.'));
        const { panel, heading: secretHeading } = secretPanel('New signing secret', rotated.secret, notes, () => rotateButton.focus());
        secretSlot.replaceChildren(panel);
        announce('Secret rotated. Copy the new secret now: it will not be shown again.');
        focusElement(secretHeading);
        void loadWebhook();
      } catch (err) {
        showError(error, err);
        if (err instanceof ApiFailure && err.details.some((d) => fieldLabel(d.path) === 'Grace period')) {
          grace.setAttribute('aria-invalid', 'true');
          grace.focus();
        } else {
          confirm.focus();
        }
      }
    });
    rotatePanel.replaceChildren(form);
    rotatePanel.hidden = false;
    rotateButton.setAttribute('aria-expanded', 'true');
    grace.focus();
  });

  deleteButton.addEventListener('click', () => {
    if (!deletePanel.hidden) return closePanel(deletePanel, deleteButton, true);
    closePanel(rotatePanel, rotateButton, false);
    clearActionError();
    const questionId = uid('question');
    const error = errorBox();
    const yes = h('button', { type: 'button', class: 'button button--danger' }, 'Yes, delete this webhook');
    const cancel = h('button', { type: 'button', class: 'button', onclick: () => closePanel(deletePanel, deleteButton, true) }, 'Cancel');
    const group = h(
      'div',
      { class: 'panel panel--danger', role: 'group', 'aria-labelledby': questionId },
      h('p', { id: questionId }, h('strong', {}, 'Delete this webhook?'), ` Deliveries to ${webhook?.url ?? 'it'} stop at once. This cannot be undone.`),
      error,
      h('div', { class: 'actions' }, yes, cancel),
    );
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') closePanel(deletePanel, deleteButton, true);
    });
    yes.addEventListener('click', async () => {
      try {
        await busy(yes, 'Deleting…', () => api().delete(webhookPath));
        announce('Webhook deleted.');
        go(webhooksHref(integrationId));
      } catch (err) {
        showError(error, err);
        yes.focus();
      }
    });
    deletePanel.replaceChildren(group);
    deletePanel.hidden = false;
    deleteButton.setAttribute('aria-expanded', 'true');
    cancel.focus();
  });

  refreshButton.addEventListener('click', async () => {
    await busy(refreshButton, 'Refreshing…', () => Promise.all([loadWebhook(), refreshDeliveries()]));
    if (!stale()) announce('Deliveries refreshed.');
  });

  void loadWebhook().then(() => refreshDeliveries());
  viewTimers.push(
    window.setInterval(() => {
      if (document.hidden || stale()) return;
      void loadWebhook();
      void refreshDeliveries();
    }, refreshEveryMs),
  );
  return heading;
}

function attemptsTable(detail: DeliveryDetail): HTMLElement {
  if (detail.attempts.length === 0) return h('p', { class: 'muted' }, 'No attempts yet.');
  return h(
    'table',
    { class: 'attempts-table' },
    h('caption', {}, `Attempts of delivery ${detail.id}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'num' }, 'Attempt'),
        h('th', { scope: 'col' }, 'Started'),
        h('th', { scope: 'col', class: 'num' }, 'Duration'),
        h('th', { scope: 'col' }, 'Result'),
        h('th', { scope: 'col' }, 'Response'),
      ),
    ),
    h(
      'tbody',
      {},
      ...detail.attempts.map((attempt) =>
        h(
          'tr',
          {},
          h('td', { class: 'num' }, String(attempt.attempt)),
          h('td', {}, time(attempt.startedAt)),
          h('td', { class: 'num' }, `${attempt.durationMs} ms`),
          h('td', {}, attemptResult(attempt)),
          h('td', {}, attempt.responseExcerpt ? h('pre', { class: 'excerpt' }, attempt.responseExcerpt) : h('span', { class: 'muted' }, 'Empty')),
        ),
      ),
    ),
  );
}

function attemptResult(attempt: DeliveryDetail['attempts'][number]): Child {
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  const parts: Child[] = [];
  if (attempt.statusCode !== null) parts.push(h('span', { class: `badge badge--${ok ? 'ok' : 'bad'}` }, `HTTP ${attempt.statusCode}`));
  if (attempt.error && (!ok || attempt.statusCode === null)) {
    parts.push(h('div', { class: 'small' }, `${attempt.error.class.replace(/_/g, ' ')}${attempt.error.message ? `: ${attempt.error.message}` : ''}`));
  }
  return parts.length ? h('div', {}, ...parts) : '—';
}

function viewNotFound(): HTMLElement {
  pageTitle('Not found');
  const heading = heading1('Page not found');
  mainEl.append(heading, h('p', {}, 'There is nothing at this address. ', h('a', { href: defaultHref() }, 'Go to the start page'), '.'));
  return heading;
}

// ---------------------------------------------------------------- start

document.querySelector<HTMLAnchorElement>('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  focusElement(mainEl);
});

window.addEventListener('hashchange', () => {
  // Only "#/…" addresses are pages; other fragments (skip links) are not navigation.
  if (!location.hash.startsWith('#/') && location.hash !== '') return;
  // A message from the action that navigated stays; older ones are about the previous page.
  if (Date.now() - announcedAt > 1000) clearAnnouncement();
  render({ focus: true });
});

render();
