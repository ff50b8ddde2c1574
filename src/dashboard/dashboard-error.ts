import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { prepareErrorReply } from '../common/all-exceptions.filter';
import { hasRouteFlag, RouteFlag } from '../common/route-flags';
import { LoginRequiredException } from './dashboard-auth.guard';
import './session.types';

const logger = new Logger('DashboardError');

/**
 * A dashboard error is a page (the `error` view), with the status and the
 * three fields the API would answer. Rendered here, so the global filter
 * knows nothing of views.
 */
export function renderErrorPage(reply: FastifyReply, request: FastifyRequest, exception: unknown): void {
  const body = prepareErrorReply(reply, request, exception, logger);
  if (body) void reply.view('error', { title: body.error, error: body });
}

/**
 * On every dashboard controller: a page that needs a signed-in manager sends
 * the browser to the login page; any other error renders the error page.
 */
@Catch()
export class DashboardExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof LoginRequiredException) {
      void reply.status(303).redirect('/dashboard/login');
      return;
    }
    renderErrorPage(reply, http.getRequest<FastifyRequest>(), exception);
  }
}

const JSON_ERRORS_FLAG = 'edsJsonErrors';

/**
 * A dashboard route a script talks to rather than a page (the browser's tus
 * uploads): its errors, those of the CSRF hook included, are the API's JSON
 * body with the real status, never the HTML error page or a login redirect.
 */
export const JsonErrors = (): MethodDecorator => RouteFlag(JSON_ERRORS_FLAG);

export const wantsJsonErrors = (route: Pick<RouteOptions, 'config'>): boolean => hasRouteFlag(route, JSON_ERRORS_FLAG);

/**
 * Errors raised before a dashboard controller runs (the CSRF hook, the form
 * parser) and unknown /dashboard paths get the error page too.
 */
export function registerDashboardErrorPages(fastify: FastifyInstance, isDashboardPath: (url: string) => boolean): void {
  fastify.addHook('onRoute', (route) => {
    if (isDashboardPath(route.url) && !wantsJsonErrors(route)) route.errorHandler = (error, request, reply) => renderErrorPage(reply, request, error);
  });
  void fastify.register(
    (scope, _options, done) => {
      scope.setNotFoundHandler((request, reply) =>
        renderErrorPage(reply, request, { statusCode: 404, message: `Cannot ${request.method} ${request.url.split('?')[0]}` }),
      );
      done();
    },
    { prefix: '/dashboard' },
  );
}
