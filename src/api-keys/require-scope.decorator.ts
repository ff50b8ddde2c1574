import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse, DECORATORS } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ApiKeyScopeGuard, lacksScopeMessage, REQUIRED_SCOPE } from './api-key-scope.guard';
import type { ApiKeyScope } from './api-key-scopes';

/**
 * The scope a route needs, its runtime check and its documentation in one
 * place (like @ApiKeyAuth for the 401s): the guard reads the same metadata
 * the 403 response and the `x-required-scope` extension are written from.
 * Put it above the route's @ApiOperation (decorators apply bottom-up) so the
 * note joins that operation's description; test/openapi.e2e-spec.ts checks it did.
 */
export function RequireScope(scope: ApiKeyScope): MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    UseGuards(ApiKeyScopeGuard),
    ApiExtension('x-required-scope', scope),
    ApiForbiddenResponse({
      description: `The API key does not have the \`${scope}\` scope, or is not allowed from this client address (its allowed networks).`,
      type: ErrorResponseDto,
      example: { statusCode: 403, error: 'Forbidden', message: lacksScopeMessage(scope) },
    }),
    noteInDescription(scope),
  );
}

/** Appends "Requires the API key scope …" to the description an @ApiOperation below it set. */
function noteInDescription(scope: ApiKeyScope): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const operation = (Reflect.getMetadata(DECORATORS.API_OPERATION, handler) ?? {}) as { description?: string };
    const note = `Requires the API key scope \`${scope}\`.`;
    const description = operation.description ? `${operation.description}\n\n${note}` : note;
    Reflect.defineMetadata(DECORATORS.API_OPERATION, { ...operation, description }, handler);
    return descriptor;
  };
}
