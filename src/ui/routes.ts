/**
 * The pages live in the URL hash: #/integrations and #/integrations/:id/webhooks[/:webhookId] for an
 * admin, #/webhooks[/:webhookId] for an integration token. Links are built for the signed-in kind.
 */
import { render } from './page';
import { currentSession } from './session';

export type Route =
  | { name: 'integrations' }
  | { name: 'webhooks'; integrationId?: string }
  | { name: 'webhook'; integrationId?: string; webhookId: string }
  | { name: 'home' }
  | { name: 'unknown' };

export function parseRoute(): Route {
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
export function webhooksHref(integrationId?: string): string {
  return currentSession()?.kind === 'admin' ? `#/integrations/${encodeURIComponent(integrationId ?? '')}/webhooks` : '#/webhooks';
}
export const webhookHref = (integrationId: string | undefined, webhookId: string) => `${webhooksHref(integrationId)}/${encodeURIComponent(webhookId)}`;
export const defaultHref = () => (currentSession()?.kind === 'admin' ? '#/integrations' : '#/webhooks');

/** Navigates to `href`; already there, the page is drawn again (the hash does not change). */
export function go(href: string): void {
  if (location.hash === href) render({ focus: true });
  else location.hash = href;
}
