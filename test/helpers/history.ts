import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** A local activity's marker names its activity type in its `data` detail (JSON). */
function localActivityType(event: HistoryEvent): string | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type : undefined;
}

/**
 * The delivery attempts a history records as made: a local attempt's marker (written once its
 * result is in) or a regular attempt's completion. An attempt that failed as undeliverable counts.
 */
export function attemptsRecorded(events: HistoryEvent[]): number {
  const scheduledAttempts = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'attemptDelivery').map((e) => String(e.eventId)),
  );
  return events.filter((e) => {
    if (localActivityType(e) === 'attemptDelivery') return true;
    const ended = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
    return ended !== undefined && ended !== null && scheduledAttempts.has(String(ended.scheduledEventId));
  }).length;
}
