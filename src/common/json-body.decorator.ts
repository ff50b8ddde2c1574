import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import { ApiConsumes, ApiUnsupportedMediaTypeResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorResponseDto } from './error-response.dto';

/** Refuses anything but application/json (form posts would otherwise be parsed too). */
@Injectable()
export class JsonContentTypeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const contentType = context.switchToHttp().getRequest<FastifyRequest>().headers['content-type'] ?? '';
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/json') {
      throw new UnsupportedMediaTypeException(JSON_CONTENT_TYPE_REQUIRED);
    }
    return true;
  }
}

const JSON_CONTENT_TYPE_REQUIRED = 'Content-Type must be application/json';

export function JsonBody(): ReturnType<typeof applyDecorators> {
  return applyDecorators(
    UseGuards(JsonContentTypeGuard),
    ApiConsumes('application/json'),
    ApiUnsupportedMediaTypeResponse({
      type: ErrorResponseDto,
      description: 'The body is not application/json.',
      example: { statusCode: 415, error: 'Unsupported Media Type', message: JSON_CONTENT_TYPE_REQUIRED },
    }),
  );
}
