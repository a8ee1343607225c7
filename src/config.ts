import path from 'node:path';
import { z } from 'zod';
import { parseEncryptionKey } from './domain/encryption-key';
import type { DeliverySettings } from './domain/workflow-definitions';

/** Settings from the environment (SPEC.md "Settings"), validated once at start. */
export interface Config {
  port: number;
  /** Where `npm run worker` serves /metrics, /healthz and /readyz. */
  metricsPort: number;
  /** Unset: embedded PostgreSQL (PGlite) under the data directory. */
  databaseUrl?: string;
  /** Unset: `npm start` runs a local Temporal dev server. */
  temporalAddress?: string;
  temporalNamespace: string;
  temporalTaskQueue: string;
  /** Unset: `npm start` generates one; `npm run api` answers 401 on admin routes. */
  adminApiKey?: string;
  /** 32 bytes that encrypt webhook secrets at rest. Unset: `npm start` generates and keeps one. */
  secretEncryptionKey?: Buffer;
  retryDelaysMs: number[];
  attemptTimeoutMs: number;
  disableAfterFailures: number;
  /** Cap on a receiver's Retry-After (429/503): the next attempt waits at most this long. */
  maxRetryAfterMs: number;
  allowPrivateTargets: boolean;
  allowInsecureUrls: boolean;
  /** Per credential (each API token, the admin key): the bucket refills at this rate... */
  apiRateLimitPerMinute: number;
  /** ...and holds at most this many requests. */
  apiRateLimitBurst: number;
  /** Browser origins allowed to call the API (CORS); empty: closed. */
  corsOrigins: string[];
  /** The Temporal Web UI the Platform UI links to (no trailing slash). Unset: `npm start` uses its dev server's; else no links. */
  temporalUiUrl?: string;
  logLevel: LogLevel;
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** The retry settings deliveries run on, as the worker passes them to their workflows. */
export function deliverySettings(config: Pick<Config, 'retryDelaysMs' | 'attemptTimeoutMs'>): DeliverySettings {
  return { retryDelaysMs: config.retryDelaysMs, attemptTimeoutMs: config.attemptTimeoutMs };
}

/** The embedded defaults (PGlite, Temporal dev server, admin key) keep their files here. */
export function defaultDataDir(): string {
  return path.resolve('.data');
}

/** Thrown when a setting has a bad value; the message names every bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const boolean = z.enum(['true', 'false'], { message: 'must be "true" or "false"' }).transform((v) => v === 'true');

const delayList = z
  .string()
  .trim()
  .regex(/^\d+(\s*,\s*\d+)*$/, 'must be a comma-separated list of milliseconds, e.g. "1000,5000,30000"')
  .transform((value) => value.split(',').map((part) => Number(part.trim())))
  .pipe(z.array(z.number().int().max(86_400_000, 'each delay must be at most one day')).max(20));

const hostPort = z
  .string()
  .trim()
  .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. "localhost:7233"');

/** An origin as browsers send it: http(s), host and an optional port; nothing after. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

const originList = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const origins = value.split(',').map((part) => part.trim());
    const bad = origins.filter((origin) => !isOrigin(origin));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be comma-separated origins like https://app.example.com (scheme, host, optional port; no path or trailing slash); not: ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
      });
    }
    return origins;
  });

const settingsSchema = z.object({
  PORT: integer(0, 65535).default(3000),
  METRICS_PORT: integer(0, 65535).default(9464),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional(),
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('webhooks'),
  ADMIN_API_KEY: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  SECRET_ENCRYPTION_KEY: z
    .string()
    .trim()
    .transform((text, ctx) => {
      const key = parseEncryptionKey(text);
      if (!key) ctx.addIssue({ code: 'custom', message: 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`) or 64 hex digits' });
      return key ?? z.NEVER;
    })
    .optional(),
  WEBHOOK_RETRY_DELAYS_MS: delayList.default([1000, 5000, 30000]),
  WEBHOOK_ATTEMPT_TIMEOUT_MS: integer(1, 600_000).default(10_000),
  WEBHOOK_DISABLE_AFTER_FAILURES: integer(1, 1_000_000).default(10),
  WEBHOOK_MAX_RETRY_AFTER_MS: integer(0, 86_400_000).default(300_000),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: boolean.default(false),
  WEBHOOK_ALLOW_INSECURE_URLS: boolean.default(false),
  API_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(600),
  API_RATE_LIMIT_BURST: integer(1, 1_000_000).default(100),
  CORS_ORIGINS: originList.default([]),
  TEMPORAL_UI_URL: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an http(s) URL without query, e.g. "http://localhost:8233"')
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
});

/** Reads and validates the settings (an empty value counts as unset); throws ConfigError naming each bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(settingsSchema.shape)
      .filter((name) => env[name] !== undefined && env[name]!.trim() !== '')
      .map((name) => [name, env[name]]),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`),
    );
  }
  const s = parsed.data;
  return {
    port: s.PORT,
    metricsPort: s.METRICS_PORT,
    databaseUrl: s.DATABASE_URL,
    temporalAddress: s.TEMPORAL_ADDRESS,
    temporalNamespace: s.TEMPORAL_NAMESPACE,
    temporalTaskQueue: s.TEMPORAL_TASK_QUEUE,
    adminApiKey: s.ADMIN_API_KEY,
    secretEncryptionKey: s.SECRET_ENCRYPTION_KEY,
    retryDelaysMs: s.WEBHOOK_RETRY_DELAYS_MS,
    attemptTimeoutMs: s.WEBHOOK_ATTEMPT_TIMEOUT_MS,
    disableAfterFailures: s.WEBHOOK_DISABLE_AFTER_FAILURES,
    maxRetryAfterMs: s.WEBHOOK_MAX_RETRY_AFTER_MS,
    allowPrivateTargets: s.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    allowInsecureUrls: s.WEBHOOK_ALLOW_INSECURE_URLS,
    apiRateLimitPerMinute: s.API_RATE_LIMIT_PER_MINUTE,
    apiRateLimitBurst: s.API_RATE_LIMIT_BURST,
    corsOrigins: s.CORS_ORIGINS,
    temporalUiUrl: s.TEMPORAL_UI_URL,
    logLevel: s.LOG_LEVEL,
  };
}
