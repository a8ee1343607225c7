/** An integration's webhooks: the table, and the Add Webhook button that opens the form and shows the new secret. */
import { integrationBase, type EventType, type Session, type Webhook } from './api';
import { addWebhookForm } from './add-webhook';
import { errorBox, focusElement, h, showErrorLines, uid } from './dom';
import { announce, showError } from './feedback';
import { integrationName } from './integrations';
import { breadcrumbs, eventList, heading1, integrationCrumbs, loading, pageTitle, statusBadge } from './layout';
import { mainEl, staleCheck } from './page';
import { webhookHref } from './routes';
import { secretPanel } from './secret-panel';
import { api, currentSession } from './session';

export function viewWebhooks(integrationId: string | undefined): HTMLElement {
  const s = currentSession() as Session;
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

  const stale = staleCheck();
  // Fetched now so the form opens at once; only the types a webhook may subscribe to.
  const eventTypes = api()
    .get<{ data: EventType[] }>(`${base}/event-types`)
    .then((res) => res.data.filter((type) => type.subscribable !== false));
  eventTypes.catch(() => undefined);

  if (s.kind === 'admin' && integrationId) {
    integrationName(integrationId)
      .then((name) => {
        if (stale() || !name) return;
        crumbsSlot.replaceChildren(breadcrumbs(integrationCrumbs(integrationId, name)));
        lead.textContent = `Integration ${name} (${integrationId})`;
        pageTitle('Webhooks', name);
      })
      .catch(() => undefined);
  }

  const loadList = async () => {
    try {
      const webhooks = (await api().get<{ data: Webhook[] }>(`${base}/webhook-events`)).data;
      if (stale()) return;
      showErrorLines(listError, []);
      list.replaceChildren(webhookTable(webhooks, integrationId));
    } catch (err) {
      if (stale()) return;
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
      if (stale()) return;
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
      if (stale()) return;
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
