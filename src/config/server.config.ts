import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from './env-transformers';
import { validateEnv } from './validate-env';

class ServerEnv {
  @IsOptional() @ToInt() @IsInt() @Min(1_000) @Max(300_000)
  EDS_HEADERS_TIMEOUT_MS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1_000) @Max(3_600_000)
  EDS_IDLE_TIMEOUT_MS?: number;

  @IsOptional() @ToInt() @IsInt() @Min(1_000) @Max(600_000)
  EDS_KEEPALIVE_TIMEOUT_MS?: number;
}

/**
 * How long the HTTP server waits on a client. There is deliberately no limit
 * on a request's total time: a 5 GiB upload or download over a slow link may
 * take hours. Instead each wait that a stalled client could stretch is bounded:
 */
export interface ServerConfig {
  /** From the connection's first byte until the request's headers are complete (Node's `headersTimeout`). */
  headersTimeoutMs: number;
  /**
   * A socket with no byte moving in either direction for this long is closed
   * (Node's socket idle timeout, Fastify's `connectionTimeout`): a body that
   * stops arriving, a download whose client stopped reading.
   */
  idleTimeoutMs: number;
  /** An idle keep-alive connection between requests is closed after this (Node's `keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
}

export const serverConfig = registerAs('server', (): ServerConfig => {
  const env = validateEnv(ServerEnv);
  return {
    headersTimeoutMs: env.EDS_HEADERS_TIMEOUT_MS ?? 10_000,
    idleTimeoutMs: env.EDS_IDLE_TIMEOUT_MS ?? 30_000,
    keepAliveTimeoutMs: env.EDS_KEEPALIVE_TIMEOUT_MS ?? 5_000,
  };
});
