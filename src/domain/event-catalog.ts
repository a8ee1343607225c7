import { z } from 'zod';

const supplierData = z.looseObject({
  externalId: z.string().min(1),
  internalId: z.string().min(1),
});

/** Every event the platform publishes, with the schema its `data` must satisfy. */
export const eventCatalog = {
  'supplier.created': {
    description: 'A supplier was created. `data` carries its externalId and internalId.',
    data: supplierData,
    subscribable: true,
  },
  'supplier.updated': {
    description: 'A supplier was updated. `data` carries its externalId and internalId.',
    data: supplierData,
    subscribable: true,
  },
  'sync.completed': {
    description: 'A synchronisation run finished. `data` is a free-form object describing it.',
    data: z.record(z.string(), z.unknown()),
    subscribable: true,
  },
  'webhook.test': {
    description: 'Sent to one webhook on request ("send test event"); it cannot be subscribed to or published.',
    data: z.object({ webhookId: z.string(), message: z.string() }),
    subscribable: false,
  },
} as const;

export type EventType = keyof typeof eventCatalog;
/** The events producers publish and webhooks subscribe to. */
export type SubscribableEventType = {
  [K in EventType]: (typeof eventCatalog)[K]['subscribable'] extends true ? K : never;
}[EventType];
export type EventData<T extends EventType> = z.input<(typeof eventCatalog)[T]['data']>;

export const eventTypes = Object.keys(eventCatalog) as EventType[];
export const subscribableEventTypes = eventTypes.filter((name) => eventCatalog[name].subscribable) as SubscribableEventType[];

export function isSubscribableEventType(name: string): name is SubscribableEventType {
  return (subscribableEventTypes as string[]).includes(name);
}
