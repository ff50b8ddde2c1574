/**
 * What the api-keys module offers other modules, and nothing else may be
 * imported from it. The dashboard reads and changes keys through the three
 * services; API modules mark their routes with @ApiKeyAuth() and
 * @RequireScope() (the check itself is the module's global guard) and read the
 * key with @CurrentApiKey().
 */
export { ApiKeysModule } from './api-keys.module';

// Services, for the dashboard.
export { ApiKeysService, type NewKeyOptions } from './api-keys.service';
export { KeyHygieneService, type KeyListReview } from './key-hygiene.service';
export { ApiKeyUsageService, type KeyReport, type UsageReport, USAGE_DAYS } from './api-key-usage.service';

// Route marks, for API controllers.
export { ApiKeyAuth, API_KEY_SECURITY, API_KEY_SECURITY_SCHEME } from './api-key-auth.decorator';
export { RequireScope } from './require-scope.decorator';
export { CurrentApiKey } from './current-api-key.decorator';
export type { ApiKeyPrincipal } from './api-key-principal';

// Domain values and rules the pages show.
export type { ApiKeySummary, CreatedApiKey } from './api-key-summary';
export { API_KEY_SCOPES, type ApiKeyScope, SCOPE_DESCRIPTIONS } from './api-key-scopes';
export { EXPIRY_DAY_CHOICES, GRACE_LABELS, GRACE_PERIODS, type GracePeriod, type KeyExpiry } from './key-expiry';
export { HYGIENE_FLAG_CODES, type HygieneFlag, type HygieneThresholds, type KeyReview } from './key-hygiene';
export { canDeactivate, canDelete, canRoll, hasExpired, keyStateOf, type KeyState, mayAct } from './key-state';
export { ApiKeyErrors, KEY_FORM_ERROR_CODES } from './api-keys.errors';
export { MAX_ALLOWED_NETWORKS, parseAllowedNetworks } from './allowed-networks';
