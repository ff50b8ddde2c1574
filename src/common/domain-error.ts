/**
 * An error a rule raises in its own words: a stable `code`, the HTTP status
 * it means for a client, and a message safe to show one. Rule files and
 * streams throw these instead of Nest's HTTP exceptions; the global filter is
 * the one mapping to the `{statusCode, error, message}` body. Each feature
 * keeps its catalog beside its code (`storage.errors.ts`, `api-keys.errors.ts`),
 * after supabase/storage's `ERRORS`, with EDS's real status codes.
 */
export class DomainError extends Error {
  constructor(
    /** Stable name of the condition, e.g. `FileNotFound`: for logs, tests and callers that branch on it. */
    readonly code: string,
    readonly status: number,
    message: string,
    /** Headers the answer must carry (e.g. `Content-Range` on a 416, `Retry-After` on a 429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = code;
  }

  /** True for an error of this catalog entry, however it was built. */
  is(code: string): boolean {
    return this.code === code;
  }
}

export const isDomainError = (error: unknown, code?: string): error is DomainError =>
  error instanceof DomainError && (code === undefined || error.code === code);
