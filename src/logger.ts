import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/** Structured JSON logs on stdout. */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'webhooks' } });
}
