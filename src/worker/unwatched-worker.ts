import { Worker as NodeWorker } from 'node:worker_threads';
import { Worker } from '@temporalio/worker';
import { ThreadedVMWorkflowCreator, WorkerThreadClient } from '@temporalio/worker/lib/workflow/threaded-vm';

type CreatorArgs = Parameters<(typeof Worker)['createWorkflowCreator']>;

/**
 * The SDK's workflow thread, started after marking its stack-trace handlers installed without
 * their promise hook: errors thrown in workflow code still get source-mapped stacks, but no
 * promise records where it was created.
 */
const workflowThreadCode = `
const { globalHandlers } = require(${JSON.stringify(require.resolve('@temporalio/worker/lib/workflow/vm-shared'))});
globalHandlers.overridePrepareStackTrace();
globalHandlers.installed = true;
require(${JSON.stringify(require.resolve('@temporalio/worker/lib/workflow/workflow-worker-thread'))});
`;

/**
 * The SDK's Worker, running workflow code unwatched: without Node's vm timeout and without the
 * promise hook behind the Web UI's stack trace view. Both cost more than they give here, all on
 * the worker's one workflow thread:
 * - with a timeout, every call into a workflow's context (several per activation) starts and
 *   joins a watchdog thread (about 120 µs of CPU each here, and longer waits on busy cores). It
 *   guards against workflow code that never yields; ours is small, tested and replayed in CI;
 * - the hook compiles a function and formats a source-mapped stack for every promise a workflow
 *   creates: a third of the workflow thread's time in a burst. What a delivery waits for is in
 *   its current details instead (the Web UI's stack trace view answers that it is not enabled).
 * The hook is the SDK's protected one for subclasses; `override` fails the type check should an
 * SDK upgrade drop it, as would a change to the thread classes' signatures.
 */
export class UnwatchedWorker extends Worker {
  protected static override async createWorkflowCreator(...[bundle, options, logger]: CreatorArgs) {
    // Undefined is what Node's vm reads as "no timeout" (the SDK's options type says number).
    const isolateExecutionTimeoutMs = undefined as unknown as number;
    // In debug mode the SDK runs workflows in this thread; left as it is.
    if (options.debugMode) return super.createWorkflowCreator(bundle, { ...options, isolateExecutionTimeoutMs }, logger);
    const threads = Array.from(
      { length: options.workflowThreadPoolSize },
      () => new WorkerThreadClient(new NodeWorker(workflowThreadCode, { eval: true }), logger, options.patchActivationCallback),
    );
    await Promise.all(
      threads.map((thread) =>
        thread.send({
          type: 'init',
          workflowBundle: bundle,
          isolateExecutionTimeoutMs,
          reuseV8Context: options.reuseV8Context ?? true,
          registeredActivityNames: new Set(options.activities.keys()),
          hasPatchActivationCallback: options.patchActivationCallback !== undefined,
        }),
      ),
    );
    return new ThreadedVMWorkflowCreator(threads);
  }
}
