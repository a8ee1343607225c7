import { ConfigError, loadConfig, type Config } from './config';

/** Runs `stop` once on SIGINT or SIGTERM, then exits. */
export function stopOnSignals(stop: () => Promise<void>, say: (line: string) => void = console.log): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received, shutting down...`);
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/** Runs an entrypoint, turning failures into one clear line and exit code 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err instanceof ConfigError ? err.message : `Start-up failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}

export type ProcessConfig = Config & { databaseUrl: string; temporalAddress: string; secretEncryptionKey: Buffer };

/**
 * The separate API and worker processes share PostgreSQL and Temporal, so both must be given;
 * the embedded defaults serve one process only (`npm start`).
 */
export function loadProcessConfig(command: string, env: NodeJS.ProcessEnv = process.env): ProcessConfig {
  const config = loadConfig(env);
  const missing = (['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SECRET_ENCRYPTION_KEY'] as const).filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map((name) => `${name} is required by \`${command}\`, which runs one half of the service; use \`npm start\` for everything in one process with embedded defaults`),
    );
  }
  return config as ProcessConfig;
}
