import { decodeCursor, encodeCursor } from './file-cursor';

describe('file cursor', () => {
  const cursor = { createdAt: '2026-11-28T08:39:21.123456Z', id: '0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b' };

  it('round-trips microsecond timestamps and ids', () => {
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['random text', Buffer.from('hello').toString('base64url')],
    ['a millisecond time', Buffer.from('2026-11-28T08:39:21.123Z|0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b').toString('base64url')],
    ['an impossible date', Buffer.from('2026-13-45T08:39:21.123456Z|0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b').toString('base64url')],
    ['a bad id', Buffer.from('2026-11-28T08:39:21.123456Z|not-a-uuid').toString('base64url')],
    ['SQL', Buffer.from("2026-11-28T08:39:21.123456Z|' OR 1=1 --").toString('base64url')],
    ['too long', 'A'.repeat(500)],
  ])('refuses %s with a 400', (_label, value) => {
    expect(() => decodeCursor(value)).toThrow(expect.objectContaining({ code: 'MalformedCursor', status: 400 }));
  });
});
