import { DomainError } from '../common/domain-error';

/**
 * Every way the API-key rules refuse a request, in one place (after
 * supabase/storage's ERRORS, with EDS's status codes). Rule code and
 * services throw these; the global filter turns them into the error body,
 * and the dashboard turns the 400s into form errors by their code.
 */
export const ApiKeyErrors = {
  keyNotFound: () => new DomainError('ApiKeyNotFound', 404, 'API key not found'),
  noScope: () => new DomainError('NoScopeChosen', 400, 'Choose at least one scope'),
  expiryDaysOutOfRange: (max: number) => new DomainError('ExpiryOutOfRange', 400, `The expiry must be 1 to ${max} days away`),
  expiryDateInvalid: () => new DomainError('ExpiryDateInvalid', 400, 'The expiry date is not a valid date (YYYY-MM-DD)'),
  expiryDatePast: () => new DomainError('ExpiryDatePast', 400, 'The expiry date must be today or later'),
  expiryDateTooFar: () => new DomainError('ExpiryDateTooFar', 400, 'The expiry date must be within ten years'),
  notRollable: () => new DomainError('KeyNotRollable', 409, 'Only an active key can be rolled'),
  alreadyRolled: () => new DomainError('KeyAlreadyRolled', 409, 'This key was already rolled; roll its replacement instead'),
  stillWorking: () => new DomainError('KeyStillWorking', 409, 'Deactivate the key before deleting it'),
  badNetworks: (reasons: readonly string[]) => new DomainError('BadAllowedNetworks', 400, reasons.join('; ')),
  reportsThrottled: (retryAfter: number) =>
    new DomainError('LeakReportsThrottled', 429, `Too many leaked-key reports from this address; try again in ${retryAfter} seconds`, {
      'retry-after': String(retryAfter),
    }),
} as const;

/** The codes a key form shows next to its fields (the rest are page errors: 404, 409). */
export const KEY_FORM_ERROR_CODES: ReadonlySet<string> = new Set([
  'NoScopeChosen',
  'ExpiryOutOfRange',
  'ExpiryDateInvalid',
  'ExpiryDatePast',
  'ExpiryDateTooFar',
  'BadAllowedNetworks',
]);
