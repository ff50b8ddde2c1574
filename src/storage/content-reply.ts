import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { ContentResponse } from './file-content.service';

/**
 * Writes a content answer to the reply and streams its bytes (Fastify pipes
 * the stream with back-pressure and destroys it if the client goes away).
 */
export async function sendContent(reply: FastifyReply, answer: Promise<ContentResponse>): Promise<void> {
  // Errors (a 416 with its `Content-Range: bytes *\/size` too) are the filter's to write.
  const content = await answer;
  void reply.status(content.status).headers(content.headers);
  if (reply.request.method === 'HEAD' && content.body) {
    // Fastify answers HEAD through the GET handler and reads a stream payload to its end, which
    // would read the whole file for nothing. The GET's headers go out with no bytes behind them.
    content.body.destroy();
    void reply.send(Readable.from([]));
    return;
  }
  void reply.send(content.body ?? undefined);
}
