import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type {
  FastifyInstance,
  FastifyRequest,
  onRequestHookHandler,
  onSendHookHandler,
  RouteOptions,
} from 'fastify';
import { Readable } from 'node:stream';
import { markChunksOwned } from './owned-chunks';
import { hasRouteFlag, RouteFlag } from './route-flags';

/** The route-config flag @RawBody() sets and the onRoute hook below reads. */
const RAW_BODY_FLAG = 'edsRawBody';
/** Private media type a raw route's Content-Type is swapped for, so only the pass-through parser takes it. */
const RAW_MEDIA_TYPE = 'application/x-eds-raw-body';

type RawRequest = FastifyRequest & { declaredContentType?: string | null };

/**
 * Marks a route whose body is raw bytes of any type (or none), handed to the
 * handler as the request stream: never parsed, never buffered, never held to
 * the 64 KiB JSON limit. Read it with @RawBodyStream().
 */
export const RawBody = (): MethodDecorator => RouteFlag(RAW_BODY_FLAG);

/**
 * Gives every route marked @RawBody() the raw stream. Fastify picks a parser
 * by Content-Type after the onRequest hooks, so the route's own onRequest hook
 * swaps the header for a private type whose parser passes the payload through
 * (the client's type stays readable as `contentType`). When the answer goes
 * out before the body was read (401, 404, a size mismatch), the connection is
 * closed rather than kept alive: the rest of a possibly huge body is not
 * worth reading. Must run before Nest registers its routes.
 */
export function registerRawBodyRoutes(fastify: FastifyInstance): void {
  fastify.decorateRequest('declaredContentType', null);
  fastify.addContentTypeParser(RAW_MEDIA_TYPE, (_request, payload, done) => done(null, payload));
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (!hasRouteFlag(route, RAW_BODY_FLAG)) return;
    route.onRequest = [...asList(route.onRequest), takeRawBody];
    route.onSend = [...asList(route.onSend), closeIfUnread];
  });
}

const takeRawBody: onRequestHookHandler = (request, _reply, done) => {
  (request as RawRequest).declaredContentType = request.headers['content-type'] ?? null;
  request.raw.headers['content-type'] = RAW_MEDIA_TYPE;
  done();
};

const closeIfUnread: onSendHookHandler = (request, reply, payload, done) => {
  if (!request.raw.readableEnded) void reply.header('connection', 'close');
  done(null, payload);
};

const asList = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : ([] as T[]).concat(hooks));

export interface RawBodyStream {
  stream: Readable;
  /** Content-Length when the client sent one (not chunked). */
  declaredLength: number | null;
  /** The Content-Type the client sent, if any. */
  contentType: string | null;
}

/** The request's byte stream, declared length and type, on a route marked @RawBody(). */
export const RawBodyStream = createParamDecorator((_: unknown, context: ExecutionContext): RawBodyStream => {
  const request = context.switchToHttp().getRequest<RawRequest>();
  return rawBodyOf(request);
});

export function rawBodyOf(request: FastifyRequest): RawBodyStream {
  const body = request.body;
  if (!(body instanceof Readable)) {
    throw new Error('The body is not a stream: is the route marked @RawBody()?');
  }
  const length = request.headers['content-length'];
  const declaredLength =
    request.headers['transfer-encoding'] === undefined && length !== undefined && /^\d+$/.test(length)
      ? Number(length)
      : null;
  // Node's HTTP parser copies each piece of a body into a buffer of its own, given to this stream alone.
  return { stream: markChunksOwned(body), declaredLength, contentType: (request as RawRequest).declaredContentType ?? null };
}
