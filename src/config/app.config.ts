import { registerAs } from '@nestjs/config';
import { IsBoolean, IsInt, IsIP, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { resolve } from 'node:path';
import { ToBool, ToInt, Trimmed } from './env-transformers';
import { validateEnv } from './validate-env';

class AppEnv {
  @IsOptional() @ToInt() @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsOptional() @Trimmed() @IsString()
  EDS_DATA_DIR?: string;

  @IsOptional() @Trimmed()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  EDS_PUBLIC_URL?: string;

  @IsOptional() @ToBool() @IsBoolean()
  EDS_TRUST_PROXY?: boolean;

  @IsOptional() @Trimmed()
  @IsIP(undefined, { message: 'must be an IP address to listen on, e.g. :: (every IPv6 and IPv4 address), 0.0.0.0 or 127.0.0.1' })
  EDS_HOST?: string;
}

export interface AppConfig {
  port: number;
  dataDir: string;
  /** Base for absolute URLs handed to clients; null = derive from the request. */
  publicUrl: string | null;
  /** Honour X-Forwarded-* (client address, protocol) from a reverse proxy. */
  trustProxy: boolean;
  /** The address to listen on; `::` (the default) takes IPv6 and IPv4 clients on dual-stack hosts. */
  host: string;
}

export const appConfig = registerAs('app', (): AppConfig => {
  const env = validateEnv(AppEnv);
  return {
    port: env.PORT ?? 3000,
    dataDir: resolve(env.EDS_DATA_DIR ?? './data'),
    publicUrl: env.EDS_PUBLIC_URL ? env.EDS_PUBLIC_URL.replace(/\/+$/, '') : null,
    trustProxy: env.EDS_TRUST_PROXY ?? false,
    host: env.EDS_HOST ?? '::',
  };
});
