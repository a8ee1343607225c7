import { accessSync, constants, mkdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { withProgress, type ProgressOutput } from './progress';

/** The newest Temporal CLI that `go install` can build. */
export const temporalCliVersion = '1.5.1';
const goModule = `github.com/temporalio/cli/cmd/temporal@v${temporalCliVersion}`;

/** Where the Go build is cached: ~/.cache/webhook-delivery/temporal-cli-<version>/. */
export function cachedCliDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.HOME || os.homedir(), '.cache', 'webhook-delivery', `temporal-cli-${temporalCliVersion}`);
}
const cachedCliPath = (env: NodeJS.ProcessEnv) => path.join(cachedCliDir(env), 'temporal');

/** Thrown when no Temporal CLI can be found or built; the message says how to install one. */
export class TemporalCliMissingError extends Error {
  constructor(reason: string) {
    super(
      `${reason}\nThe Temporal CLI (which runs the local dev server and Web UI) is needed. Either:\n` +
        `  - install it (https://docs.temporal.io/cli) and put \`temporal\` on PATH or set TEMPORAL_CLI_PATH, or\n` +
        `  - install Go and run: GOBIN=${cachedCliDir} go install ${goModule}\n` +
        `  - or set TEMPORAL_ADDRESS to an existing Temporal server.`,
    );
    this.name = 'TemporalCliMissingError';
  }
}

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function onPath(command: string, pathVariable = ''): string | undefined {
  return pathVariable
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, command))
    .find(isExecutable);
}

/**
 * A Temporal CLI already on this machine, looked for in order: TEMPORAL_CLI_PATH, `temporal` on
 * PATH, the build cached under ~/.cache. Undefined when there is none.
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.TEMPORAL_CLI_PATH?.trim();
  if (configured) {
    if (!isExecutable(configured)) throw new TemporalCliMissingError(`TEMPORAL_CLI_PATH=${configured} is not an executable file.`);
    return configured;
  }
  const cached = cachedCliPath(env);
  return onPath('temporal', env.PATH) ?? (isExecutable(cached) ? cached : undefined);
}

/**
 * Builds the CLI from its Go module into the ~/.cache directory (takes minutes the first time),
 * showing on `progress` that it is under way.
 */
export async function buildTemporalCli(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  progress: ProgressOutput = process.stdout,
): Promise<string> {
  const go = onPath('go', env.PATH) ?? ['/usr/local/go/bin/go', '/usr/lib/go/bin/go'].find(isExecutable);
  if (!go) throw new TemporalCliMissingError('No Temporal CLI was found, and Go is not installed to build one.');
  const dir = cachedCliDir(env);
  mkdirSync(dir, { recursive: true });
  log(`Building the Temporal CLI v${temporalCliVersion} with Go into ${dir} (this takes a few minutes, once)...`);
  await withProgress('  building with go install:', () =>
    promisify(execFile)(go, ['install', goModule], { env: { ...env, GOBIN: dir }, maxBuffer: 64 * 1024 * 1024 }), progress);
  const built = cachedCliPath(env);
  if (!isExecutable(built)) throw new TemporalCliMissingError(`go install finished but ${built} is missing.`);
  log(`Built ${built}`);
  return built;
}

/** A CLI found on this machine, else one built with Go. */
export async function ensureTemporalCli(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env, progress?: ProgressOutput): Promise<string> {
  return findTemporalCli(env) ?? buildTemporalCli(log, env, progress);
}

// `npm run temporal-cli` prints the path of a usable CLI, building it if needed (used by .ci/run);
// what it says meanwhile goes to stderr.
if (require.main === module) {
  ensureTemporalCli((line) => console.error(line), process.env, process.stderr).then(
    (cli) => console.log(cli),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
