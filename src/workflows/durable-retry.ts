import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation, log, sleep, type LocalActivityOptions } from '@temporalio/workflow';

/**
 * Short database and Temporal calls made as local activities: they run within the workflow task,
 * so a step costs no server round trip. Each call retries inside the task for a few seconds only;
 * past that it fails and the workflow waits on a durable timer before trying again, so an outage
 * neither holds a workflow task open nor keeps a workflow from continuing as new.
 */
export const localCallOptions: LocalActivityOptions = {
  startToCloseTimeout: '5 seconds',
  scheduleToCloseTimeout: '10 seconds',
  // Five tries within about 3 s; the attempt count bounds it as surely as the timeout above.
  retry: { initialInterval: '200 milliseconds', maximumInterval: '2 seconds', maximumAttempts: 5 },
};

/** The wait after the nth failed call in a row: 1 s, doubling, at most a minute. */
export const waitAfterFailure = (failures: number) => Math.min(1000 * 2 ** (failures - 1), 60_000);

/**
 * Whether a failed call may succeed later: not when the activity said never, nor when cancelled.
 * A local activity that ran out of tries fails with its own error, not wrapped in an ActivityFailure.
 */
export function isRetryable(err: unknown): boolean {
  if (isCancellation(err)) return false;
  const failure = err instanceof ActivityFailure ? err.cause : err;
  if (failure instanceof ApplicationFailure) return !failure.nonRetryable;
  return failure instanceof TimeoutFailure || err instanceof ActivityFailure;
}

/** Runs `call` until it succeeds, waiting on a durable timer between failures. */
export async function untilDone<T>(what: string, call: () => Promise<T>): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      log.warn(`${what} failed; trying again`, { failures, waitMs: waitAfterFailure(failures), error: (err as Error).message });
      await sleep(waitAfterFailure(failures));
    }
  }
}
