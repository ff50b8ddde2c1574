/** What else an entry says (jsonb): flat values only. */
export type AuditDetails = Record<string, string | number | boolean | null | string[]>;

/** Where an action came from: the client address (request.ip) and its user agent. */
export interface AuditOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** For actions with no HTTP request behind them (an expiry the system noticed). */
export const NO_ORIGIN: AuditOrigin = { ip: null, userAgent: null };

/** Who did it; null is EDS itself. */
export type AuditActor = { id: string; email: string } | null;

export interface AuditSubject {
  type: 'api_key' | 'file' | 'manager';
  id: string;
  ownerId: string | null;
  label: string;
}

export interface NewAuditEvent {
  action: string;
  at: Date;
  actor: AuditActor;
  origin: AuditOrigin;
  subject: AuditSubject;
  details?: AuditDetails;
}

/** An entry as pages show it. */
export interface AuditEntry {
  id: string;
  at: Date;
  action: string;
  actorEmail: string | null;
  clientIp: string | null;
  userAgent: string | null;
  subjectType: string;
  subjectId: string;
  subjectLabel: string;
  details: AuditDetails;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null on the last one. */
  nextBefore: string | null;
}

/** Narrows the audit page: one key's entries, one manager's (as actor, subject or key owner), one action. */
export interface AuditFilter {
  keyId?: string;
  managerId?: string;
  action?: string;
}
