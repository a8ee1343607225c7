import type { Integration } from '../db/integrations';
import type { Webhook } from '../db/webhooks';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const integrationJson = (integration: Integration) => ({
  id: integration.id,
  name: integration.name,
  createdAt: iso(integration.createdAt),
});

/** A webhook as the API shows it; the secret only where the caller asks (at creation). */
export function webhookJson(webhook: Webhook, { withSecret = false } = {}) {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    description: webhook.description,
    active: webhook.active,
    ...(withSecret ? { secret: webhook.secret } : {}),
    consecutiveFailures: webhook.consecutiveFailures,
    disabledReason: webhook.disabledReason,
    disabledAt: iso(webhook.disabledAt),
    createdAt: iso(webhook.createdAt),
    updatedAt: iso(webhook.updatedAt),
  };
}
