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
});
