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
  },
  'supplier.updated': {
    description: 'A supplier was updated. `data` carries its externalId and internalId.',
    data: supplierData,
  },
  'sync.completed': {
    description: 'A synchronisation run finished. `data` is a free-form object describing it.',
    data: z.record(z.string(), z.unknown()),
  },
} as const;

export type EventType = keyof typeof eventCatalog;
export type EventData<T extends EventType> = z.input<(typeof eventCatalog)[T]['data']>;

export const eventTypes = Object.keys(eventCatalog) as EventType[];

export function isEventType(name: string): name is EventType {
  return Object.prototype.hasOwnProperty.call(eventCatalog, name);
}
