import { decodeCursor, encodeCursor } from './file-cursor';

describe('file cursor', () => {
  const cursor = { createdAt: '2026-11-28T08:39:21.123456Z', id: '0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b' };

  it.each(['0001-01-01T00:00:00.000000Z', '9999-12-31T23:59:59.999999Z'])('accepts the edge %s of the cursor range', (createdAt) => {
    expect(decodeCursor(encodeCursor({ ...cursor, createdAt }))).toEqual({ ...cursor, createdAt });
  });

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
    ['year zero (out of PostgreSQL\'s range)', Buffer.from('0000-06-15T08:39:21.123456Z|0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b').toString('base64url')],
    ['hour 24', Buffer.from('2026-11-28T24:00:00.000000Z|0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b').toString('base64url')],
    ['a leap second', Buffer.from('2026-12-31T23:59:60.000000Z|0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b').toString('base64url')],
  ])('refuses %s with a 400', (_label, value) => {
    expect(() => decodeCursor(value)).toThrow(expect.objectContaining({ code: 'MalformedCursor', status: 400 }));
  });
});
