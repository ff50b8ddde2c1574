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
  /** DATABASE_URL, else the embedded PostgreSQL's once main.ts started it; null before that. */
  url: string | null;
}

/** Set by main.ts when it started its own PostgreSQL (no DATABASE_URL): the environment stays as given. */
let embeddedUrl: string | null = null;

export function useEmbeddedDatabase(url: string): void {
  embeddedUrl = url;
}

export const databaseConfig = registerAs('database', (): DatabaseConfig => {
  const env = validateEnv(DatabaseEnv);
  return { url: env.DATABASE_URL ?? embeddedUrl };
});
