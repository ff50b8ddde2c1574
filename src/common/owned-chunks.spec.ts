import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { chunksOwned, markChunksOwned, releaseChunk } from './owned-chunks';

describe('owned chunks', () => {
  it('marks a stream, and only that stream', () => {
    const marked = markChunksOwned(Readable.from([]));
    expect(chunksOwned(marked)).toBe(true);
    expect(chunksOwned(Readable.from([]))).toBe(false);
  });

  it('frees a chunk that is a whole buffer of its own: it reads as empty afterwards', () => {
    const chunk = Buffer.from(new Uint8Array(64 * 1024).fill(7).buffer);
    releaseChunk(chunk);
    expect(chunk.length).toBe(0);
    expect(chunk.buffer.byteLength).toBe(0);
    // Twice is harmless.
    releaseChunk(chunk);
    expect(chunk.length).toBe(0);
  });

  it('leaves alone a chunk that is a view into a larger buffer (a pool slab, a slice)', () => {
    const whole = Buffer.alloc(1024, 1);
    const view = whole.subarray(0, 512);
    releaseChunk(view);
    expect(view.length).toBe(512);
    const pooled = Buffer.from('a small string, from the shared pool');
    releaseChunk(pooled);
    expect(pooled.toString()).toBe('a small string, from the shared pool');
  });

  // The premise raw-body.ts marks request bodies on: Node's HTTP parser copies
  // each piece of a body into memory of its own, even when one socket read
  // holds two pipelined requests, or a chunked body's framing.
  it("gets body chunks from Node's HTTP parser that are each a whole buffer of their own", async () => {
    const chunks: Buffer[] = [];
    const server = createServer((request, response) => {
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => response.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const body = 'x'.repeat(100_000);
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      let answered = '';
      socket.on('data', (data: Buffer) => (answered += data.toString()));
      socket.write(
        `PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
          'PUT /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n',
      );
      await new Promise((resolve) => socket.once('close', resolve));
      expect(answered.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(Buffer.concat(chunks).length).toBe(100_008);
    for (const chunk of chunks) {
      expect(chunk.byteOffset).toBe(0);
      expect(chunk.byteLength).toBe(chunk.buffer.byteLength);
    }
  });
});
