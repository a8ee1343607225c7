/**
 * The Recent deliveries section of the webhook page. Rows are updated in place on every refresh, so
 * focus and expanded attempt lists survive; an expanded list is refetched only when its delivery moved on.
 */
import { ApiFailure, type Delivery, type DeliveryDetail } from './api';
import { attemptsTable } from './attempts';
import { errorBox, h, showErrorLines, time, uid } from './dom';
import { announce, busy, showError } from './feedback';
import { loading } from './layout';
import { api } from './session';
import { workflowLink } from './temporal-links';

/** How often the webhook page refreshes while open. */
export const refreshEveryMs = 2000;
const deliveriesShown = 20;

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

export interface DeliveriesOptions {
  /** The integration's API path. */
  base: string;
  webhookPath: string;
  /** True once the user left the page: answers that arrive later are dropped. */
  stale: () => boolean;
  /** The webhook is gone (404). */
  onGone: () => void;
  /** The Refresh button reloads the webhook's details too. */
  reloadWebhook: () => Promise<void>;
}

export function deliveriesSection({ base, webhookPath, stale, onGone, reloadWebhook }: DeliveriesOptions): { section: HTMLElement; refresh: () => Promise<void> } {
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

  const section = h(
    'section',
    { 'aria-labelledby': 'deliveries-heading', class: 'card' },
    h('div', { class: 'section-head' }, h('h2', { id: 'deliveries-heading' }, 'Recent deliveries'), h('div', { class: 'toolbar' }, refreshButton, updatedAt)),
    h('p', { class: 'hint' }, `The ${deliveriesShown} most recent deliveries, newest first. This list updates every ${refreshEveryMs / 1000} seconds while the page is open.`),
    deliveriesError,
    deliveriesLoading,
    noDeliveries,
    deliveriesTable,
  );

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
      if (err instanceof ApiFailure && err.status === 404) onGone();
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
      h('td', { class: 'row-actions' }, h('div', { class: 'toolbar' }, toggle, redeliver, workflowLink(delivery.workflowId, ` of ${delivery.eventType} delivery ${delivery.id} in the Temporal Web UI`)), error),
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

  refreshButton.addEventListener('click', async () => {
    await busy(refreshButton, 'Refreshing…', () => Promise.all([reloadWebhook(), refreshDeliveries()]));
    if (!stale()) announce('Deliveries refreshed.');
  });

  return { section, refresh: refreshDeliveries };
}
