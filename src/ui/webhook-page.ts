/**
 * One webhook's page: its details, the Actions card and Recent deliveries. The webhook and its
 * deliveries reload every few seconds while the page is visible; a 404 means it was deleted.
 */
import { ApiFailure, integrationBase, type Session, type Webhook } from './api';
import { deliveriesSection, refreshEveryMs } from './deliveries';
import { errorBox, h, showErrorLines, time, type Child } from './dom';
import { showError } from './feedback';
import { integrationName } from './integrations';
import { breadcrumbs, eventList, heading1, integrationCrumbs, pageTitle, statusBadge } from './layout';
import { mainEl, repeatDuringView, staleCheck, stopViewTimers } from './page';
import { webhooksHref } from './routes';
import { api, currentSession } from './session';
import { webhookActions } from './webhook-actions';
import { webhookWorkflowsLink } from './temporal-links';

export function viewWebhook(integrationId: string | undefined, webhookId: string): HTMLElement {
  const s = currentSession() as Session;
  const base = integrationBase(s, integrationId);
  const webhookPath = `${base}/webhook-events/${encodeURIComponent(webhookId)}`;
  const stale = staleCheck();
  pageTitle('Webhook');

  let webhook: Webhook | null = null;
  let integrationLabel: string | undefined;
  const heading = heading1('Webhook');
  const crumbsSlot = h('div', {});
  const subtitle = h('p', { class: 'lead mono url-cell' });
  const loadError = errorBox();
  const detailsList = h('dl', { class: 'details' });
  const deliveries = deliveriesSection({ base, webhookPath, stale, onGone: gone, reloadWebhook: loadWebhook });
  const actions = webhookActions({
    integrationId,
    webhookPath,
    current: () => webhook,
    showWebhook,
    reloadWebhook: loadWebhook,
    refreshDeliveries: deliveries.refresh,
  });

  const content = h(
    'div',
    { hidden: true },
    h('section', { 'aria-labelledby': 'details-heading', class: 'card' }, h('h2', { id: 'details-heading' }, 'Details'), detailsList),
    actions.section,
    deliveries.section,
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

  // Function declarations: the sections above are handed these before this point.
  function showWebhook(w: Webhook): void {
    webhook = w;
    subtitle.textContent = w.url;
    pageTitle('Webhook', w.url);
    setCrumbs();
    const item = (term: string, ...value: Child[]) => [h('dt', {}, term), h('dd', {}, ...value)];
    const inWebUi = webhookWorkflowsLink(w.id);
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
      ...(inWebUi ? item('Temporal', inWebUi) : []),
      ...item('Created', time(w.createdAt)),
      ...item('Last changed', time(w.updatedAt)),
    );
    actions.showState(w);
  }

  function gone(): void {
    stopViewTimers();
    content.hidden = true;
    showErrorLines(loadError, ['This webhook does not exist (any more). It may have been deleted.']);
    loadError.append(h('p', {}, h('a', { href: webhooksHref(integrationId) }, 'Back to the webhooks')));
  }

  async function loadWebhook(): Promise<void> {
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
  }

  void loadWebhook().then(() => deliveries.refresh());
  repeatDuringView(() => {
    if (document.hidden || stale()) return;
    void loadWebhook();
    void deliveries.refresh();
  }, refreshEveryMs);
  return heading;
}
