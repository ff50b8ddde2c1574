import { MIME_TYPE_PATTERN } from '../dto/create-upload.dto';
import { TusErrors } from './tus.errors';

/**
 * The tus 1.0.0 wire format (https://tus.io/protocols/resumable-upload), as
 * pure functions: header parsing and the headers every answer carries. No I/O
 * here, so every rule is unit-tested (tus-protocol.spec.ts).
 */
export const TUS_VERSION = '1.0.0';
export const TUS_EXTENSIONS = [
  'creation',
  'creation-with-upload',
  'termination',
  'expiration',
  'checksum',
  'concatenation',
] as const;
export const TUS_CHECKSUM_ALGORITHMS = ['sha1', 'sha256'] as const;
export type TusChecksumAlgorithm = (typeof TUS_CHECKSUM_ALGORITHMS)[number];
export const OFFSET_OCTET_STREAM = 'application/offset+octet-stream';

/** The upload's place in a concatenation: a plain upload, a partial, or the final that joins partials. */
export type TusConcat = 'none' | 'partial' | 'final';

/** Refuses a request that does not speak tus 1.0.0 (every request but OPTIONS). */
export function assertTusResumable(header: string | undefined): void {
  if (header?.trim() !== TUS_VERSION) throw TusErrors.versionUnsupported();
}

const DIGITS = /^\d{1,16}$/;

/** `Upload-Length` / `Upload-Offset`: a non-negative integer (at most 2^53 - 1). */
export function parseByteCount(header: string | undefined, name: 'Upload-Length' | 'Upload-Offset'): number | null {
  if (header === undefined) return null;
  const value = header.trim();
  if (!DIGITS.test(value) || !Number.isSafeInteger(Number(value))) throw TusErrors.invalidByteCount(name);
  return Number(value);
}

const METADATA_KEY = /^[\x21-\x2b\x2d-\x7e]+$/; // printable ASCII, no space, no comma
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent); keys unique. */
export function parseMetadata(header: string | undefined): Map<string, string> {
  const pairs = new Map<string, string>();
  if (header === undefined || header.trim() === '') return pairs;
  for (const item of header.split(',')) {
    const parts = item.trim().split(' ');
    if (parts.length > 2 || !METADATA_KEY.test(parts[0])) throw TusErrors.invalidMetadata('a key is empty or has invalid characters');
    const [key, encoded = ''] = parts;
    if (pairs.has(key)) throw TusErrors.invalidMetadata(`the key ${key} appears twice`);
    if (!BASE64.test(encoded)) throw TusErrors.invalidMetadata(`the value of ${key} is not Base64`);
    const decoded = Buffer.from(encoded, 'base64');
    const text = decoded.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(decoded)) throw TusErrors.invalidMetadata(`the value of ${key} is not UTF-8`);
    pairs.set(key, text);
  }
  return pairs;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The file a plain or final upload describes, from its metadata, with the rules of the JSON upload (§4). */
export interface TusFileMetadata {
  filename: string;
  mimeType: string;
  sha256: string | null;
}

export function fileMetadata(metadata: Map<string, string>): TusFileMetadata {
  const filename = metadata.get('filename');
  if (filename === undefined) throw TusErrors.invalidMetadata('filename is required');
  if (filename.length < 1 || filename.length > 255) throw TusErrors.invalidMetadata('filename must be 1 to 255 characters long');
  if (CONTROL.test(filename)) throw TusErrors.invalidMetadata('filename must not contain control characters');
  const mimeType = metadata.get('filetype') || 'application/octet-stream';
  if (mimeType.length > 255 || !MIME_TYPE_PATTERN.test(mimeType)) {
    throw TusErrors.invalidMetadata('filetype must be a media type like text/plain');
  }
  const sha256 = metadata.get('sha256');
  if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) {
    throw TusErrors.invalidMetadata('sha256 must be 64 hexadecimal characters');
  }
  return { filename, mimeType, sha256: sha256?.toLowerCase() ?? null };
}

export interface UploadChecksum {
  algorithm: TusChecksumAlgorithm;
  /** The digest the client claims, decoded from Base64. */
  digest: Buffer;
}

/** `Upload-Checksum: <algorithm> <base64 digest>`; an algorithm we do not offer answers 400. */
export function parseChecksum(header: string | undefined): UploadChecksum | null {
  if (header === undefined) return null;
  const match = /^\s*(\S+) +(\S+)\s*$/.exec(header);
  if (!match || !BASE64.test(match[2])) throw TusErrors.invalidChecksumHeader();
  const algorithm = match[1].toLowerCase();
  if (!(TUS_CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) throw TusErrors.unsupportedChecksum(match[1]);
  const digest = Buffer.from(match[2], 'base64');
  if (digest.length !== (algorithm === 'sha1' ? 20 : 32)) throw TusErrors.invalidChecksumHeader();
  return { algorithm: algorithm as TusChecksumAlgorithm, digest };
}

export type ParsedConcat = { kind: 'none' } | { kind: 'partial' } | { kind: 'final'; ids: string[] };

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/**
 * `Upload-Concat: partial` or `final;<url> <url>…`. A final's URLs may be
 * absolute or paths: only the path counts, and it must be one of ours
 * (`uploadsPath` is `/api/v1/storage/uploads`).
 */
export function parseConcat(header: string | undefined, uploadsPath: string): ParsedConcat {
  if (header === undefined) return { kind: 'none' };
  const value = header.trim();
  if (value === 'partial') return { kind: 'partial' };
  if (!value.startsWith('final;')) throw TusErrors.invalidConcat('it must be "partial" or "final;<url> <url>…"');
  const urls = value.slice('final;'.length).trim().split(/ +/).filter(Boolean);
  if (urls.length === 0) throw TusErrors.invalidConcat('a final upload names at least one partial upload');
  const own = new RegExp(`^${uploadsPath.replace(/[/.]/g, '\\$&')}/(${UUID})/?$`);
  const ids = urls.map((url) => {
    let path: string;
    try {
      path = new URL(url, 'http://relative.invalid').pathname;
    } catch {
      throw TusErrors.invalidConcat(`${url} is not a URL`);
    }
    const match = own.exec(path);
    if (!match) throw TusErrors.invalidConcat(`${url} is not an upload of this server`);
    return match[1].toLowerCase();
  });
  if (new Set(ids).size !== ids.length) throw TusErrors.invalidConcat('a partial upload is named twice');
  return { kind: 'final', ids };
}

/** The media type of a request body, lower-cased, without parameters. */
export function mediaType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  return contentType.split(';')[0].trim().toLowerCase() || null;
}

/** What OPTIONS answers: the server's tus capabilities. */
export function discoveryHeaders(maxSize: number): Record<string, string> {
  return {
    'tus-version': TUS_VERSION,
    'tus-extension': TUS_EXTENSIONS.join(','),
    'tus-max-size': String(maxSize),
    'tus-checksum-algorithm': TUS_CHECKSUM_ALGORITHMS.join(','),
  };
}

/** RFC 9110 IMF-fixdate, as tus wants for `Upload-Expires`. */
export const httpDate = (date: Date): string => date.toUTCString();
