/**
 * What a key may do. Every key carries a subset; a new key gets all of them
 * unless its creator narrows it. Routes declare theirs with @RequireScope().
 */
export const API_KEY_SCOPES = ['files:read', 'files:write', 'files:delete'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  'files:read': 'list files, read metadata, download content, see usage',
  'files:write': 'start uploads and upload content',
  'files:delete': 'delete files',
};

/** Deduplicated, in the canonical order (so stored arrays compare equal). */
export function normalizeScopes(scopes: Iterable<ApiKeyScope>): ApiKeyScope[] {
  const wanted = new Set(scopes);
  return API_KEY_SCOPES.filter((scope) => wanted.has(scope));
}
