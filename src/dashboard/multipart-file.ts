import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import Busboy from '@fastify/busboy';
import type { Readable } from 'node:stream';
import type { RawBodyStream } from '../common/raw-body';

export interface FormFile {
  /** As the browser sent it (paths stripped). */
  filename: string;
  /** The part's Content-Type, as the browser guessed it. */
  mimeType: string;
  stream: Readable;
}

/**
 * Reads a multipart form with one file, streaming: the text fields that come
 * before the file are collected and handed to `beforeFile` (the CSRF check),
 * then the file's bytes go to `store` as they arrive, never buffered whole.
 * Parts after the file are ignored; a second file is not read.
 */
export function readFormFile<T>(
  body: RawBodyStream,
  beforeFile: (fields: Readonly<Record<string, string>>) => Promise<void>,
  store: (file: FormFile) => Promise<T>,
): Promise<T> {
  if (!body.contentType || !/^multipart\/form-data\b/i.test(body.contentType)) {
    // The CSRF check still comes first (from a header, as nothing here is read): 403 before 415.
    return beforeFile({}).then(() => {
      throw new UnsupportedMediaTypeException('Send the upload form as multipart/form-data');
    });
  }
  return new Promise<T>((resolve, reject) => {
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: { 'content-type': body.contentType! },
        limits: { files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 20 },
      });
    } catch {
      reject(new BadRequestException('The upload form is malformed (no multipart boundary)'));
      return;
    }
    const fields: Record<string, string> = {};
    let settled = false;
    let sawFile = false;
    let current: Readable | null = null;
    const fail = (error: unknown): void => {
      // A file still streaming into the blob store must fail too, so its partial blob goes.
      if (current && !current.readableEnded) current.destroy(error instanceof Error ? error : undefined);
      if (settled) return;
      settled = true;
      body.stream.unpipe(parser);
      reject(error);
    };
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_field, stream, filename, _encoding, mimeType) => {
      if (sawFile || settled) {
        stream.resume();
        return;
      }
      sawFile = true;
      current = stream;
      // Its failures reach the store through the meter, or nobody needs them (refused before storing).
      stream.on('error', () => undefined);
      beforeFile(fields)
        .then(() => {
          // A form posted with no file chosen has a nameless, empty part.
          if (!filename) throw new BadRequestException('Choose a file to upload');
          return store({ filename, mimeType, stream });
        })
        .then((result) => {
          if (settled) return;
          settled = true;
          resolve(result);
        }, fail);
    });
    parser.on('error', () => fail(new BadRequestException('The upload form is malformed')));
    parser.on('finish', () => {
      if (!sawFile) fail(new BadRequestException('Choose a file to upload'));
    });
    const interrupted = (): void => fail(new BadRequestException('The upload was interrupted before the whole file arrived'));
    body.stream.on('error', interrupted);
    body.stream.on('close', () => {
      if (!body.stream.readableEnded) interrupted();
    });
    body.stream.pipe(parser);
  });
}
