import { ParseUUIDPipe } from '@nestjs/common';

/** The one pipe for `:id` path parameters, API and dashboard alike: any UUID version, else 400. */
export const UUID_PIPE = new ParseUUIDPipe({ version: undefined });

/** The same check, refusing with the caller's own words ("not a valid file id"). */
export const uuidPipe = (invalid: () => Error): ParseUUIDPipe => new ParseUUIDPipe({ version: undefined, exceptionFactory: invalid });
