/**
 * Links into the Temporal Web UI. The server names the namespace's page there in a meta tag when
 * TEMPORAL_UI_URL is set (`npm start` sets it to its dev server's); without it, there are no links.
 */
import { h } from './dom';

const namespaceUrl = () => document.querySelector<HTMLMetaElement>('meta[name="temporal-ui-namespace"]')?.content || undefined;

/** An external link, opened in a new tab; `name` completes its accessible name. */
function webUiLink(href: string, text: string, name: string, className?: string): HTMLAnchorElement {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: className }, text, h('span', { class: 'visually-hidden' }, name));
}

/** The delivery's workflow in the Web UI (its latest run). */
export function workflowLink(workflowId: string, name: string): HTMLAnchorElement | null {
  const base = namespaceUrl();
  return base ? webUiLink(`${base}/workflows/${encodeURIComponent(workflowId)}`, 'Workflow', name, 'button button--small') : null;
}

/** The Web UI's workflow list filtered on this webhook's deliveries. */
export function webhookWorkflowsLink(webhookId: string): HTMLAnchorElement | null {
  const base = namespaceUrl();
  const query = encodeURIComponent(`WebhookId="${webhookId}"`);
  return base ? webUiLink(`${base}/workflows?query=${query}`, 'Deliveries in the Temporal Web UI', ` of webhook ${webhookId}`) : null;
}
