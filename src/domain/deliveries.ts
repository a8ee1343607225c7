/** Where a delivery stands; kept in the database and in the DeliveryStatus search attribute. */
export const deliveryStatuses = ['pending', 'retrying', 'delivered', 'failed', 'skipped', 'cancelled'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** A delivery's status once an attempt is recorded: its last attempt failing fails it. */
export function statusAfterAttempt(ok: boolean, last: boolean): DeliveryStatus {
  return ok ? 'delivered' : last ? 'failed' : 'retrying';
}

/** A 410 Gone: the receiver says the endpoint is gone for good (SPEC: the webhook is disabled at once). */
export const isGone = (statusCode: number | null) => statusCode === 410;

/** Whether a delivery is over: no further attempt will be made. */
export function isFinalStatus(status: string): boolean {
  return status === 'delivered' || status === 'failed' || status === 'skipped' || status === 'cancelled';
}

/** What names a recorded delivery and its workflow: all that starting the workflow needs. */
export interface RecordedDelivery {
  id: string;
  workflowId: string;
  eventId: string;
  webhookId: string;
  integrationId: string;
  eventType: string;
}

/** A recorded delivery with its webhook's URL: what starting its workflow needs (the URL names it in the Web UI). */
export interface DeliveryToStart extends RecordedDelivery {
  targetUrl: string;
}

/** One attempt as recorded: the activity makes it, the workflow records it, the API shows it. */
export interface Attempt {
  attemptNumber: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  errorClass: string | null;
  errorMessage: string | null;
  responseExcerpt: string | null;
  /**
   * The wait before the next attempt: the scheduled delay, or the receiver's longer Retry-After.
   * Null or absent after the last attempt (and in attempts recorded before it was kept).
   */
  nextAttemptInMs?: number | null;
}
