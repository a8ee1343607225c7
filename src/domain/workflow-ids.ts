/** Readable workflow ids, derived from the ids they act on so that a second start is refused. */
export const workflowIds = {
  /** Event ids are unique within one integration (a producer may choose its own), so both ids are in it. */
  publish: (integrationId: string, eventId: string) => `event-${integrationId}-${eventId}`,
  /** The publication workflow of the workers on one task queue. */
  publications: (taskQueue: string) => `publications-${taskQueue}`,
  delivery: (integrationId: string, eventId: string, webhookId: string) => `delivery-${integrationId}-${eventId}-${webhookId}`,
  /** A redelivery asked for by hand: a new delivery each time. */
  redelivery: (eventId: string, webhookId: string, deliveryId: string) => `delivery-${eventId}-${webhookId}-${deliveryId}`,
  /** The one redelivery a recovery makes of a failed delivery. */
  recovery: (eventId: string, webhookId: string, failedDeliveryId: string) =>
    `delivery-${eventId}-${webhookId}-recovers-${failedDeliveryId}`,
  health: (webhookId: string) => `webhook-health-${webhookId}`,
};
