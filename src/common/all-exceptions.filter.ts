import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/view';
import { toErrorBody } from './error-body';
import { RequestErrors } from './request.errors';

/**
 * One global filter, one body shape `{statusCode, error, message}`.
 * Unknown errors become a plain 500 whose cause goes to the log only.
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
  if (reply.sent) return;
  const retryAfter = (exception as { retryAfterSeconds?: number })?.retryAfterSeconds ?? result.retryAfterSeconds;
  if (typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
  if (headers) void reply.headers(headers);
  if (isDashboardPage(request)) {
    void reply
      .status(body.statusCode)
      .header('Cache-Control', 'no-store')
      .view('error', { title: body.error, error: body });
    return;
  }
  void reply.status(body.statusCode).header('Cache-Control', 'no-store').send(body);
}

function isDashboardPage(request: FastifyRequest): boolean {
  return request.url.startsWith('/dashboard') && typeof (request as { session?: unknown }).session === 'object';
}
