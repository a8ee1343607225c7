import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/** Fields that hold credentials, should one ever be logged whole (a config, a webhook, headers). */
const secretFields = ['secret', 'previousSecret', 'token', 'authorization', 'adminApiKey', 'secretEncryptionKey'];
const redact = { paths: [...secretFields, ...secretFields.map((field) => `*.${field}`), '*.headers.authorization'], censor: '[redacted]' };

/** Structured JSON logs, on stdout unless another destination is given (tests capture them). */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'webhooks' }, redact }, destination);
}
