import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('uses the defaults of SPEC.md when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      metricsPort: 9464,
      databaseUrl: undefined,
      temporalAddress: undefined,
      temporalNamespace: 'default',
      temporalTaskQueue: 'webhooks',
      adminApiKey: undefined,
      secretEncryptionKey: undefined,
      retryDelaysMs: [1000, 5000, 30000],
      attemptTimeoutMs: 10000,
      disableAfterFailures: 10,
      maxRetryAfterMs: 300000,
      allowPrivateTargets: false,
      allowInsecureUrls: false,
      apiRateLimitPerMinute: 600,
      apiRateLimitBurst: 100,
      corsOrigins: [],
      temporalUiUrl: undefined,
      logLevel: 'info',
    });
  });

  it('reads every setting', () => {
    const config = loadConfig({
      PORT: '8080',
      METRICS_PORT: '9100',
      DATABASE_URL: 'postgres://u:p@db:5432/webhooks',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'prod',
      TEMPORAL_TASK_QUEUE: 'hooks',
      ADMIN_API_KEY: 'a-long-enough-admin-key',
      SECRET_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      WEBHOOK_RETRY_DELAYS_MS: '10, 20,30',
      WEBHOOK_ATTEMPT_TIMEOUT_MS: '500',
      WEBHOOK_DISABLE_AFTER_FAILURES: '3',
      WEBHOOK_MAX_RETRY_AFTER_MS: '60000',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_ALLOW_INSECURE_URLS: 'true',
      API_RATE_LIMIT_PER_MINUTE: '60',
      API_RATE_LIMIT_BURST: '5',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      TEMPORAL_UI_URL: 'https://temporal.example.com/ui/',
      LOG_LEVEL: 'warn',
    });
    expect(config).toEqual({
      port: 8080,
      metricsPort: 9100,
      databaseUrl: 'postgres://u:p@db:5432/webhooks',
      temporalAddress: 'temporal:7233',
      temporalNamespace: 'prod',
      temporalTaskQueue: 'hooks',
      adminApiKey: 'a-long-enough-admin-key',
      secretEncryptionKey: Buffer.alloc(32, 1),
      retryDelaysMs: [10, 20, 30],
      attemptTimeoutMs: 500,
      disableAfterFailures: 3,
      maxRetryAfterMs: 60000,
      allowPrivateTargets: true,
      allowInsecureUrls: true,
      apiRateLimitPerMinute: 60,
      apiRateLimitBurst: 5,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      temporalUiUrl: 'https://temporal.example.com/ui',
      logLevel: 'warn',
    });
  });

  it('takes the encryption key as base64 or hex', () => {
    const key = Buffer.alloc(32, 9);
    expect(loadConfig({ SECRET_ENCRYPTION_KEY: key.toString('hex') }).secretEncryptionKey).toEqual(key);
    expect(loadConfig({ SECRET_ENCRYPTION_KEY: key.toString('base64') }).secretEncryptionKey).toEqual(key);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: ' ', PORT: '' })).toMatchObject({
      databaseUrl: undefined,
      temporalAddress: undefined,
      port: 3000,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['TEMPORAL_ADDRESS', 'http://temporal:7233'],
    ['ADMIN_API_KEY', 'short'],
    ['WEBHOOK_RETRY_DELAYS_MS', '1000,,5000'],
    ['WEBHOOK_RETRY_DELAYS_MS', '1s,5s'],
    ['WEBHOOK_ATTEMPT_TIMEOUT_MS', '0'],
    ['WEBHOOK_ATTEMPT_TIMEOUT_MS', '-5'],
    ['WEBHOOK_DISABLE_AFTER_FAILURES', '2.5'],
    ['WEBHOOK_ALLOW_PRIVATE_TARGETS', 'yes'],
    ['WEBHOOK_ALLOW_INSECURE_URLS', '1'],
    ['LOG_LEVEL', 'loud'],
    ['API_RATE_LIMIT_PER_MINUTE', '0'],
    ['API_RATE_LIMIT_BURST', 'ten'],
    ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'https://app.example.com/'],
    ['CORS_ORIGINS', 'https://app.example.com/path'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://a.example.com,,https://b.example.com'],
    ['CORS_ORIGINS', 'ftp://files.example.com'],
    ['TEMPORAL_UI_URL', 'localhost:8233'],
    ['TEMPORAL_UI_URL', 'http://localhost:8233/?x=1'],
    ['SECRET_ENCRYPTION_KEY', 'too-short'],
    ['SECRET_ENCRYPTION_KEY', Buffer.alloc(16).toString('base64')],
  ])('stops on %s=%s with a message naming the setting', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  it('names every bad setting at once', () => {
    try {
      loadConfig({ PORT: 'x', WEBHOOK_ALLOW_INSECURE_URLS: 'maybe' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toHaveLength(2);
    }
  });
});
