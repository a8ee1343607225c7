import type { Express } from 'express';
import type { Repositories } from '../../src/db';
import type { Delivery } from '../../src/db/deliveries';
import { isFinalStatus } from '../../src/domain/deliveries';
import { asAdmin, createIntegration, withBearer } from './app';
import { waitFor } from './wait';

export const supplier = { externalId: 'VENDOR-001', internalId: 'clx123' };

/** An integration with one webhook pointing at `url`; returns both and the secret. */
export async function integrationWithWebhook(app: Express, url: string, events = ['supplier.created', 'supplier.updated', 'sync.completed']) {
  const integration = await createIntegration(app);
  const api = withBearer(app, integration.token);
  const webhook = (await api.post('/api/v1/integration/webhook-events', { url, events }).expect(201)).body;
  return { integration, api, webhook: webhook as { id: string; secret: string } };
}

/** Publishes over REST with the admin key; returns the 202 body. */
export async function publish(app: Express, integrationId: string, event = 'supplier.created', data: unknown = supplier, id?: string) {
  const res = await asAdmin(app).post('/api/v1/admin/events', { integrationId, event, data, ...(id ? { id } : {}) });
  if (res.status !== 202) throw new Error(`publish answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; event: string; integrationId: string; timestamp: string };
}

/** Waits until the delivery `find` returns has a final status. */
function untilFinished(what: string, find: () => Promise<Delivery | undefined>, timeoutMs: number): Promise<Delivery> {
  return waitFor(what, async () => {
    const delivery = await find();
    return delivery && isFinalStatus(delivery.status) ? delivery : undefined;
  }, timeoutMs);
}

/** Waits until the delivery of this event to this webhook has a final status. */
export function finishedDelivery(repos: Repositories, eventId: string, webhookId: string, timeoutMs = 30_000): Promise<Delivery> {
  // A webhook belongs to one integration, so the webhook and the event id name one delivery.
  const find = async () => (await repos.deliveries.list({ webhookId, limit: 100 })).find((d) => d.eventId === eventId && !d.redeliveryOf);
  return untilFinished(`delivery of ${eventId} to ${webhookId}`, find, timeoutMs);
}

/** Waits until the delivery with this id has a final status. */
export function finishedDeliveryById(repos: Repositories, deliveryId: string, timeoutMs = 30_000): Promise<Delivery> {
  return untilFinished(`delivery ${deliveryId}`, () => repos.deliveries.find(deliveryId), timeoutMs);
}
