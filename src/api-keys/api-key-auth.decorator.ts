import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { API_KEY_CHALLENGE, ApiKeyGuard, INVALID_API_KEY, MISSING_API_KEY } from './api-key.guard';

export const API_KEY_SECURITY = 'api-key';

/**
 * The runtime guard and its documentation in one place: every controller
 * under /api/v1 carries this, so the 401 contract cannot drift from the code.
 */
export function ApiKeyAuth(): ReturnType<typeof applyDecorators> {
  return applyDecorators(
    UseGuards(ApiKeyGuard),
    ApiSecurity(API_KEY_SECURITY),
    ApiUnauthorizedResponse({
      description: 'The `x-api-key` header is missing, or is not an active API key.',
      type: ErrorResponseDto,
      headers: {
        'WWW-Authenticate': {
          description: 'How to authenticate: an API key in the `x-api-key` header.',
          schema: { type: 'string', example: API_KEY_CHALLENGE },
        },
      },
      examples: {
        'Missing API key': {
          summary: 'Missing API key',
          value: { statusCode: 401, error: 'Unauthorized', message: MISSING_API_KEY },
        },
        'Invalid or inactive API key': {
          summary: 'Invalid or inactive API key',
          value: { statusCode: 401, error: 'Unauthorized', message: INVALID_API_KEY },
        },
      },
    }),
    ApiTooManyRequestsResponse({
      description:
        'Too many failed key checks from this client address; retry after the `Retry-After` header\'s seconds.',
      type: ErrorResponseDto,
      headers: { 'Retry-After': { description: 'Seconds until the client may try again.', schema: { type: 'integer' } } },
      example: { statusCode: 429, error: 'Too Many Requests', message: 'Too many failed API key attempts; try again in 42 seconds' },
    }),
  );
}
