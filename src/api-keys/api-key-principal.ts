import type { NetworkMatcher } from './allowed-networks';
import type { ApiKeyScope } from './api-key-scopes';

/** Who a request authenticated with an API key acts as. */
export interface ApiKeyPrincipal {
  keyId: string;
  name: string;
  createdAt: Date;
  owner: { id: string; email: string };
  scopes: readonly ApiKeyScope[];
  /**
   * Null: never. Checked on every request, cached or not: an expiry (or the
   * end of a roll's grace period) takes effect at that instant everywhere.
   */
  expiresAt: Date | null;
  /**
   * The key's allowed networks, compiled when the key was verified (null:
   * anywhere). A list change announces the key like a revocation, so every
   * instance drops this principal and compiles the new list on the next use.
   */
  networks: NetworkMatcher | null;
}
