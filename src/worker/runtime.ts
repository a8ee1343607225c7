import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../logger';

const levels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** Sends the Temporal SDK's own logs (worker state, workflow and activity logs) to our JSON logger. */
export function installTemporalLogging(logger: Logger): void {
  const temporalLogger = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry: LogEntry) => temporalLogger[levels[entry.level]](entry.meta ?? {}, entry.message)),
  });
}
