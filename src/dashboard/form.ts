import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Validates an HTML form body against a class-validator class. Unlike the
 * JSON API (400 + JSON), a form answers with its page and the reasons inline.
 */
export function parseForm<T extends object>(schema: new () => T, body: unknown): FormResult<T> {
  const source = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const value = plainToInstance(schema, source, { excludeExtraneousValues: true });
  const errors = validateSync(value, { stopAtFirstError: true });
  if (errors.length > 0) {
    return { ok: false, errors: errors.flatMap((e) => Object.values(e.constraints ?? {})) };
  }
  return { ok: true, value };
}
