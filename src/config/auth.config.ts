import { registerAs } from '@nestjs/config';
import { IsEmail, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ToInt, Trimmed } from './env-transformers';
import { ConfigurationError, validateEnv } from './validate-env';

class AuthEnv {
  @IsOptional() @Trimmed() @IsEmail()
  EDS_ADMIN_EMAIL?: string;

  @IsOptional() @IsString() @MinLength(12)
  EDS_ADMIN_PASSWORD?: string;

  @IsOptional() @IsString() @MinLength(32)
  EDS_SESSION_SECRET?: string;

  @IsOptional() @ToInt() @IsInt() @Min(60) @Max(7 * 24 * 3600)
  EDS_SESSION_IDLE_SECONDS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(60_000)
  EDS_LAST_USED_FLUSH_MS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(0) @Max(300_000)
  EDS_KEY_CACHE_TTL_MS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(0) @Max(1_000_000)
  EDS_KEY_CACHE_MAX?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(100)
  EDS_API_KEY_FAILURES_PER_MINUTE?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(1000)
  EDS_LOGIN_FAILURES_PER_ADDRESS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(100)
  EDS_LOGIN_FAILURES_PER_ACCOUNT?: number;

  @IsOptional() @ToInt() @IsInt() @Min(60) @Max(30 * 24 * 3600)
  EDS_SESSION_ABSOLUTE_SECONDS?: number;
}

export interface AuthConfig {
  adminEmail: string | null;
  adminPassword: string | null;
  /** Null: generated once and kept in the data dir (see SessionSecretProvider). */
  sessionSecret: string | null;
  sessionIdleSeconds: number;
  /** How often coalesced last-use stamps are written; DESIGN.md §3 allows at most 10 s. */
  lastUsedFlushMs: number;
  /** How long a verified key is trusted from memory; the backstop if a revocation notice is missed. */
  keyCacheTtlMs: number;
  /** At most this many keys cached per instance (LRU); 0 disables the cache. */
  keyCacheMax: number;
  /** Failed key checks per client address per minute before 429. */
  apiKeyFailuresPerMinute: number;
  /** Failed logins per client address per 15 minutes before 429. */
  loginFailuresPerAddress: number;
  /** Failed logins per account (email) per 15 minutes before 429. */
  loginFailuresPerAccount: number;
  /** A dashboard session ends this long after sign-in, however active. */
  sessionAbsoluteSeconds: number;
}

export const authConfig = registerAs('auth', (): AuthConfig => {
  const env = validateEnv(AuthEnv);
  if (Boolean(env.EDS_ADMIN_EMAIL) !== Boolean(env.EDS_ADMIN_PASSWORD)) {
    throw new ConfigurationError(
      'Invalid configuration: EDS_ADMIN_EMAIL and EDS_ADMIN_PASSWORD must be set together',
    );
  }
  return {
    adminEmail: env.EDS_ADMIN_EMAIL?.toLowerCase() ?? null,
    adminPassword: env.EDS_ADMIN_PASSWORD ?? null,
    sessionSecret: env.EDS_SESSION_SECRET ?? null,
    sessionIdleSeconds: env.EDS_SESSION_IDLE_SECONDS ?? 8 * 3600,
    lastUsedFlushMs: env.EDS_LAST_USED_FLUSH_MS ?? 5_000,
    keyCacheTtlMs: env.EDS_KEY_CACHE_TTL_MS ?? 10_000,
    keyCacheMax: env.EDS_KEY_CACHE_MAX ?? 10_000,
    apiKeyFailuresPerMinute: env.EDS_API_KEY_FAILURES_PER_MINUTE ?? 30,
    loginFailuresPerAddress: env.EDS_LOGIN_FAILURES_PER_ADDRESS ?? 30,
    loginFailuresPerAccount: env.EDS_LOGIN_FAILURES_PER_ACCOUNT ?? 10,
    sessionAbsoluteSeconds: env.EDS_SESSION_ABSOLUTE_SECONDS ?? 24 * 3600,
  };
});
