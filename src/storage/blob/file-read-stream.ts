import type { FileHandle } from 'node:fs/promises';
import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** Bytes read at a time, and how many such buffers one answer keeps in flight. */
const CHUNK = 256 * 1024;
const BUFFERS = 4;

/**
 * A byte range of an open file as a Readable.
 *
 * Piped into an HTTP answer (Fastify pipes a stream payload into the raw
 * response), it sends the bytes from a few buffers of its own and reads into
 * each again once the socket has written it: the write's callback is that
 * signal, which `pipe` never gives. A fresh buffer per read, as
 * `createReadStream` allocates, is memory outside the JS heap that only a
 * garbage collection frees, and its pressure starts full collections of the
 * whole heap: measured here, that doubled the CPU a download costs, and the
 * dead buffers waiting for it were most of the memory a transfer added.
 *
 * Any other consumer may keep the chunks it is given, so it gets fresh ones,
 * as from `createReadStream`.
 */
export class FileReadStream extends Readable {
  private position: number;
  private sending = false;

  /** `end` is exclusive; the handle is closed when the stream ends or is destroyed. */
  constructor(
    private readonly handle: FileHandle,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: CHUNK });
    this.position = start;
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    if (!(destination instanceof ServerResponse) || options?.end === false || this.sending) return super.pipe(destination, options);
    this.sending = true;
    // Flowing with nothing pushed until the end: 'end' and 'close' come as from any stream.
    this.resume();
    this.sendTo(destination);
    return destination;
  }

  override _read(): void {
    if (this.sending) return;
    const length = Math.min(CHUNK, this.end - this.position);
    if (length <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafeSlow(length);
    this.readInto(buffer, length).then(
      (bytesRead) => bytesRead > 0 && this.push(buffer.subarray(0, bytesRead)),
      (error: Error) => this.destroy(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A read in flight finishes first: the handle closes after it.
    this.handle.close().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private sendTo(response: ServerResponse): void {
    const free: Buffer[] = [];
    const size = Math.min(CHUNK, Math.max(1, this.end - this.position));
    let allocated = 0;
    let reading = false;
    const pump = (): void => {
      if (reading || this.destroyed) return;
      const length = Math.min(size, this.end - this.position);
      if (length <= 0) {
        response.end();
        this.push(null);
        return;
      }
      let buffer = free.pop();
      if (!buffer) {
        if (allocated === BUFFERS) return;
        buffer = Buffer.allocUnsafeSlow(size);
        allocated++;
      }
      const own = buffer;
      reading = true;
      this.readInto(own, length).then((bytesRead) => {
        reading = false;
        if (this.destroyed || bytesRead === 0) return;
        // The callback also runs, with an error, when the socket goes away; the
        // response's own end-of-stream then destroys this stream.
        response.write(own.subarray(0, bytesRead), (error) => {
          if (error) return;
          free.push(own);
          pump();
        });
        pump();
      }, (error: Error) => this.destroy(error));
    };
    pump();
  }

  /** Reads at the position and moves it; a file shorter than its range is an error. */
  private async readInto(buffer: Buffer, length: number): Promise<number> {
    const { bytesRead } = await this.handle.read(buffer, 0, length, this.position);
    if (bytesRead === 0) {
      this.destroy(new Error(`The file ended ${this.end - this.position} bytes early`));
      return 0;
    }
    this.position += bytesRead;
    return bytesRead;
  }
}
