/** Pieces several views draw with: the document title, breadcrumbs, headings, badges. */
import type { Webhook } from './api';
import { h } from './dom';
import { webhooksHref } from './routes';
import { currentSession } from './session';

export function pageTitle(...parts: string[]): void {
  document.title = [...parts, 'N’entropy Platform'].join(' · ');
}

export interface Crumb {
  label: string;
  href?: string;
}

export function breadcrumbs(crumbs: Crumb[]): HTMLElement {
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

/** The trail to an integration's webhooks: through Integrations for an admin, just Webhooks otherwise. */
export function integrationCrumbs(integrationId: string | undefined, name: string | undefined): Crumb[] {
  if (currentSession()?.kind !== 'admin') return [{ label: 'Webhooks', href: webhooksHref() }];
  return [
    { label: 'Integrations', href: '#/integrations' },
    { label: name ?? integrationId ?? 'Integration' },
    { label: 'Webhooks', href: webhooksHref(integrationId) },
  ];
}

/** The page heading; focusable so a navigation can move focus to it. */
export const heading1 = (text: string) => h('h1', { tabindex: '-1' }, text);

export const loading = (what: string) => h('p', { class: 'muted' }, `Loading ${what}…`);

export function statusBadge(webhook: Pick<Webhook, 'active' | 'disabledReason'>): HTMLElement {
  if (webhook.active) return h('span', { class: 'badge badge--ok' }, 'Active');
  return h('span', { class: 'badge badge--off' }, `Disabled: ${disabledReasonText(webhook.disabledReason)}`);
}

function disabledReasonText(reason: string | null): string {
  switch (reason) {
    case 'consecutive_failures':
      return 'too many consecutive failed deliveries';
    case 'gone':
      return 'the receiver answered 410 Gone';
    case 'manual':
    case null:
      return 'turned off by a user';
    default:
      return reason.replace(/_/g, ' ');
  }
}

export const eventList = (events: string[]) => h('ul', { class: 'tags' }, ...events.map((event) => h('li', { class: 'tag mono' }, event)));
