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

/** The workflows bundled now, reporting only the bundler's warnings and errors (not its build report). */
export function bundleWorkflows(report: { warn(message: string): void; error(message: string): void }) {
  const quiet = () => undefined;
  const logger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: (m: string) => report.warn(m), error: (m: string) => report.error(m) };
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger });
}

/** `npm run build`'s last step: bundles the compiled workflows, so workers start without a bundler. */
async function main(): Promise<void> {
  const { code } = await bundleWorkflows(console);
  writeFileSync(prebuiltBundlePath, code);
  console.log(`workflow bundle written to ${path.relative(process.cwd(), prebuiltBundlePath)}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
