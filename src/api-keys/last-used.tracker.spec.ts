import type { ApiKeyUsageRepository, KeyUse } from './api-key-usage.repository';
import { LastUsedTracker } from './last-used.tracker';

const at = (iso: string) => new Date(iso);

describe('LastUsedTracker', () => {
  const make = (record: (uses: ReadonlyMap<string, KeyUse>) => Promise<void>) =>
    new LastUsedTracker({ record } as unknown as ApiKeyUsageRepository, { now: () => at('2031-01-01T00:00:00Z') }, { lastUsedFlushMs: 1000 } as never);

  it('coalesces many uses into one write: latest stamp and client, requests per UTC day', async () => {
    const writes: Array<ReadonlyMap<string, KeyUse>> = [];
    const sut = make(async (uses) => void writes.push(uses));
    sut.touch('k1', at('2031-01-01T23:59:59Z'), { ip: '10.0.0.1', userAgent: 'a' });
    sut.touch('k1', at('2031-01-02T00:00:01Z'), { ip: '10.0.0.2', userAgent: 'b' });
    sut.touch('k1', at('2031-01-01T12:00:00Z'), { ip: '10.0.0.3', userAgent: 'c' }); // late arrival: counted, not newest
    sut.touch('k2', at('2031-01-02T08:00:00Z'));
    await sut.flush();
    expect(writes).toHaveLength(1);
    expect(writes[0].get('k1')).toEqual({
      lastAt: at('2031-01-02T00:00:01Z'),
      ip: '10.0.0.2',
      userAgent: 'b',
      requestsByDay: new Map([
        ['2031-01-01', 2],
        ['2031-01-02', 1],
      ]),
    });
    expect(writes[0].get('k2')).toMatchObject({ ip: null, userAgent: null, requestsByDay: new Map([['2031-01-02', 1]]) });
    await sut.flush();
    expect(writes).toHaveLength(1); // nothing new, nothing written
  });

  it('keeps a failed batch and merges it into the next one', async () => {
    let fail = true;
    const writes: Array<ReadonlyMap<string, KeyUse>> = [];
    const sut = make(async (uses) => {
      if (fail) throw new Error('database down');
      writes.push(uses);
    });
    sut.touch('k1', at('2031-01-01T10:00:00Z'), { ip: 'old' });
    await sut.flush();
    fail = false;
    sut.touch('k1', at('2031-01-01T09:00:00Z'), { ip: 'older' });
    await sut.flush();
    expect(writes[0].get('k1')).toMatchObject({ lastAt: at('2031-01-01T10:00:00Z'), ip: 'old', requestsByDay: new Map([['2031-01-01', 2]]) });
  });

  it('uses the clock when no time is given, and truncates long client strings', async () => {
    const writes: Array<ReadonlyMap<string, KeyUse>> = [];
    const sut = make(async (uses) => void writes.push(uses));
    sut.touch('k1', undefined, { userAgent: 'x'.repeat(2000) });
    await sut.flush();
    expect(writes[0].get('k1')?.lastAt).toEqual(at('2031-01-01T00:00:00Z'));
    expect(writes[0].get('k1')?.userAgent).toHaveLength(512);
  });
});
