import type { AuditEntry } from '../audit';
import {
  API_KEY_SCOPES,
  canDeactivate,
  canDelete,
  canRoll,
  EXPIRY_DAY_CHOICES,
  GRACE_LABELS,
  type GracePeriod,
  HYGIENE_FLAG_CODES,
  type HygieneThresholds,
  type KeyListReview,
  type KeyReview,
  type KeyState,
  SCOPE_DESCRIPTIONS,
} from '../api-keys';
import { formatUtc } from './view-helpers';

/**
 * What the key pages render, decided here rather than in templates: a
 * template only prints these (escaped) and loops.
 */
const STATE_LABELS: Record<KeyState, { label: string; badge: string }> = {
  active: { label: 'Active', badge: 'ok' },
  rolled: { label: 'Rolled', badge: 'warn' },
  expired: { label: 'Expired', badge: 'off' },
  inactive: { label: 'Inactive', badge: 'off' },
};

export interface KeyRowView extends KeyReview {
  stateLabel: string;
  badge: string;
  /** "expires", "expired", "stops" (rolled, in grace) or "stopped". */
  expiryVerb: string;
  canRoll: boolean;
  canDeactivate: boolean;
  canDelete: boolean;
}

export function keyRow(review: KeyReview): KeyRowView {
  const { state } = review;
  const rolled = Boolean(review.key.rolledAt);
  return {
    ...review,
    stateLabel: STATE_LABELS[state].label,
    badge: STATE_LABELS[state].badge,
    expiryVerb:
      state === 'expired' ? (rolled ? 'stopped' : 'expired') : state === 'rolled' ? 'stops' : 'expires',
    canRoll: canRoll(state),
    canDeactivate: canDeactivate(state),
    canDelete: canDelete(state),
  };
}

export function keyListView(list: KeyListReview): object {
  const t = list.thresholds;
  return {
    now: list.now,
    keys: list.reviews.map(keyRow),
    hygiene: {
      attention: list.summary.attention,
      flags: HYGIENE_FLAG_CODES.map((code) => ({ code, label: flagSummaryLabel(code, t), count: list.summary.counts[code] })),
    },
  };
}

function flagSummaryLabel(code: (typeof HYGIENE_FLAG_CODES)[number], t: HygieneThresholds): string {
  switch (code) {
    case 'never-used':
      return `never used ${t.neverUsedDays} days after creation`;
    case 'unused':
      return `unused for ${t.unusedDays} days`;
    case 'old':
      return `older than ${t.maxAgeDays} days`;
    case 'expiring':
      return `expiring within ${t.expiringWithinDays} days`;
  }
}

/** The "Generate New Key" form's choices, with what was posted selected again. */
export function newKeyFormView(posted: { name?: unknown; expiry?: unknown; expiresOn?: unknown; scopes?: unknown; allowedNetworks?: unknown } = {}): object {
  const postedScopes = posted.scopes === undefined ? null : ([] as unknown[]).concat(posted.scopes);
  const expiry = typeof posted.expiry === 'string' ? posted.expiry : 'never';
  return {
    name: posted.name,
    expiresOn: posted.expiresOn,
    allowedNetworks: typeof posted.allowedNetworks === 'string' ? posted.allowedNetworks : '',
    expiryChoices: [
      { value: 'never', label: 'Never', selected: expiry === 'never' },
      ...EXPIRY_DAY_CHOICES.map((days) => ({ value: String(days), label: `In ${days} days`, selected: expiry === String(days) })),
      { value: 'date', label: 'On a date…', selected: expiry === 'date' },
    ],
    scopeChoices: API_KEY_SCOPES.map((scope) => ({
      value: scope,
      description: SCOPE_DESCRIPTIONS[scope],
      checked: postedScopes === null || postedScopes.includes(scope),
    })),
  };
}

export const graceChoices = (selected: GracePeriod = '24h'): object[] =>
  (Object.keys(GRACE_LABELS) as GracePeriod[]).map((value) => ({ value, label: GRACE_LABELS[value], selected: value === selected }));

export const ACTION_LABELS: Record<string, string> = {
  'api_key.created': 'Created',
  'api_key.rolled': 'Rolled',
  'api_key.deactivated': 'Deactivated',
  'api_key.expired': 'Expired',
  'api_key.deleted': 'Deleted',
  'api_key.networks_changed': 'Allowed networks changed',
  'api_key.reported_leaked': 'Reported as leaked',
  'api_key.leak_acknowledged': 'Leak report dismissed',
  'file.deleted': 'File deleted',
  // Accounts (subject: the manager).
  'manager.signed_in': 'Signed in',
  'manager.sign_in_failed': 'Failed sign-in',
  'manager.password_changed': 'Changed own password',
  'manager.disabled': 'Manager disabled',
  'manager.enabled': 'Manager enabled',
  'manager.role_changed': 'Role changed',
  'manager.reset_link_issued': 'Password reset link issued',
  'manager.password_reset': 'Password set with a reset link',
};

export interface AuditRowView extends AuditEntry {
  actionLabel: string;
  who: string;
  note: string;
}

export function auditRow(entry: AuditEntry): AuditRowView {
  return {
    ...entry,
    actionLabel: ACTION_LABELS[entry.action] ?? entry.action,
    who: entry.actorEmail ?? 'EDS (automatic)',
    note: auditNote(entry),
  };
}

function auditNote(entry: AuditEntry): string {
  const d = entry.details;
  const at = (value: unknown): string => (typeof value === 'string' ? formatUtc(new Date(value)) : '');
  switch (entry.action) {
    case 'api_key.created': {
      const parts = [`scopes ${Array.isArray(d.scopes) ? d.scopes.join(', ') : '?'}`];
      parts.push(d.expiresAt ? `expires ${at(d.expiresAt)}` : 'never expires');
      if (typeof d.replacesKey === 'string') parts.push(`replaces ${d.replacesKey}`);
      return parts.join('; ');
    }
    case 'api_key.rolled':
      return d.graceEndsAt
        ? `replaced by ${String(d.replacement)}; keeps working until ${at(d.graceEndsAt)}`
        : `replaced by ${String(d.replacement)}; stopped at once (no grace)`;
    case 'api_key.networks_changed':
      return Array.isArray(d.allowedNetworks) && d.allowedNetworks.length ? `now only from ${d.allowedNetworks.join(', ')}` : 'now from anywhere';
    case 'api_key.reported_leaked':
      return 'found in public and reported; deactivated at once';
    case 'api_key.expired':
      return d.reason === 'grace-ended' ? 'the grace period after its roll ended' : 'its expiry was reached';
    default:
      return '';
  }
}

/** Which field of the "Generate New Key" form a message is about, so the page shows it there. */
const FIELD_OF_MESSAGE: ReadonlyArray<[field: 'name' | 'expiry' | 'scopes' | 'allowedNetworks', pattern: RegExp]> = [
  ['name', /\bname\b/i],
  ['expiry', /expir/i],
  ['scopes', /scope/i],
  // One line per bad range (“203.0.113.0/33”: …) or the list as a whole.
  ['allowedNetworks', /^“|network/i],
];

export type KeyFormErrors = Partial<Record<'name' | 'expiry' | 'scopes' | 'allowedNetworks' | 'other', string[]>>;

/** The form's messages grouped by the field they are about; what names no field goes on top of the button. */
export function keyFormErrors(messages: readonly string[]): KeyFormErrors {
  const grouped: KeyFormErrors = {};
  for (const message of messages) {
    const field = FIELD_OF_MESSAGE.find(([, pattern]) => pattern.test(message))?.[0] ?? 'other';
    (grouped[field] ??= []).push(message);
  }
  return grouped;
}
