import { Worker } from '@temporalio/worker';

type CreatorArgs = Parameters<(typeof Worker)['createWorkflowCreator']>;

/**
 * The SDK's Worker, calling into workflow code without Node's vm timeout. With a timeout, every
 * call into a workflow's context (several per activation) starts and joins a watchdog thread
 * (about 120 µs of CPU each here, and longer waits on busy cores), all on the one workflow thread.
 * The timeout guards against workflow code that never yields; ours is small, tested and
 * replayed in CI, so it does not earn that cost. The hook is the SDK's protected one for subclasses;
 * `override` fails the type check should an SDK upgrade drop it.
 */
export class UnwatchedWorker extends Worker {
  protected static override createWorkflowCreator(...[bundle, options, logger]: CreatorArgs) {
    // Undefined is what Node's vm reads as "no timeout" (the SDK's options type says number).
    return super.createWorkflowCreator(bundle, { ...options, isolateExecutionTimeoutMs: undefined as unknown as number }, logger);
  }
}
