import { DomainError } from './domain-error';

/** Deeper JSON than any EDS body has; refused before anything recursive walks it. */
export const MAX_JSON_DEPTH = 32;

/**
 * How EDS refuses a request before any route runs: the URL, the router, the
 * body parser. Fastify's own answers for these carry a fourth field (`code`)
 * and echo the URL; these say what to fix and repeat nothing of the request.
 */
export const RequestErrors = {
  badUrl: () => new DomainError('BadUrl', 400, 'The URL is not valid: it has malformed percent-encoding'),
  pathSegmentTooLong: () => new DomainError('PathSegmentTooLong', 414, 'A path segment of the URL is too long'),
  routeNotFound: () => new DomainError('RouteNotFound', 404, 'No route matches this method and path'),
  jsonTooDeep: () =>
    new DomainError('JsonTooDeep', 400, `Request body is nested too deeply (more than ${MAX_JSON_DEPTH} levels)`),
} as const;
