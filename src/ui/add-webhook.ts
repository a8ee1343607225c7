/** The Add Webhook form: URL, events to send, description; the API's field errors are marked on the fields. */
import { ApiFailure, fieldLabel, type EventType, type Webhook } from './api';
import { errorBox, h, uid } from './dom';
import { busy, showError } from './feedback';
import { api } from './session';

/** `base` is the integration's API path; `types` the event types a webhook may subscribe to. */
export function addWebhookForm(
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
