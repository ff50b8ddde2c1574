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
    loginFailuresPerAddress: env.EDS_LOGIN_FAILURES_PER_ADDRESS ?? 30,
    loginFailuresPerAccount: env.EDS_LOGIN_FAILURES_PER_ACCOUNT ?? 10,
    sessionAbsoluteSeconds: env.EDS_SESSION_ABSOLUTE_SECONDS ?? 24 * 3600,
  };
});
