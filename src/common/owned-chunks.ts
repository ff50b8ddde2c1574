import type { Readable } from 'node:stream';

/**
 * Streams whose chunks nobody else holds, so that whoever consumes a chunk
 * last may free its memory at once instead of leaving it to the garbage
 * collector.
 *
 * Why it matters: a request body arrives as chunks of up to 64 KiB, each a
 * copy the HTTP parser makes into memory outside the JS heap. That memory is
 * returned only when a collection finds the chunk dead, and V8 starts one of
 * the whole heap each time some 64 MB of such memory has piled up: measured
 * here, an upload spent 40 % of its CPU on it, and the pile was most of the
 * memory a transfer added. Freed as soon as its bytes are written, a chunk
 * costs neither.
 */
const owned = new WeakSet<Readable>();

/** Says that `stream`'s chunks are its own: no one keeps them, or a view of their memory. */
export function markChunksOwned<T extends Readable>(stream: T): T {
  owned.add(stream);
  return stream;
}

export function chunksOwned(stream: Readable): boolean {
  return owned.has(stream);
}

/**
 * Frees a chunk's memory now. The chunk, and every view of the same memory,
 * reads as empty afterwards: call it only on a chunk of an owned stream, after
 * its last use. A chunk that is a view into a larger buffer is left alone.
 */
export function releaseChunk(chunk: Buffer): void {
  const memory = chunk.buffer;
  if (!(memory instanceof ArrayBuffer) || memory.detached) return;
  if (chunk.byteOffset !== 0 || chunk.byteLength !== memory.byteLength) return;
  // Transferring to a zero-length buffer detaches this one and drops its memory.
  memory.transfer(0);
}
