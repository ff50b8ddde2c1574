import { createParamDecorator, ExecutionContext, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';

/** The one route whose body is raw bytes of any type, streamed rather than parsed. */
export const UPLOAD_CONTENT_ROUTE = '/api/v1/storage/files/:id/content';
/** Private media type the upload's Content-Type is swapped for, so only our pass-through parser takes it. */
const UPLOAD_MEDIA_TYPE = 'application/x-eds-upload';

const isUpload = (request: FastifyRequest): boolean =>
  request.method === 'PUT' && request.routeOptions?.url === UPLOAD_CONTENT_ROUTE;

/**
 * Lets PUT …/files/:id/content take any Content-Type (or none) and hands the
 * handler the request stream untouched: no 64 KiB JSON limit, no buffering.
 * Fastify picks a parser by Content-Type after the onRequest hooks, so the
 * hook below swaps the header for a private type whose parser passes the
 * payload through. When the answer goes out before the body was read (401,
 * 404, a size mismatch), the connection is closed rather than kept alive:
 * the rest of a possibly huge body is not worth reading.
 */
export function registerStorageRawBody(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(UPLOAD_MEDIA_TYPE, (_request, payload, done) => done(null, payload));
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (isUpload(request)) request.raw.headers['content-type'] = UPLOAD_MEDIA_TYPE;
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (isUpload(request) && !request.raw.readableEnded) void reply.header('connection', 'close');
    done(null, payload);
  });
}

/** Registers the raw upload body on the app's Fastify instance (before it is ready; route hooks are bound then). */
@Injectable()
export class StorageRawBodyRegistrar implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    registerStorageRawBody(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}

export interface UploadBody {
  stream: Readable;
  /** Content-Length when the client sent one (not chunked). */
  declaredLength: number | null;
}

/** The upload's byte stream and declared length, for the content PUT only. */
export const RawUploadBody = createParamDecorator((_: unknown, context: ExecutionContext): UploadBody => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const body = request.body;
  if (!(body instanceof Readable)) {
    throw new Error('The upload body is not a stream: is StorageRawBodyRegistrar registered?');
  }
  const length = request.headers['content-length'];
  const declaredLength =
    request.headers['transfer-encoding'] === undefined && length !== undefined && /^\d+$/.test(length)
      ? Number(length)
      : null;
  return { stream: body, declaredLength };
});
