import { registerAs } from '@nestjs/config';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
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
}

export interface AppConfig {
  port: number;
  dataDir: string;
  /** Base for absolute URLs handed to clients; null = derive from the request. */
  publicUrl: string | null;
  /** Honour X-Forwarded-* (client address, protocol) from a reverse proxy. */
  trustProxy: boolean;
}

export const appConfig = registerAs('app', (): AppConfig => {
  const env = validateEnv(AppEnv);
  return {
    port: env.PORT ?? 3000,
    dataDir: resolve(env.EDS_DATA_DIR ?? './data'),
    publicUrl: env.EDS_PUBLIC_URL ? env.EDS_PUBLIC_URL.replace(/\/+$/, '') : null,
    trustProxy: env.EDS_TRUST_PROXY ?? false,
  };
});
