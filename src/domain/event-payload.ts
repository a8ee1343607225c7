/** What every delivery of an event sends, fixed once so all attempts and webhooks get the same bytes. */
export interface EventPayload {
  event: string;
  timestamp: string;
  integrationId: string;
  data: unknown;
}

/** The request body, with the keys in the documented order. */
export function payloadBody({ event, timestamp, integrationId, data }: EventPayload): string {
  return JSON.stringify({ event, timestamp, integrationId, data });
}
