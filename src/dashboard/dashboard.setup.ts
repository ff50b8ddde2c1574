import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HTTPMethods, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import { ConfigType } from '@nestjs/config';
import Handlebars from 'handlebars';
import { join } from 'node:path';
import { Clock } from '../common/clock';
import { loadWithRouteHooks, type RouteHooks } from '../common/route-scoped-plugin';
import { appConfig, authConfig } from '../config';
import { LoginRequiredException } from './dashboard-auth.guard';
import { registerDashboardErrorPages, wantsJsonErrors } from './dashboard-error';
import { checksCsrfInHandler, csrfTokenOf } from './form-csrf';
import { registerViewHelpers } from './view-helpers';
import { PgSessionStore } from './pg-session.store';
import { resolveSessionSecret } from './session-secret';
import './session.types';

export const SESSION_COOKIE = 'eds_session';
const ROOT = join(__dirname, '..', '..', '..');
const rootDir = (name: string): string =>
  // Running from src/ (ts) or dist/src/ (js): views/ and public/ sit at the project root.
  __dirname.includes(`${join('dist', 'src')}`) ? join(ROOT, name) : join(__dirname, '..', '..', name);

/**
 * The dashboard is server-rendered on Fastify's own plugins: sessions in Postgres, CSRF tokens tied to the session, Handlebars views
 * and static assets (the CSP forbids inline script, so scripts are files).
 */
export async function registerDashboard(app: NestFastifyApplication): Promise<void> {
  const appCfg = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  const authCfg = app.get<ConfigType<typeof authConfig>>(authConfig.KEY);

  const fastify = app.getHttpAdapter().getInstance();
  // Form bodies: Nest's Fastify adapter already registers the urlencoded parser.
  // Cookies and sessions are the dashboard's alone: their hooks ride on its
  // routes (attached below), and API requests never run them.
  const sessionHooks: RouteHooks = { onRequest: [], onSend: [] };
  await loadWithRouteHooks(fastify, fastifyCookie, {}, sessionHooks);
  await loadWithRouteHooks(fastify, fastifySession, {
    secret: resolveSessionSecret(authCfg.sessionSecret, appCfg.dataDir),
    cookieName: SESSION_COOKIE,
    store: app.get<PgSessionStore>(PgSessionStore),
    saveUninitialized: false,
    rolling: true,
    cookie: {
      path: '/dashboard',
      httpOnly: true,
      sameSite: 'lax',
      secure: 'auto',
      maxAge: authCfg.sessionIdleSeconds * 1000,
    },
  }, sessionHooks);
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session', getToken: csrfTokenOf });

  // The dashboard's own rules ride on the dashboard's routes (Fastify route
  // hooks, attached as Nest registers each route) instead of a URL check on
  // every request: API requests skip them entirely. Measured with the view
  // locals below: about a tenth of GET /api/v1/me's request rate.
  fastify.addHook('onRoute', (route) => {
    if (!isDashboardPath(route.url)) return;
    // The cookie and session hooks first, as they ran when they were global.
    route.onRequest = [...sessionHooks.onRequest, ...asList(route.onRequest)];
    // Dashboard pages are per-user: never stored by a browser or proxy cache.
    route.onSend = [...sessionHooks.onSend, ...asList(route.onSend), noStore];
    // Every state-changing dashboard request must carry the session's CSRF
    // token (the `_csrf` form field); anything else is refused with 403.
    if (changesState(route.method) && !checksCsrfInHandler(route)) {
      route.preHandler = [
        ...asList(route.preHandler),
        // A script-facing route tells "not signed in" (401) from "no CSRF token" (403), in that order.
        ...(wantsJsonErrors(route) ? [sessionRequired] : []),
        (request, reply, done) => fastify.csrfProtection(request, reply, done),
      ];
    }
  });
  registerDashboardErrorPages(fastify, isDashboardPath);
  // Views get all their data from the handler. Declaring `reply.locals`
  // ourselves keeps @fastify/view from adding an onRequest hook that gives
  // every request (API ones too) an empty locals object.
  fastify.decorateReply('locals', null);

  registerViewHelpers(Handlebars, app.get(Clock));
  app.setViewEngine({
    engine: { handlebars: Handlebars },
    templates: rootDir('views'),
    layout: 'layouts/main.hbs',
    viewExt: 'hbs',
    options: { partials: {} },
  });
  await app.register(fastifyStatic, {
    root: rootDir('public'),
    prefix: '/public/',
    decorateReply: false,
    maxAge: 3600_000,
  });
}

const isDashboardPath = (url: string): boolean => url === '/dashboard' || url.startsWith('/dashboard/');

const changesState = (method: HTTPMethods | HTTPMethods[]): boolean =>
  ([] as string[]).concat(method).some((m) => m !== 'GET' && m !== 'HEAD');

const asList = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : ([] as T[]).concat(hooks));

/** Only that a session names a manager; DashboardAuthGuard still checks the manager can act. */
const sessionRequired: preHandlerHookHandler = (request, _reply, done) =>
  done(request.session?.managerId ? undefined : new LoginRequiredException());

const noStore: onSendHookHandler = (_request, reply, payload, done) => {
  void reply.header('Cache-Control', 'no-store');
  done(null, payload);
};
