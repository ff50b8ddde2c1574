import { etagMatches, parseRange } from './http-range';

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-1000', 100, { start: 0, end: 99 }],
    ['bytes=50-5000', 100, { start: 50, end: 99 }],
    ['bytes=99-99', 100, { start: 99, end: 99 }],
    ['BYTES= 3 - 4 ', 100, { start: 3, end: 4 }],
  ])('%s of %i bytes is %j', (header, size, range) => {
    expect(parseRange(header, size)).toEqual({ kind: 'partial', range });
  });

  it.each([
    ['bytes=100-', 100],
    ['bytes=100-200', 100],
    ['bytes=-0', 100],
    ['bytes=0-', 0],
    ['bytes=-5', 0],
  ])('%s of %i bytes is unsatisfiable', (header, size) => {
    expect(parseRange(header, size)).toEqual({ kind: 'unsatisfiable' });
  });

  it.each([
    [undefined],
    ['bytes=5-1'],
    ['bytes=0-1,5-9'],
    ['items=0-1'],
    ['bytes=-'],
    ['bytes=a-b'],
    ['bytes=99999999999999999999-'],
  ])('%j is ignored (the whole file)', (header) => {
    expect(parseRange(header, 100)).toEqual({ kind: 'full' });
  });
});

describe('etagMatches', () => {
  const etag = '"abc"';
  it.each([['"abc"'], ['W/"abc"'], ['"x", "abc"'], ['*']])('%s matches', (header) => {
    expect(etagMatches(header, etag)).toBe(true);
  });
  it.each([[undefined], [''], ['"abd"'], ['abc']])('%j does not match', (header) => {
    expect(etagMatches(header, etag)).toBe(false);
  });
});
