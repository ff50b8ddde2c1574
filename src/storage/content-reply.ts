import type { FastifyReply } from 'fastify';
import { RangeNotSatisfiableException, type ContentResponse } from './file-content.service';

/**
 * Writes a content answer to the reply and streams its bytes (Fastify pipes
 * the stream with back-pressure and destroys it if the client goes away).
 * A 416 carries `Content-Range: bytes *\/size` beside the usual error body.
 */
export async function sendContent(reply: FastifyReply, answer: Promise<ContentResponse>): Promise<void> {
  let content: ContentResponse;
  try {
    content = await answer;
  } catch (error) {
    if (error instanceof RangeNotSatisfiableException) void reply.header('content-range', `bytes */${error.size}`);
    throw error;
  }
  void reply.status(content.status).headers(content.headers);
  void reply.send(content.body ?? undefined);
}
