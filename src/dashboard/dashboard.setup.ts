import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigType } from '@nestjs/config';
import Handlebars from 'handlebars';
import { join } from 'node:path';
import { appConfig, authConfig } from '../config';
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

  // Form bodies: Nest's Fastify adapter already registers the urlencoded parser.
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
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
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });

  const fastify = app.getHttpAdapter().getInstance();
  // Every state-changing dashboard request must carry the session's CSRF token
  // (the `_csrf` form field); anything else is refused with 403.
  fastify.addHook('preHandler', (request, reply, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.url.startsWith('/dashboard')) {
      fastify.csrfProtection(request, reply, done);
      return;
    }
    done();
  });
  // Dashboard pages are per-user: never stored by a browser or proxy cache.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/dashboard')) void reply.header('Cache-Control', 'no-store');
    done(null, payload);
  });

  registerViewHelpers(Handlebars);
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
