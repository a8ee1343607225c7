export interface CoalescedRuns {
  /** Runs now, or, while a run is in flight, once more right after it (however often asked meanwhile). */
  request(): void;
  /** Settles when the run in flight, if any, has. */
  settled(): Promise<void>;
}

/**
 * `run`, at most one at a time: the requests made while it runs fold into one more run after it.
 * `afterRuns` is called once a run ends with none asked for. `run` handles its own errors.
 */
export function coalescedRuns(run: () => Promise<void>, afterRuns: () => void = () => undefined): CoalescedRuns {
  let running: Promise<void> | undefined;
  let again = false;
  const request = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = run().finally(() => {
      running = undefined;
      if (!again) return afterRuns();
      again = false;
      request();
    });
  };
  return { request, settled: async () => running };
}
