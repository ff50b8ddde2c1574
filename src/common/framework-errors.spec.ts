import { jsonDepthExceeds } from './framework-errors';

describe('jsonDepthExceeds', () => {
  const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

  it.each([
    ['a flat object', '{"a":1,"b":[1,2]}', 2, false],
    ['exactly the limit', '[[[1]]]', 3, false],
    ['one past the limit', '[[[[1]]]]', 3, true],
    ['brackets inside strings', '{"a":"[[[[[[{{{{"}', 1, false],
    ['escaped quotes inside strings', '{"a":"\\"[[[[["}', 1, false],
    ['deep mixed nesting', '{"a":'.repeat(40) + '1' + '}'.repeat(40), 32, true],
    ['siblings do not add up', '[[1],[2],[3],[4]]', 2, false],
    ['multi-byte characters', '{"ü[":"💩{"}', 1, false],
  ])('%s', (_label, text, limit, expected) => {
    expect(jsonDepthExceeds(bytes(text), limit)).toBe(expected);
  });
});
