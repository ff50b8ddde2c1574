import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from './env-transformers';
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
}

/** Key hygiene: when the dashboard flags a key (see README, "Key life cycle"). */
export interface KeysConfig {
  neverUsedDays: number;
  unusedDays: number;
  maxAgeDays: number;
  expiringWithinDays: number;
}

export const keysConfig = registerAs('keys', (): KeysConfig => {
  const env = validateEnv(KeysEnv);
  return {
    neverUsedDays: env.EDS_KEY_NEVER_USED_DAYS ?? 7,
    unusedDays: env.EDS_KEY_UNUSED_DAYS ?? 30,
    maxAgeDays: env.EDS_KEY_MAX_AGE_DAYS ?? 90,
    expiringWithinDays: env.EDS_KEY_EXPIRY_WARNING_DAYS ?? 7,
  };
});
