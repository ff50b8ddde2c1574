import { registerAs } from '@nestjs/config';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { ToBool, ToInt, Trimmed } from './env-transformers';
import { ConfigurationError, validateEnv } from './validate-env';

const GiB = 1024 ** 3;

class StorageEnv {
  @IsOptional() @ToInt() @IsInt() @Min(1_000) @Max(30 * 24 * 3600 * 1000)
  EDS_ORPHAN_MIN_AGE_MS?: number;

  @IsOptional() @Trimmed() @IsIn(['fs', 's3'], { message: 'must be "fs" or "s3"' })
  EDS_STORAGE_DRIVER?: 'fs' | 's3';

  @IsOptional() @ToInt() @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  EDS_MAX_UPLOAD_BYTES?: number;

  @IsOptional() @ToInt() @IsInt() @Min(60) @Max(30 * 24 * 3600)
  EDS_PENDING_UPLOAD_TTL_SECONDS?: number;

  @IsOptional() @Trimmed() @IsString() S3_BUCKET?: string;
  @IsOptional() @Trimmed() @IsUrl({ require_tld: false, require_protocol: true }) S3_ENDPOINT?: string;
  @IsOptional() @Trimmed() @IsString() S3_REGION?: string;
  @IsOptional() @Trimmed() @IsString() S3_ACCESS_KEY_ID?: string;
  @IsOptional() @IsString() S3_SECRET_ACCESS_KEY?: string;
  @IsOptional() @ToBool() @IsBoolean() S3_FORCE_PATH_STYLE?: boolean;
}

export interface StorageConfig {
  driver: 'fs' | 's3';
  maxUploadBytes: number;
  pendingUploadTtlSeconds: number;
  /** Reconciliation removes a blob no row names only once it is this old (a commit in flight is never that old). */
  orphanMinAgeMs: number;
  s3: {
    bucket: string | null;
    endpoint: string | null;
    region: string;
    accessKeyId: string | null;
    secretAccessKey: string | null;
    forcePathStyle: boolean;
  };
}

export const storageConfig = registerAs('storage', (): StorageConfig => {
  const env = validateEnv(StorageEnv);
  const driver = env.EDS_STORAGE_DRIVER ?? 'fs';
  if (driver === 's3' && !env.S3_BUCKET) {
    throw new ConfigurationError('Invalid configuration: S3_BUCKET is required when EDS_STORAGE_DRIVER=s3');
  }
  return {
    driver,
    maxUploadBytes: env.EDS_MAX_UPLOAD_BYTES ?? 5 * GiB,
    pendingUploadTtlSeconds: env.EDS_PENDING_UPLOAD_TTL_SECONDS ?? 24 * 3600,
    orphanMinAgeMs: env.EDS_ORPHAN_MIN_AGE_MS ?? 3_600_000,
    s3: {
      bucket: env.S3_BUCKET ?? null,
      endpoint: env.S3_ENDPOINT ?? null,
      region: env.S3_REGION ?? 'us-east-1',
      accessKeyId: env.S3_ACCESS_KEY_ID ?? null,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? null,
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? false,
    },
  };
});
