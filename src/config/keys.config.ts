import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ToInt, Trimmed } from './env-transformers';
import { validateEnv } from './validate-env';

class KeysEnv {
  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(3650)
  EDS_KEY_NEVER_USED_DAYS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(3650)
  EDS_KEY_UNUSED_DAYS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(3650)
  EDS_KEY_MAX_AGE_DAYS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(365)
  EDS_KEY_EXPIRY_WARNING_DAYS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(60_000)
  EDS_LAST_USED_FLUSH_MS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(0) @Max(300_000)
  EDS_KEY_CACHE_TTL_MS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(0) @Max(1_000_000)
  EDS_KEY_CACHE_MAX?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(100)
  EDS_API_KEY_FAILURES_PER_MINUTE?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1) @Max(100_000)
  EDS_LEAK_REPORTS_PER_HOUR?: number;

  @IsOptional() @Trimmed()
  @Matches(/^(mailto:[^\s@]+@[^\s@]+|https?:\/\/[^\s]+)$/, { message: 'must be a mailto: or https: URI' })
  EDS_SECURITY_CONTACT?: string;
}

/** Everything about API keys: hygiene thresholds (see README, "Key life cycle"), the key cache, use stamping, guessing. */
export interface KeysConfig {
  /** Flag a key never used this many days after its creation. */
  neverUsedDays: number;
  /** Flag a key whose last use is this many days ago. */
  unusedDays: number;
  /** Flag a key older than this (rotate it). */
  maxAgeDays: number;
  /** Flag a key that expires within this many days (unless it was made to live no longer than that). */
  expiringWithinDays: number;
  /** How often coalesced last-use stamps are written; DESIGN.md §3 allows at most 10 s. */
  lastUsedFlushMs: number;
  /** How long a verified key is trusted from memory; the backstop if a revocation notice is missed. */
  keyCacheTtlMs: number;
  /** At most this many keys cached per instance (LRU); 0 disables the cache. */
  keyCacheMax: number;
  /** Failed key checks per client address per minute before 429. */
  apiKeyFailuresPerMinute: number;
  /** Leaked-key reports (POST /api/v1/keys/revoke) per client address per hour before 429. */
  leakReportsPerHour: number;
  /** security.txt's Contact; null: the public page on reporting a found key. */
  securityContact: string | null;
}

export const keysConfig = registerAs('keys', (): KeysConfig => {
  const env = validateEnv(KeysEnv);
  return {
    neverUsedDays: env.EDS_KEY_NEVER_USED_DAYS ?? 7,
    unusedDays: env.EDS_KEY_UNUSED_DAYS ?? 30,
    maxAgeDays: env.EDS_KEY_MAX_AGE_DAYS ?? 90,
    expiringWithinDays: env.EDS_KEY_EXPIRY_WARNING_DAYS ?? 7,
    lastUsedFlushMs: env.EDS_LAST_USED_FLUSH_MS ?? 5_000,
    keyCacheTtlMs: env.EDS_KEY_CACHE_TTL_MS ?? 10_000,
    keyCacheMax: env.EDS_KEY_CACHE_MAX ?? 10_000,
    apiKeyFailuresPerMinute: env.EDS_API_KEY_FAILURES_PER_MINUTE ?? 30,
    leakReportsPerHour: env.EDS_LEAK_REPORTS_PER_HOUR ?? 60,
    securityContact: env.EDS_SECURITY_CONTACT ?? null,
  };
});
