import { registerAs } from '@nestjs/config';
import { IsOptional, IsUrl } from 'class-validator';
import { Trimmed } from './env-transformers';
import { ConfigurationError, validateEnv } from './validate-env';

const IsPostgresUrl = () =>
  IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['postgres', 'postgresql'] },
    { message: 'must be a postgres:// URL, e.g. postgres://user:pass@host:5432/eds' },
  );

class DatabaseEnv {
  @IsOptional() @Trimmed() @IsPostgresUrl()
  DATABASE_URL?: string;

  /**
   * The revocation listener's own connection (LISTEN). Behind PgBouncer in
   * transaction mode DATABASE_URL goes through the pooler, which cannot keep
   * a LISTEN; this one goes to PostgreSQL directly or to a session-mode pool.
   */
  @IsOptional() @Trimmed() @IsPostgresUrl()
  DATABASE_LISTEN_URL?: string;
}

export interface DatabaseConfig {
  /** DATABASE_URL, else the embedded PostgreSQL's once main.ts started it; null before that. */
  url: string | null;
  /** Where the revocation listener connects: DATABASE_LISTEN_URL, else `url`. */
  listenUrl: string | null;
}

/** Set by main.ts when it started its own PostgreSQL (no DATABASE_URL): the environment stays as given. */
let embeddedUrl: string | null = null;

export function useEmbeddedDatabase(url: string): void {
  embeddedUrl = url;
}

export const databaseConfig = registerAs('database', (): DatabaseConfig => {
  const env = validateEnv(DatabaseEnv);
  if (env.DATABASE_LISTEN_URL && !env.DATABASE_URL) {
    // The embedded PostgreSQL has no pooler in front of it, and no other address.
    throw new ConfigurationError('Invalid configuration: DATABASE_LISTEN_URL is set without DATABASE_URL');
  }
  const url = env.DATABASE_URL ?? embeddedUrl;
  return { url, listenUrl: env.DATABASE_LISTEN_URL ?? url };
});
