import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorBody, toErrorBody } from './error-body';
import { RequestErrors } from './request.errors';

/**
 * One global filter, one body shape `{statusCode, error, message}`.
 * Unknown errors become a plain 500 whose cause goes to the log only.
 * (The dashboard answers its own errors with a page: see dashboard/dashboard-error.ts.)
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    sendError(reply, request, exception, this.logger);
  }
}

export function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  exception: unknown,
  logger: Logger,
): void {
  const body = prepareErrorReply(reply, request, exception, logger);
  if (body) void reply.send(body);
}

/**
 * Logs what must be logged, and, unless the reply is already sent, sets the
 * status and headers of the error answer and answers its body: the caller
 * sends it as JSON or renders it as a page.
 */
export function prepareErrorReply(
  reply: FastifyReply,
  request: FastifyRequest,
  exception: unknown,
  logger: Logger,
): ErrorBody | null {
  // Nest's not-found handler says "Cannot GET <the URL>": never echo the request back.
  if ((request as { is404?: boolean }).is404) exception = RequestErrors.routeNotFound();
  const { body, serverFault, databaseDown, headers, ...result } = toErrorBody(exception);
  if (databaseDown) {
    logger.warn(`${request.method} ${request.routeOptions?.url ?? request.url.split('?')[0]}: database unavailable (${(exception as Error)?.message})`);
  }
  if (serverFault) {
    logger.error(
      `${request.method} ${request.routeOptions?.url ?? request.url.split('?')[0]} failed`,
      exception instanceof Error ? exception.stack : String(exception),
    );
  }
  if (reply.sent) return null;
  const retryAfter = (exception as { retryAfterSeconds?: number })?.retryAfterSeconds ?? result.retryAfterSeconds;
  if (typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
  if (headers) void reply.headers(headers);
  void reply.status(body.statusCode).header('Cache-Control', 'no-store');
  return body;
}
