import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config';

export type { Logger };

/** Fields that hold credentials, should one ever be logged whole (a config, a webhook, headers). */
const secretFields = ['secret', 'previousSecret', 'token', 'authorization', 'adminApiKey', 'secretEncryptionKey'];
const redact = { paths: [...secretFields, ...secretFields.map((field) => `*.${field}`), '*.headers.authorization'], censor: '[redacted]' };

export interface LoggerOptions {
  /** One readable line per entry instead of JSON; by default when stdout is a terminal. */
  pretty?: boolean;
  /** Where the lines go; stdout by default (tests capture them). */
  destination?: NodeJS.WritableStream;
}

/** Logs on stdout: JSON lines for machines, readable lines when a person watches a terminal. */
export function createLogger(level: LogLevel = 'info', { pretty: readable = process.stdout.isTTY === true, destination }: LoggerOptions = {}): Logger {
  const options = { level, base: { service: 'webhooks' }, redact };
  if (readable) {
    // Synchronous, in this thread: no worker thread for a transport, and nothing lost on exit.
    return pino(options, pretty({ colorize: !destination, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service', destination }));
  }
  return destination ? pino(options, destination) : pino(options);
}
