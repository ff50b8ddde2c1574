import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { databaseConfig } from './database.config';
import { keysConfig } from './keys.config';
import { loggingConfig } from './logging.config';
import { serverConfig } from './server.config';
import { storageConfig } from './storage.config';
import { ConfigurationError } from './validate-env';

describe('configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const withEnv = (env: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };

  it('has working defaults', () => {
    withEnv({ PORT: undefined, EDS_HOST: undefined, EDS_DATA_DIR: undefined, EDS_PUBLIC_URL: undefined, EDS_STORAGE_DRIVER: undefined, EDS_MAX_UPLOAD_BYTES: undefined });
    expect(appConfig()).toEqual(expect.objectContaining({ port: 3000, publicUrl: null, trustProxy: false, host: '::' }));
    expect(appConfig().dataDir).toMatch(/\/data$/);
    expect(storageConfig()).toEqual(expect.objectContaining({ driver: 'fs', maxUploadBytes: 5 * 1024 ** 3 }));
  });

  it('logs at info unless told otherwise', () => {
    withEnv({ EDS_LOG_LEVEL: undefined });
    expect(loggingConfig()).toEqual({ level: 'info' });
    withEnv({ EDS_LOG_LEVEL: ' warn ' });
    expect(loggingConfig()).toEqual({ level: 'warn' });
  });

  it('bounds stalled clients and orphans by default, and reads overrides', () => {
    withEnv({ EDS_HEADERS_TIMEOUT_MS: undefined, EDS_IDLE_TIMEOUT_MS: '60000', EDS_KEEPALIVE_TIMEOUT_MS: undefined, EDS_ORPHAN_MIN_AGE_MS: undefined });
    expect(serverConfig()).toEqual({ headersTimeoutMs: 10_000, idleTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 });
    expect(storageConfig().orphanMinAgeMs).toBe(3_600_000);
  });

  it('reads the key hygiene thresholds', () => {
    withEnv({ EDS_KEY_NEVER_USED_DAYS: '3', EDS_KEY_UNUSED_DAYS: undefined, EDS_KEY_MAX_AGE_DAYS: '180', EDS_KEY_EXPIRY_WARNING_DAYS: undefined, EDS_LAST_USED_FLUSH_MS: undefined, EDS_KEY_CACHE_TTL_MS: undefined, EDS_KEY_CACHE_MAX: undefined, EDS_API_KEY_FAILURES_PER_MINUTE: undefined, EDS_LEAK_REPORTS_PER_HOUR: undefined, EDS_SECURITY_CONTACT: undefined });
    expect(keysConfig()).toEqual({
      neverUsedDays: 3, unusedDays: 30, maxAgeDays: 180, expiringWithinDays: 7,
      lastUsedFlushMs: 5_000, keyCacheTtlMs: 10_000, keyCacheMax: 10_000, apiKeyFailuresPerMinute: 30,
      leakReportsPerHour: 60, securityContact: null,
    });
  });

  it('gives the revocation listener DATABASE_URL unless DATABASE_LISTEN_URL names its own', () => {
    withEnv({ DATABASE_URL: 'postgres://eds@pgbouncer:6432/eds', DATABASE_LISTEN_URL: undefined });
    expect(databaseConfig()).toEqual({ url: 'postgres://eds@pgbouncer:6432/eds', listenUrl: 'postgres://eds@pgbouncer:6432/eds' });
    withEnv({ DATABASE_LISTEN_URL: 'postgres://eds@db:5432/eds' });
    expect(databaseConfig()).toEqual({ url: 'postgres://eds@pgbouncer:6432/eds', listenUrl: 'postgres://eds@db:5432/eds' });
  });

  it('parses and normalises values', () => {
    withEnv({ PORT: '8080', EDS_PUBLIC_URL: 'https://files.example.com/', EDS_TRUST_PROXY: 'true' });
    expect(appConfig()).toEqual(expect.objectContaining({ port: 8080, publicUrl: 'https://files.example.com', trustProxy: true }));
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/, appConfig],
    [{ PORT: '70000' }, /PORT/, appConfig],
    [{ EDS_PUBLIC_URL: 'files.example.com' }, /EDS_PUBLIC_URL/, appConfig],
    [{ EDS_STORAGE_DRIVER: 'ftp' }, /EDS_STORAGE_DRIVER must be "fs" or "s3"/, storageConfig],
    [{ EDS_STORAGE_DRIVER: 's3', S3_BUCKET: undefined }, /S3_BUCKET is required/, storageConfig],
    [{ EDS_MAX_UPLOAD_BYTES: '-1' }, /EDS_MAX_UPLOAD_BYTES/, storageConfig],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /DATABASE_URL must be a postgres:\/\/ URL/, databaseConfig],
    [{ DATABASE_URL: 'postgres://eds@db/eds', DATABASE_LISTEN_URL: 'db:5432' }, /DATABASE_LISTEN_URL must be a postgres:\/\/ URL/, databaseConfig],
    [{ DATABASE_URL: undefined, DATABASE_LISTEN_URL: 'postgres://eds@db/eds' }, /DATABASE_LISTEN_URL is set without DATABASE_URL/, databaseConfig],
    [{ EDS_ADMIN_EMAIL: 'admin@example.com', EDS_ADMIN_PASSWORD: undefined }, /EDS_ADMIN_EMAIL and EDS_ADMIN_PASSWORD/, authConfig],
    [{ EDS_ADMIN_EMAIL: 'not-an-email', EDS_ADMIN_PASSWORD: 'long-enough-password' }, /EDS_ADMIN_EMAIL/, authConfig],
    [{ EDS_SESSION_SECRET: 'too-short' }, /EDS_SESSION_SECRET/, authConfig],
    [{ EDS_KEY_UNUSED_DAYS: '0' }, /EDS_KEY_UNUSED_DAYS/, keysConfig],
    [{ EDS_HOST: 'everywhere' }, /EDS_HOST must be an IP address/, appConfig],
    [{ EDS_SECURITY_CONTACT: 'call us' }, /EDS_SECURITY_CONTACT must be a mailto: or https: URI/, keysConfig],
    [{ EDS_LEAK_REPORTS_PER_HOUR: '0' }, /EDS_LEAK_REPORTS_PER_HOUR/, keysConfig],
    [{ EDS_LOG_LEVEL: 'verbose' }, /EDS_LOG_LEVEL must be one of the following values: fatal, error, warn, info, debug, trace/, loggingConfig],
    [{ EDS_HEADERS_TIMEOUT_MS: '10' }, /EDS_HEADERS_TIMEOUT_MS/, serverConfig],
    [{ EDS_IDLE_TIMEOUT_MS: 'soon' }, /EDS_IDLE_TIMEOUT_MS/, serverConfig],
    [{ EDS_KEEPALIVE_TIMEOUT_MS: '999999999' }, /EDS_KEEPALIVE_TIMEOUT_MS/, serverConfig],
    [{ EDS_ORPHAN_MIN_AGE_MS: '0' }, /EDS_ORPHAN_MIN_AGE_MS/, storageConfig],
  ])('refuses %j with one clear line naming the variable', (env, message, load) => {
    withEnv(env);
    expect(() => load()).toThrow(ConfigurationError);
    expect(() => load()).toThrow(message);
  });
});
