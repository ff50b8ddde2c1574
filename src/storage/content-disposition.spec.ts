import { parse } from 'content-disposition';
import { attachmentDisposition } from './content-disposition';

describe('attachmentDisposition', () => {
  it.each([
    ['plain.txt'],
    ['résumé.pdf'],
    ['日本語.txt'],
    ['📄 report.bin'],
    ['say "hi" \\ bye.txt'],
    ['100% done; a,b=c.txt'],
    ["it's (1)*.txt"],
    ['cafe\u0301.txt'],
  ])('round-trips %j through filename*', (name) => {
    const header = attachmentDisposition(name);
    expect(header).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
    expect(parse(header)).toEqual({ type: 'attachment', parameters: { filename: name } });
  });

  it('keeps an ASCII fallback free of quotes, backslashes and non-ASCII', () => {
    expect(attachmentDisposition('a"b\\c%d€.txt')).toMatch(/^attachment; filename="a_b_c_d_.txt"; /);
  });
});
