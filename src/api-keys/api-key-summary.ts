import type { AuditSubject } from '../audit';
import type { ApiKey } from './api-key.entity';
import { maskApiKey } from './api-key-format';
import type { ApiKeyScope } from './api-key-scopes';

/** What the dashboard shows of a key: never the secret, never the hash. */
export interface ApiKeySummary {
  id: string;
  name: string;
  maskedKey: string;
  ownerId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  isActive: boolean;
  deactivatedAt: Date | null;
  /** Null: never expires. For a rolled key, the end of its grace period. */
  expiresAt: Date | null;
  scopes: ApiKeyScope[];
  /** Set once the key was rolled: its replacement's id (null again if that was deleted). */
  replacedById: string | null;
  rolledAt: Date | null;
  lastClientIp: string | null;
  lastUserAgent: string | null;
  /** Canonical CIDR ranges; empty: usable from anywhere. */
  allowedNetworks: string[];
  lastRefusedIp: string | null;
  lastRefusedAt: Date | null;
  /** Someone reported the key as leaked (it was deactivated then); null once acknowledged or rolled. */
  leakReportedAt: Date | null;
  owner: { id: string; email: string } | null;
}

export interface CreatedApiKey {
  key: ApiKeySummary;
  /** The full key: shown once, in the answer that creates it, then gone. */
  plaintext: string;
}

export function toSummary(key: ApiKey): ApiKeySummary {
  return {
    id: key.id,
    name: key.name,
    maskedKey: maskApiKey(key.lastFour),
    ownerId: key.ownerId,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    isActive: key.isActive,
    deactivatedAt: key.deactivatedAt,
    expiresAt: key.expiresAt,
    scopes: key.scopes,
    replacedById: key.replacedById,
    rolledAt: key.rolledAt,
    lastClientIp: key.lastClientIp,
    lastUserAgent: key.lastUserAgent,
    allowedNetworks: key.allowedNetworks ?? [],
    lastRefusedIp: key.lastRefusedIp ?? null,
    lastRefusedAt: key.lastRefusedAt ?? null,
    leakReportedAt: key.leakReportedAt ?? null,
    owner: key.owner ? { id: key.owner.id, email: key.owner.email } : null,
  };
}

/** How audit entries name a key; kept as text so it outlives the key. */
export function auditSubjectOf(key: Pick<ApiKey, 'id' | 'ownerId' | 'name' | 'lastFour'>): AuditSubject {
  return { type: 'api_key', id: key.id, ownerId: key.ownerId, label: `${key.name} (${maskApiKey(key.lastFour)})` };
}
