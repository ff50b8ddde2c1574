import { escapeLike } from './stored-file.repository';

describe('escapeLike', () => {
  it('escapes the LIKE wildcards and the escape character, nothing else', () => {
    expect(escapeLike('50%_off\\now')).toBe('50\\%\\_off\\\\now');
    expect(escapeLike('plain name.txt')).toBe('plain name.txt');
  });
});
