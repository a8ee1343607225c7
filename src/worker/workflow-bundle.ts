import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundlePath } from '@temporalio/worker';

/**
 * Where `npm run build` puts the workflow bundle: beside the compiled code (dist/), never in src/,
 * so a worker run from source always bundles what it runs.
 */
export const prebuiltBundlePath = path.join(__dirname, '..', 'workflow-bundle.js');

/** The workflows as one prebuilt bundle, when this worker runs from a build that has one. */
export function prebuiltWorkflowBundle(): WorkflowBundlePath | undefined {
  return existsSync(prebuiltBundlePath) ? { codePath: prebuiltBundlePath } : undefined;
}

/** `npm run build`'s last step: bundles the compiled workflows, so workers start without a bundler. */
async function main(): Promise<void> {
  const quiet = () => undefined;
  const logger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger });
  writeFileSync(prebuiltBundlePath, code);
  console.log(`workflow bundle written to ${path.relative(process.cwd(), prebuiltBundlePath)}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
