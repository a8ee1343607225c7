import { Router, type Response } from 'express';
import { z } from 'zod';
import { newId } from '../domain/ids';
import { eventTypes } from '../domain/event-catalog';
import { payloadBody } from '../domain/event-payload';
import { deliveryStatuses } from '../domain/deliveries';
import { workflowIds } from '../domain/workflow-ids';
import type { Repositories } from '../db';
import type { Webhook } from '../db/webhooks';
import type { Delivery, NewDelivery } from '../db/deliveries';
import { ApiError, notFound } from '../http/errors';
import { integrationOf } from './auth';
import { parseBody, parseWith } from './validate';
import { attemptJson, deliveryJson } from './serializers';
import type { DeliveryStarter } from './delivery-starter';
import type { deliveryDetailSchema, deliveryPageSchema, recoverResultSchema, testResultSchema } from './schemas';
import { checkPathIds } from './path-ids';

/** Query of the delivery log; exported, with the bodies below, for the OpenAPI document. */
export const listQuery = z.strictObject({
  status: z.enum(deliveryStatuses).optional(),
  eventType: z.enum(eventTypes as [string, ...string[]]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Page size' }),
  cursor: z
    .string()
    .regex(/^dlv_[0-9A-Za-z]+$/, 'must be a nextCursor from an earlier page')
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page: newest first, continues after it' }),
});

export const recoverBody = z
  .strictObject({ since: z.iso.datetime({ offset: true }), until: z.iso.datetime({ offset: true }).optional() })
  .refine((b) => !b.until || Date.parse(b.until) > Date.parse(b.since), { message: 'until must be after since', path: ['until'] });

/** A test event takes no options: an empty object or no body. */
export const testBody = z.strictObject({});

/** A new delivery repeating `original`: the same event to the same webhook, under a new id. */
function repeatOf(original: Delivery, id: string, workflowId: string): NewDelivery {
  const { eventId, webhookId, integrationId, eventType } = original;
  return { id, workflowId, eventId, webhookId, integrationId, eventType, redeliveryOf: original.id };
}

function requireActive(webhook: Webhook): void {
  if (!webhook.active) {
    throw new ApiError('conflict', `Webhook ${webhook.id} is disabled; re-enable it (PATCH {"active": true}) first`);
  }
}

/** Delivery log, redelivery, recovery and test events of one integration (res.locals.integrationId). */
export function deliveriesRouter({ repos, starter }: { repos: Repositories; starter: DeliveryStarter }): Router {
  const router = checkPathIds(Router());

  const findWebhook = async (res: Response, id: string) => {
    const webhook = await repos.webhooks.find(integrationOf(res), id);
    if (!webhook) throw notFound('Webhook');
    return webhook;
  };
  const findDelivery = async (res: Response, id: string) => {
    const delivery = await repos.deliveries.find(id);
    if (!delivery || delivery.integrationId !== integrationOf(res)) throw notFound('Delivery');
    return delivery;
  };

  router.get('/webhook-events/:id/deliveries', async (req, res) => {
    const webhook = await findWebhook(res, String(req.params.id));
    const query = parseWith(listQuery, req.query, 'Query');
    const page = await repos.deliveries.list({ webhookId: webhook.id, ...query, before: query.cursor, limit: query.limit + 1 });
    const more = page.length > query.limit;
    const data = page.slice(0, query.limit);
    const body: z.infer<typeof deliveryPageSchema> = { data: data.map(deliveryJson), nextCursor: more ? data[data.length - 1].id : null };
    res.json(body);
  });

  router.get('/deliveries/:deliveryId', async (req, res) => {
    const delivery = await findDelivery(res, String(req.params.deliveryId));
    const [attempts, event] = await Promise.all([repos.deliveries.listAttempts(delivery.id), repos.events.find(delivery.integrationId, delivery.eventId)]);
    const body: z.infer<typeof deliveryDetailSchema> = {
      ...deliveryJson(delivery),
      event: event && { id: event.id, type: event.type, timestamp: event.timestamp, payload: JSON.parse(event.body) },
      attempts: attempts.map(attemptJson),
    };
    res.json(body);
  });

  router.post('/deliveries/:deliveryId/redeliver', async (req, res) => {
    const original = await findDelivery(res, String(req.params.deliveryId));
    const webhook = await findWebhook(res, original.webhookId);
    requireActive(webhook);
    const id = newId('delivery');
    await starter.start(repeatOf(original, id, workflowIds.redelivery(original.eventId, original.webhookId, id)), webhook.url);
    res.status(202).json(deliveryJson((await repos.deliveries.find(id))!));
  });

  router.post('/webhook-events/:id/recover', async (req, res) => {
    const webhook = await findWebhook(res, String(req.params.id));
    const body = parseBody(recoverBody, req);
    requireActive(webhook);
    const failed = await repos.deliveries.listFailed(webhook.id, new Date(body.since), body.until ? new Date(body.until) : new Date());
    let started = 0;
    for (const delivery of failed) {
      const wasStarted = await starter.start(repeatOf(delivery, newId('delivery'), workflowIds.recovery(delivery.eventId, webhook.id, delivery.id)), webhook.url);
      if (wasStarted) started++;
    }
    const result: z.infer<typeof recoverResultSchema> = { count: started };
    res.status(202).json(result);
  });

  router.post('/webhook-events/:id/test', async (req, res) => {
    const webhook = await findWebhook(res, String(req.params.id));
    parseBody(testBody, req);
    requireActive(webhook);
    const event = {
      id: newId('event'),
      integrationId: webhook.integrationId,
      event: 'webhook.test',
      timestamp: new Date().toISOString(),
      data: { webhookId: webhook.id, message: 'This is a test event from the webhook delivery service.' },
    };
    await repos.events.insertOnce({ ...event, type: event.event, body: payloadBody(event) });
    const id = newId('delivery');
    await starter.start({
      id,
      workflowId: workflowIds.delivery(webhook.integrationId, event.id, webhook.id),
      eventId: event.id,
      webhookId: webhook.id,
      integrationId: webhook.integrationId,
      eventType: event.event,
    }, webhook.url);
    const result: z.infer<typeof testResultSchema> = { deliveryId: id, eventId: event.id };
    res.status(202).json(result);
  });

  return router;
}
