import { registerAs } from '@nestjs/config';
import { IsOptional, IsUrl } from 'class-validator';
import { Trimmed } from './env-transformers';
import { validateEnv } from './validate-env';

class DatabaseEnv {
  @IsOptional() @Trimmed()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['postgres', 'postgresql'] },
    { message: 'must be a postgres:// URL, e.g. postgres://user:pass@host:5432/eds' },
  )
  DATABASE_URL?: string;
}

export interface DatabaseConfig {
  /** Null until the embedded launcher (src/main.ts) has provided one. */
  url: string | null;
}

export const databaseConfig = registerAs('database', (): DatabaseConfig => {
  const env = validateEnv(DatabaseEnv);
  return { url: env.DATABASE_URL ?? null };
});
