import { formatBytes } from './view-helpers';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024 + 512, '10.5 KiB'],
    [5 * 1024 ** 2, '5 MiB'],
    [200 * 1024, '200 KiB'],
    [100 * 1024 ** 3, '100 GiB'],
    [1000 * 1024, '1000 KiB'],
    [123.4 * 1024 ** 2, '123 MiB'],
    [5 * 1024 ** 3, '5 GiB'],
    [2.25 * 1024 ** 4, '2.25 TiB'],
  ])('%d bytes → %s', (bytes, shown) => {
    expect(formatBytes(bytes)).toBe(shown);
  });
});
