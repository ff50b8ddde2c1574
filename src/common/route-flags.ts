import type { RouteOptions } from 'fastify';

/** Where @nestjs/platform-fastify reads a handler's Fastify route `config` from (its RouteConfig decorator's key). */
const FASTIFY_ROUTE_CONFIG = '__fastify_route_config__';

/**
 * Marks a route with a named need (a raw body, JSON errors on a page path…)
 * that an `onRoute` hook reads from the route's config. Unlike Nest's
 * @RouteConfig, flags add up: several may sit on one handler.
 */
export function RouteFlag(name: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const current = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG, handler) ?? {}) as Record<string, unknown>;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG, { ...current, [name]: true }, handler);
    return descriptor;
  };
}

export function hasRouteFlag(route: Pick<RouteOptions, 'config'>, name: string): boolean {
  return (route.config as Record<string, unknown> | undefined)?.[name] === true;
}
