import type { FastifyInstance, onRequestHookHandler, onSendHookHandler } from 'fastify';

/** The request hooks a plugin asked for, kept to be attached route by route. */
export interface RouteHooks {
  onRequest: onRequestHookHandler[];
  onSend: onSendHookHandler[];
}

type Plugin<O> = (instance: FastifyInstance, options: O, done: (error?: Error) => void) => unknown;

/**
 * Loads a Fastify plugin into the app instance itself (its decorators land as
 * usual) but keeps the onRequest and onSend hooks it adds, instead of running
 * them on every request, so that the caller attaches them to the routes that
 * need them (`route.onRequest`, `route.onSend` in an onRoute hook).
 *
 * Why: @fastify/cookie and @fastify/session serve only the dashboard, yet
 * their four global hooks cost about 7 µs of every API request (measured
 * on GET /api/v1/me, 40 → 47 µs of server CPU). Fastify has no way to take a
 * plugin's global hook back, and encapsulating the plugins would hide their
 * decorators from the routes Nest registers on the root. The plugin is called
 * directly, not through `register`, so its declared dependencies are the
 * caller's to load first; a plugin adding any other kind of hook is refused.
 */
export async function loadWithRouteHooks<O>(fastify: FastifyInstance, plugin: Plugin<O>, options: O, into: RouteHooks): Promise<void> {
  const capturing = new Proxy(fastify, {
    get(target, property) {
      if (property !== 'addHook') return Reflect.get(target, property, target) as unknown;
      return (name: string, hook: never) => {
        if (name !== 'onRequest' && name !== 'onSend') throw new Error(`loadWithRouteHooks: the plugin adds a ${name} hook`);
        into[name].push(hook);
        return capturing;
      };
    },
  });
  await new Promise<void>((resolve, reject) => {
    const loaded = plugin(capturing, options, (error?: Error) => (error ? reject(error) : resolve()));
    if (loaded instanceof Promise) loaded.then(() => resolve(), reject);
  });
}
