import { createHash } from 'node:crypto';
import { HeldHashes } from './tus-append';

describe('HeldHashes', () => {
  const hashOf = (text: string) => createHash('sha256').update(text);

  it('gives an upload its hash back only at the offset it was kept at, once', () => {
    const held = new HeldHashes();
    const hash = hashOf('abc');
    held.keep('u1', 3, hash);
    expect(held.take('u1', 4)).toBeNull();
    // A miss lets go of it: the bytes moved on elsewhere.
    expect(held.take('u1', 3)).toBeNull();
    held.keep('u1', 3, hash);
    expect(held.take('u1', 3)).toBe(hash);
    expect(held.take('u1', 3)).toBeNull();
  });

  it('holds at most its capacity, letting the oldest go first', () => {
    const held = new HeldHashes(2);
    held.keep('a', 1, hashOf('a'));
    held.keep('b', 1, hashOf('b'));
    held.keep('a', 2, hashOf('aa')); // kept again: now the newest
    held.keep('c', 1, hashOf('c'));
    expect(held.take('b', 1)).toBeNull();
    expect(held.take('a', 2)).not.toBeNull();
    expect(held.take('c', 1)).not.toBeNull();
  });

  it('forgets an upload on drop and everything on clear', () => {
    const held = new HeldHashes();
    held.keep('a', 1, hashOf('a'));
    held.keep('b', 1, hashOf('b'));
    held.drop('a');
    expect(held.take('a', 1)).toBeNull();
    held.clear();
    expect(held.take('b', 1)).toBeNull();
  });
});
