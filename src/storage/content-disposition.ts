/**
 * `attachment` with both an RFC 5987 `filename*` (UTF-8, percent-encoded:
 * round-trips any Unicode name) and a plain ASCII `filename` for the rare
 * client that ignores `filename*`. Always both, so clients see one shape.
 */
export function attachmentDisposition(filename: string): string {
  // Printable ASCII only, and no quote or backslash (escapes in quoted-strings are unevenly supported).
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(filename)}`;
}

/** Percent-encodes everything but RFC 5987 attr-char (encodeURIComponent also leaves ' ( ) * alone). */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
