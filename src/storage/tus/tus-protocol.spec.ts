import { isDomainError } from '../../common/domain-error';
import {
  assertTusResumable,
  discoveryHeaders,
  fileMetadata,
  mediaType,
  parseByteCount,
  parseChecksum,
  parseConcat,
  parseMetadata,
} from './tus-protocol';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const refusal = (fn: () => unknown): { status: number; code: string } => {
  try {
    fn();
  } catch (error) {
    if (isDomainError(error)) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error('did not refuse');
};
const ROOT = '/api/v1/storage/uploads';
const ID = '0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b';
const ID2 = '5e0c1b7a-2f4d-4c36-9a51-0d6f1c2b3a49';

describe('tus protocol', () => {
  it('accepts Tus-Resumable 1.0.0 only; anything else is 412 with Tus-Version', () => {
    expect(() => assertTusResumable('1.0.0')).not.toThrow();
    for (const value of [undefined, '', '0.2.2', '1.0']) {
      expect(refusal(() => assertTusResumable(value))).toEqual({ status: 412, code: 'TusVersionUnsupported' });
    }
  });

  it('parses byte counts strictly', () => {
    expect(parseByteCount(undefined, 'Upload-Length')).toBeNull();
    expect(parseByteCount('0', 'Upload-Length')).toBe(0);
    expect(parseByteCount(' 5368709120 ', 'Upload-Offset')).toBe(5368709120);
    for (const bad of ['-1', '1.5', '1e3', 'abc', '', '99999999999999999']) {
      expect(refusal(() => parseByteCount(bad, 'Upload-Length')).status).toBe(400);
    }
  });

  it('decodes Upload-Metadata pairs, with and without values', () => {
    const parsed = parseMetadata(`filename ${b64('naïve résumé.pdf')},is_confidential,filetype ${b64('application/pdf')}`);
    expect(Object.fromEntries(parsed)).toEqual({ filename: 'naïve résumé.pdf', is_confidential: '', filetype: 'application/pdf' });
    expect(parseMetadata(undefined).size).toBe(0);
    expect(parseMetadata('  ').size).toBe(0);
  });

  it.each([
    ['a value that is not Base64', 'filename ***'],
    ['a repeated key', `a ${b64('1')},a ${b64('2')}`],
    ['an empty pair', `a ${b64('1')},,b`],
    ['three parts', `a ${b64('1')} extra`],
    ['bytes that are not UTF-8', `filename ${Buffer.from([0xff, 0xfe]).toString('base64')}`],
  ])('refuses Upload-Metadata with %s', (_label, header) => {
    expect(refusal(() => parseMetadata(header))).toEqual({ status: 400, code: 'TusInvalidMetadata' });
  });

  it('applies the JSON upload\'s rules to the file metadata', () => {
    expect(fileMetadata(new Map([['filename', 'a.txt']]))).toEqual({ filename: 'a.txt', mimeType: 'application/octet-stream', sha256: null });
    expect(fileMetadata(new Map([['filename', 'a'], ['filetype', 'text/plain; charset=utf-8'], ['sha256', 'A'.repeat(64)]]))).toEqual({
      filename: 'a',
      mimeType: 'text/plain; charset=utf-8',
      sha256: 'a'.repeat(64),
    });
    for (const bad of [new Map(), new Map([['filename', '']]), new Map([['filename', 'x'.repeat(256)]]), new Map([['filename', 'a\u0000b']]),
      new Map([['filename', 'a'], ['filetype', 'text']]), new Map([['filename', 'a'], ['sha256', 'xyz']])]) {
      expect(refusal(() => fileMetadata(bad as Map<string, string>)).status).toBe(400);
    }
  });

  it('parses Upload-Checksum for sha1 and sha256 and refuses other algorithms with 400', () => {
    const sha1 = Buffer.alloc(20, 1);
    expect(parseChecksum(`sha1 ${sha1.toString('base64')}`)).toEqual({ algorithm: 'sha1', digest: sha1 });
    expect(parseChecksum(`SHA256 ${Buffer.alloc(32).toString('base64')}`)?.algorithm).toBe('sha256');
    expect(parseChecksum(undefined)).toBeNull();
    expect(refusal(() => parseChecksum(`md5 ${Buffer.alloc(16).toString('base64')}`))).toEqual({ status: 400, code: 'TusUnsupportedChecksum' });
    expect(refusal(() => parseChecksum('sha1')).code).toBe('TusInvalidChecksumHeader');
    expect(refusal(() => parseChecksum(`sha1 ${Buffer.alloc(32).toString('base64')}`)).code).toBe('TusInvalidChecksumHeader');
  });

  it('parses Upload-Concat, matching a final\'s URLs on their path', () => {
    expect(parseConcat(undefined, ROOT)).toEqual({ kind: 'none' });
    expect(parseConcat('partial', ROOT)).toEqual({ kind: 'partial' });
    expect(parseConcat(`final;https://eds.example${ROOT}/${ID} ${ROOT}/${ID2.toUpperCase()}`, ROOT)).toEqual({ kind: 'final', ids: [ID, ID2] });
    for (const bad of ['final;', 'full', `final;/other/${ID}`, `final;${ROOT}/${ID} ${ROOT}/${ID}`, `final;${ROOT}/not-a-uuid`]) {
      expect(refusal(() => parseConcat(bad, ROOT))).toEqual({ status: 400, code: 'TusInvalidConcat' });
    }
  });

  it('reads media types without parameters and answers the discovery headers', () => {
    expect(mediaType('Application/Offset+Octet-Stream; x=1')).toBe('application/offset+octet-stream');
    expect(mediaType(null)).toBeNull();
    expect(discoveryHeaders(42)).toEqual({
      'tus-version': '1.0.0',
      'tus-extension': 'creation,creation-with-upload,termination,expiration,checksum,concatenation',
      'tus-max-size': '42',
      'tus-checksum-algorithm': 'sha1,sha256',
    });
  });
});
