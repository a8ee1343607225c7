import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where Debian's PostgreSQL 15 keeps initdb and pg_ctl (`.ci/run` installs it). */
const binDir = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

const password = 'faults';

export interface PrivatePostgres {
  url: string;
  /** Stops the cluster (fast: open connections are cut at once). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL cluster of the test's own, in a temporary directory on `port`, so that the test can
 * stop and restart it without touching the shared one. PostgreSQL refuses to run as root: as root,
 * its commands run as the `postgres` user.
 */
export async function startPrivatePostgres(port: number): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faults-postgres-'));
  const dataDir = path.join(dir, 'data');
  const passwordFile = path.join(dir, 'password');
  writeFileSync(passwordFile, password);
  if (runsAsRoot()) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (command: string, args: string[]) => asPostgresUser(path.join(binDir, command), args);
  await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--no-sync']);
  // The socket goes into the cluster's own directory: the system's may not be writable or may be in use.
  const pgCtl = (...args: string[]) => run('pg_ctl', ['-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', ...args]);
  const start = () => pgCtl('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start');
  const stop = () => pgCtl('-m', 'fast', 'stop');
  await start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: async () => {
      try {
        await stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const runsAsRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL command without blocking: the test's receiver and publishers keep running meanwhile. */
async function asPostgresUser(command: string, args: string[]): Promise<void> {
  const [file, argv] = runsAsRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  await promisify(execFile)(file, argv);
}
