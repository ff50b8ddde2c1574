import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';
import { reasonPhrase } from './http-status-text';

/**
 * Documents one error status with its own, true examples: the bodies the
 * filter really writes for it (pass the catalog's or validator's message).
 * The shared ErrorResponseDto's property examples would otherwise stand in
 * for every status, and they are a 401's.
 */
export function ApiErrorResponse(
  status: number,
  description: string,
  messages: readonly [string, ...string[]],
  headers?: Record<string, { description: string; schema: { type: 'integer' | 'string'; example?: unknown } }>,
): MethodDecorator & ClassDecorator {
  const body = (message: string) => ({ statusCode: status, error: reasonPhrase(status), message });
  const shown =
    messages.length === 1
      ? { example: body(messages[0]) }
      : { examples: Object.fromEntries(messages.map((m) => [exampleName(m), { summary: exampleName(m), value: body(m) }])) };
  return ApiResponse({ status, description, type: ErrorResponseDto, ...(headers ? { headers } : {}), ...shown });
}

/** A short, unique-enough name for a named example: the message's first words. */
const exampleName = (message: string): string => {
  const words = message.split(/[;:(]/)[0].trim();
  return words.length > 60 ? `${words.slice(0, 57)}…` : words;
};

/**
 * A route that takes no body still meets clients that send one: Fastify parses
 * it before the handler and refuses what it cannot (Fastify's own messages,
 * mapped in error-body.ts). Documented here once for every such route.
 */
export function ApiUnexpectedBodyResponses(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiErrorResponse(413, 'A body was sent (this operation takes none) and is over 64 KiB.', ['Request body is too large']),
    ApiErrorResponse(415, 'A body was sent (this operation takes none) with a type the server does not parse.', [
      'Unsupported Content-Type; send application/json',
    ]),
  );
}
