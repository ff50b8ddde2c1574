import type { ServerConfig } from '../config';

/**
 * Fastify/Node server options bounding every wait a stalled or abusive client
 * could stretch (src/config/server.config.ts says which is which). Node's
 * total `requestTimeout` stays off: it would cut a legitimate multi-hour
 * transfer. Node checks headers (and request) timeouts only every
 * `connectionsCheckingInterval` (30 s by default): checked every second
 * here so the headers timeout means what it says.
 */
export function serverTimeoutOptions(config: ServerConfig): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  return {
    connectionTimeout: config.idleTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    requestTimeout: 0,
    http: {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: 0,
      connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
    },
  };
}
