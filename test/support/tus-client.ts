import { request as httpRequest } from 'node:http';

export const TUS = { 'tus-resumable': '1.0.0' } as const;
export const OCTETS = { 'content-type': 'application/offset+octet-stream' } as const;

export const b64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64');

/** `Upload-Metadata` from plain values. */
export const metadata = (pairs: Record<string, string>): string =>
  Object.entries(pairs)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',');

export interface TusAnswer {
  status: number;
  headers: Headers;
  /** The body as text ('' when none). */
  text: string;
}

/** Raw tus requests over real HTTP with one API key (fetch; `Tus-Resumable` sent unless told not to). */
export class TusClient {
  constructor(
    readonly base: string,
    readonly key: string,
  ) {}

  readonly endpoint = '/api/v1/storage/uploads';

  async send(method: string, path: string, headers: Record<string, string | undefined> = {}, body?: Buffer): Promise<TusAnswer> {
    const sent: Record<string, string> = { 'x-api-key': this.key, ...TUS };
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) delete sent[k];
      else sent[k] = v;
    }
    const res = await fetch(`${this.base}${path}`, { method, headers: sent, body });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** POST a plain upload; answers its id (throws unless 201). */
  async create(length: number, meta: Record<string, string> = { filename: 'file.bin' }, headers: Record<string, string> = {}): Promise<string> {
    const res = await this.send('POST', this.endpoint, { 'upload-length': String(length), 'upload-metadata': metadata(meta), ...headers });
    if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${res.text}`);
    return idOf(res.headers.get('location')!);
  }

  head(id: string, headers: Record<string, string | undefined> = {}): Promise<TusAnswer> {
    return this.send('HEAD', `${this.endpoint}/${id}`, headers);
  }

  patch(id: string, offset: number, bytes: Buffer, headers: Record<string, string | undefined> = {}): Promise<TusAnswer> {
    return this.send('PATCH', `${this.endpoint}/${id}`, { ...OCTETS, 'upload-offset': String(offset), ...headers }, bytes);
  }

  /** Sends `bytes` in PATCHes of `chunk` bytes from the current offset; answers the last offset. */
  async patchAll(id: string, bytes: Buffer, chunk: number, from = 0): Promise<number> {
    let offset = from;
    while (offset < bytes.length) {
      const res = await this.patch(id, offset, bytes.subarray(offset, offset + chunk));
      if (res.status !== 204) throw new Error(`PATCH at ${offset} answered ${res.status}: ${res.text}`);
      offset = Number(res.headers.get('upload-offset'));
    }
    return offset;
  }

  async offset(id: string): Promise<number> {
    const res = await this.head(id);
    if (res.status !== 200) throw new Error(`HEAD answered ${res.status}`);
    return Number(res.headers.get('upload-offset'));
  }

  /**
   * A PATCH of `bytes` whose connection is cut after `sendBytes` of them
   * (node:http without keep-alive: the socket is destroyed mid-body).
   */
  droppedPatch(id: string, offset: number, bytes: Buffer, sendBytes: number, extra: Record<string, string> = {}): Promise<void> {
    return this.dropped('PATCH', `${this.endpoint}/${id}`, { ...OCTETS, 'upload-offset': String(offset), ...extra }, bytes, sendBytes);
  }

  /** Any request with a body of `bytes` whose connection is cut after `sendBytes` of them. */
  dropped(method: string, path: string, headers: Record<string, string>, bytes: Buffer, sendBytes: number): Promise<void> {
    return new Promise((resolve) => {
      const url = new URL(`${this.base}${path}`);
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        agent: false,
        headers: { 'x-api-key': this.key, ...TUS, 'content-length': String(bytes.length), ...headers },
      });
      req.on('error', () => resolve());
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.write(bytes.subarray(0, sendBytes), () => {
        // Let the bytes reach the server before the cut.
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 300);
      });
    });
  }
}

export const idOf = (location: string): string => location.split('/').pop()!;
