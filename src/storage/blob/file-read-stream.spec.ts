import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { FileReadStream } from './file-read-stream';

describe('FileReadStream', () => {
  // Over four 256 KiB buffers and not a multiple of one: every buffer is reused, the last read is short.
  const content = randomBytes(3 * 1024 * 1024 + 4321);
  let dir: string;
  let path: string;
  let server: Server;
  let url: string;
  let serve: (response: ServerResponse) => Promise<void>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eds-read-stream-'));
    path = join(dir, 'blob');
    await writeFile(path, content);
    server = createServer((_request, response) => void serve(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  /** Serves `stream` as Fastify does (pipe into the raw response) and answers what the client received. */
  async function download(stream: FileReadStream): Promise<{ body: Buffer; complete: boolean }> {
    serve = async (response) => {
      response.setHeader('content-type', 'application/octet-stream');
      stream.pipe(response);
    };
    const response = await new Promise<IncomingMessage>((resolve, reject) => get(url, resolve).on('error', reject));
    const chunks: Buffer[] = [];
    let complete = true;
    try {
      // A slow reader, so the server's writes wait on the socket and buffers come back late.
      for await (const chunk of response) {
        chunks.push(chunk as Buffer);
        if (chunks.length % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } catch {
      complete = false;
    }
    return { body: Buffer.concat(chunks), complete };
  }

  it('sends the whole file into an HTTP answer, byte for byte', async () => {
    const handle = await open(path, 'r');
    const stream = new FileReadStream(handle, 0, content.length);
    const allocations = jest.spyOn(Buffer, 'allocUnsafeSlow');
    let reads: number;
    try {
      const { body, complete } = await download(stream);
      reads = allocations.mock.calls.filter(([size]) => size === 256 * 1024).length;
      expect(complete).toBe(true);
      expect(body.equals(content)).toBe(true);
    } finally {
      allocations.mockRestore();
    }
    // The point of it: 13 reads into at most four buffers, not a fresh buffer for each.
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(4);
    await finished(stream);
    expect(handle.fd).toBe(-1);
  });

  it('sends a range from its start up to its (exclusive) end', async () => {
    const stream = new FileReadStream(await open(path, 'r'), 300_001, 2_900_123);
    const { body } = await download(stream);
    expect(body.equals(content.subarray(300_001, 2_900_123))).toBe(true);
  });

  it('ends an empty range at once', async () => {
    const handle = await open(path, 'r');
    const { body, complete } = await download(new FileReadStream(handle, 10, 10));
    expect(complete).toBe(true);
    expect(body.length).toBe(0);
  });

  it('gives any other consumer fresh chunks it may keep', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of new FileReadStream(await open(path, 'r'), 0, content.length)) chunks.push(chunk as Buffer);
    expect(chunks.length).toBeGreaterThan(4);
    expect(new Set(chunks.map((chunk) => chunk.buffer)).size).toBe(chunks.length);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  it('fails, cutting the answer short, when the file is shorter than its range', async () => {
    const stream = new FileReadStream(await open(path, 'r'), 0, content.length + 1000);
    const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
    serve = async (response) => {
      // As Fastify does when its stream payload fails after the headers went out.
      stream.once('error', () => response.destroy());
      stream.pipe(response);
    };
    const response = await new Promise<IncomingMessage>((resolve, reject) => get(url, resolve).on('error', reject));
    let received = 0;
    const ended = await new Promise<string>((resolve) => {
      response.on('data', (chunk: Buffer) => (received += chunk.length));
      response.on('end', () => resolve('end'));
      response.on('error', () => resolve('error'));
    });
    expect((await failed).message).toMatch(/ended 1000 bytes early/);
    expect(ended).toBe('error');
    expect(received).toBeLessThanOrEqual(content.length);
  });

  it('stops reading and closes the file when the client goes away', async () => {
    let handle!: FileHandle;
    let stream!: FileReadStream;
    const piped = new Promise<void>((resolve) => {
      serve = async (response) => {
        handle = await open(path, 'r');
        stream = new FileReadStream(handle, 0, content.length);
        // As Fastify does: a response that closes early destroys its payload.
        response.once('close', () => stream.destroy());
        stream.pipe(response);
        resolve();
      };
    });
    const request = get(url, (response) => {
      response.once('data', () => request.destroy());
    });
    request.on('error', () => undefined);
    await piped;
    await new Promise((resolve) => stream.once('close', resolve));
    expect(stream.destroyed).toBe(true);
    expect(handle.fd).toBe(-1);
  });
});
