import { startReceiver, type ReceivedRequest } from '../helpers/receiver';

/** One delivery attempt as the receiver saw it and answered it. */
export interface ReceivedAttempt {
  webhookId: string;
  deliveryId: string;
  attempt: number;
  status: number;
  receivedAt: number;
  request: ReceivedRequest;
}

export interface FaultReceiver {
  url: string;
  attempts: ReceivedAttempt[];
  /** While on, every first attempt is answered 500: deliveries then wait in backoff for their retry. */
  failFirstAttempts(on: boolean): void;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records every attempt with its answer; retries always
 * succeed, so a delivery fails at most once and none runs out of attempts because of the receiver.
 */
export async function startFaultReceiver(): Promise<FaultReceiver> {
  const attempts: ReceivedAttempt[] = [];
  let failing = false;
  const receiver = await startReceiver((request) => {
    const attempt = Number(request.headers['x-webhook-attempt']);
    const status = failing && attempt === 1 ? 500 : 200;
    attempts.push({
      webhookId: String(request.headers['x-webhook-id']),
      deliveryId: String(request.headers['x-webhook-delivery-id']),
      attempt,
      status,
      receivedAt: request.receivedAt,
      request,
    });
    return status;
  });
  return {
    url: receiver.url,
    attempts,
    failFirstAttempts: (on) => void (failing = on),
    close: () => receiver.close(),
  };
}

/** Whether the sender got this answer: it did not close the connection before the answer was sent. */
export const answered = (attempt: ReceivedAttempt) => attempt.request.abortedAt === undefined;

/** The 2xx answers each delivery got, by delivery id. */
export function successesByDelivery(attempts: ReceivedAttempt[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of attempts) {
    if (a.status >= 200 && a.status < 300 && answered(a)) counts.set(a.deliveryId, (counts.get(a.deliveryId) ?? 0) + 1);
  }
  return counts;
}
