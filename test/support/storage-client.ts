import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FsBlobStore } from '../../src/storage/blob/fs-blob-store';
import type { TestApp } from './test-app';

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic-length random bytes (a fresh seed each run: round trips compare hashes, not fixtures). */
export const randomContent = (size: number): Buffer => (size === 0 ? Buffer.alloc(0) : randomBytes(size));

/** The app listening on a loopback port (content routes need exact control of bodies and headers). */
export async function baseUrl(t: TestApp): Promise<string> {
  if (!t.http.listening) {
    await new Promise<void>((resolve, reject) => {
      t.http.once('error', reject);
      t.http.listen(0, '127.0.0.1', () => resolve());
    });
  }
  return `http://127.0.0.1:${(t.http.address() as AddressInfo).port}`;
}

export interface JsonAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface BytesAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface NewUpload {
  filename?: string;
  mimeType?: string;
  size: number;
  sha256?: string;
}

export interface FileMeta {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
  status: 'pending' | 'ready';
  sha256: string | null;
  createdAt: string;
  uploadedAt: string | null;
  uploadedBy: { keyId: string; name: string } | null;
  uploadUrl?: string;
  expiresAt?: string;
}

/** A script using one API key, over real HTTP (fetch) against the in-process app. */
export class StorageClient {
  constructor(
    readonly base: string,
    readonly key: string,
  ) {}

  static async for(t: TestApp, key: string): Promise<StorageClient> {
    return new StorageClient(await baseUrl(t), key);
  }

  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<JsonAnswer<T>> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'x-api-key': this.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
  }

  /** POST /upload; answers the pending file (throws unless 201). */
  async start(upload: NewUpload): Promise<FileMeta> {
    const res = await this.json<FileMeta>('POST', '/api/v1/storage/upload', {
      filename: upload.filename ?? 'file.bin',
      mimeType: upload.mimeType ?? 'application/octet-stream',
      ...upload,
    });
    if (res.status !== 201) throw new Error(`POST /upload answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** PUT …/content with exactly these bytes (Content-Length set) and these headers. */
  async put(id: string, body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Promise<JsonAnswer<FileMeta>> {
    const res = await fetch(`${this.base}/api/v1/storage/files/${id}/content`, {
      method: 'PUT',
      headers: { 'x-api-key': this.key, ...headers },
      body,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as FileMeta };
  }

  /** start + put; answers the ready file (throws unless 200). */
  async upload(content: Buffer, upload: Partial<NewUpload> = {}): Promise<FileMeta> {
    const pending = await this.start({ size: content.length, ...upload });
    const res = await this.put(pending.id, content);
    if (res.status !== 200) throw new Error(`PUT content answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async download(id: string, headers: Record<string, string> = {}): Promise<BytesAnswer> {
    const res = await fetch(`${this.base}/api/v1/storage/files/${id}/content`, {
      headers: { 'x-api-key': this.key, ...headers },
    });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }
}

/**
 * What the fs driver keeps for a file: its blobs and any unfinished `.part` file (`app`: a TestApp or a
 * process's data dir). Asked of the driver itself, so the layout is known in one place.
 */
export async function blobEntries(app: { dataDir: string }, fileId: string): Promise<string[]> {
  return new FsBlobStore(join(app.dataDir, 'blobs')).listFileEntries(fileId);
}
