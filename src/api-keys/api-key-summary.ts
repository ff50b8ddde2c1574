/** What the dashboard shows of a key: never the secret, never the hash. */
export interface ApiKeySummary {
  id: string;
  name: string;
  maskedKey: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  isActive: boolean;
  deactivatedAt: Date | null;
  owner: { id: string; email: string } | null;
}

export interface CreatedApiKey {
  key: ApiKeySummary;
  /** The full key: shown once, in the answer that creates it, then gone. */
  plaintext: string;
}
