import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU seconds used so far by each component the bench can see, read from /proc (Linux). */
export interface CpuReading {
  /**
   * The service's process or processes: this process (the API, the workers and, without
   * DATABASE_URL, the embedded PGlite), or the separate API and worker processes when those run.
   */
  benchProcess: number;
  /** The load process: the receiver and the publishers (bench/load.ts). */
  load: number;
  /** The Temporal server (the embedded dev server's process; 0 with TEMPORAL_ADDRESS). */
  temporal: number;
  /** PostgreSQL's processes (0 with PGlite, or when they are not on this machine). */
  postgres: number;
}

const ticksPerSecond = 100;

/** The resident set of a process, from /proc. */
export const processRssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

function processCpu(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the command name.
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / ticksPerSecond;
  } catch {
    return 0;
  }
}

function pids(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Reads the CPU of the service (`servicePids`, or else this process), the load process, the
 * Temporal dev server on `temporalPort` and PostgreSQL.
 */
export function readCpu(temporalPort: number | undefined, loadPid: number, servicePids: number[] = []): CpuReading {
  const own = process.cpuUsage();
  const temporal = temporalPort ? pids(['-f', `start-dev.*--port ${temporalPort}`]) : [];
  return {
    benchProcess: servicePids.length ? servicePids.reduce((sum, pid) => sum + processCpu(pid), 0) : (own.user + own.system) / 1e6,
    load: processCpu(loadPid),
    temporal: temporal.reduce((sum, pid) => sum + processCpu(pid), 0),
    postgres: process.env.DATABASE_URL ? pids(['-u', 'postgres']).reduce((sum, pid) => sum + processCpu(pid), 0) : 0,
  };
}

export const cpuSince = (before: CpuReading, after: CpuReading): CpuReading => ({
  benchProcess: after.benchProcess - before.benchProcess,
  load: after.load - before.load,
  temporal: after.temporal - before.temporal,
  postgres: after.postgres - before.postgres,
});
