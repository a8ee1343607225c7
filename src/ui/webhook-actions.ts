/**
 * The Actions card of the webhook page: send a test event, disable or enable, rotate the signing
 * secret (with an optional grace period) and delete, each confirmed in a panel of its own.
 */
import { ApiFailure, fieldLabel, type Webhook } from './api';
import { errorBox, focusElement, h, showErrorLines, time, uid, type Child } from './dom';
import { announce, busy, showError } from './feedback';
import { go, webhooksHref } from './routes';
import { secretPanel } from './secret-panel';
import { api } from './session';

export interface ActionsOptions {
  integrationId: string | undefined;
  webhookPath: string;
  /** The webhook as last loaded (null until then). */
  current: () => Webhook | null;
  /** Shows a webhook the API answered with (after enabling or disabling). */
  showWebhook: (webhook: Webhook) => void;
  reloadWebhook: () => Promise<void>;
  refreshDeliveries: () => Promise<void>;
}

export function webhookActions(options: ActionsOptions): { section: HTMLElement; showState: (webhook: Webhook) => void } {
  const { integrationId, webhookPath, current, showWebhook, reloadWebhook, refreshDeliveries } = options;
  const disabledHint = h('p', { class: 'notice', hidden: true }, 'This webhook is disabled: it receives no deliveries. Enable it to send test events or redeliver.');
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

  const section = h(
    'section',
    { 'aria-labelledby': 'actions-heading', class: 'card' },
    h('h2', { id: 'actions-heading' }, 'Actions'),
    disabledHint,
    h('div', { class: 'toolbar' }, testButton, toggleButton, rotateButton, deleteButton),
    actionError,
    rotatePanel,
    deletePanel,
    secretSlot,
  );

  /** Labels the toggle for the webhook's state and explains what a disabled webhook cannot do. */
  const showState = (w: Webhook) => {
    toggleButton.textContent = w.active ? 'Disable' : 'Enable';
    disabledHint.hidden = w.active;
  };

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
    const webhook = current();
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
        void reloadWebhook();
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
      h('p', { id: questionId }, h('strong', {}, 'Delete this webhook?'), ` Deliveries to ${current()?.url ?? 'it'} stop at once. This cannot be undone.`),
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

  return { section, showState };
}
