import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ADDRESS_NOT_ALLOWED, API_KEY_CHALLENGE, INVALID_API_KEY, MISSING_API_KEY } from './api-key.guard';
import { API_KEY_AUTH } from './api-key-route.guard';
import { API_KEY_HEADER } from './api-key.strategy';

export const API_KEY_SECURITY = 'api-key';

/** The OpenAPI security scheme @ApiKeyAuth() refers to; the document builder is handed it (common/ knows no feature). */
export const API_KEY_SECURITY_SCHEME = {
  name: API_KEY_SECURITY,
  scheme: { type: 'apiKey', in: 'header', name: API_KEY_HEADER, description: 'Your API key, `exstr_live_…`' },
} as const;

/**
 * The runtime check and its documentation in one place: every controller
 * under /api/v1 carries this, so the 401 contract cannot drift from the code.
 * It only marks the route; ApiKeysModule's global ApiKeyRouteGuard reads the mark.
 */
export function ApiKeyAuth(): ReturnType<typeof applyDecorators> {
  return applyDecorators(
    SetMetadata(API_KEY_AUTH, true),
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
    // Routes that need a scope document their 403 with the scope's example (a method-level
    // response replaces this one), and say there that it also covers the address refusal.
    ApiForbiddenResponse({
      description: 'The API key is valid but not allowed from this client address (its allowed networks).',
      type: ErrorResponseDto,
      example: { statusCode: 403, error: 'Forbidden', message: ADDRESS_NOT_ALLOWED },
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
