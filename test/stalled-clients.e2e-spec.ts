import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { adminActor, createApiKey } from './support/factories';
import { blobEntries, randomContent, StorageClient } from './support/storage-client';
import { until } from './support/wait';
import { startTestApp, type TestApp } from './support/test-app';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Slow and stalled clients (DESIGN.md §10): header, idle and keep-alive timeouts; no leaks after aborts. */
describe('Stalled and abusive clients (e2e)', () => {
  let t: TestApp;
  let key: string;
  let client: StorageClient;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({
      env: { EDS_HEADERS_TIMEOUT_MS: '1000', EDS_IDLE_TIMEOUT_MS: '3000', EDS_KEEPALIVE_TIMEOUT_MS: '1000' },
    });
    key = (await createApiKey(t, await adminActor(t))).key;
    client = await StorageClient.for(t, key);
    port = Number(new URL(client.base).port);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  /** A raw socket that sends `text` and then nothing; resolves `closed` when the server hangs up. */
  function stalled(text: string): { socket: Socket; closed: Promise<string> } {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.write(text);
    return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve(received))) };
  }

  it('cuts off 50 stalled sockets (headers, body) while normal requests keep answering', async () => {
    const pending = await Promise.all(Array.from({ length: 25 }, () => client.start({ size: 100_000, filename: 'slow.bin' })));
    const headerStalls = Array.from({ length: 25 }, () => stalled(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\n`));
    const bodyStalls = pending.map((p) =>
      stalled(
        `PUT /api/v1/storage/files/${p.id}/content HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\n` +
          `Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n` +
          'x'.repeat(1000),
      ),
    );
    let allClosed = false;
    const closedAll = Promise.all([...headerStalls, ...bodyStalls].map((s) => s.closed)).then((texts) => {
      allClosed = true;
      return texts;
    });

    // With all 50 held open, other clients are served.
    for (let i = 0; i < 20; i++) {
      expect((await client.json('GET', '/api/v1/me')).status).toBe(200);
      expect((await fetch(`${client.base}/health/live`)).status).toBe(200);
    }
    expect(allClosed).toBe(false);

    // Every stalled socket is closed by the server (no client-side timeout here).
    const texts = await closedAll;
    // Incomplete headers get Node's 408 on the way out; a stalled body is dropped.
    for (const text of texts.slice(0, 25)) expect(text).toMatch(/^HTTP\/1\.1 408 /);
    // The stalled uploads stored nothing (their partial bytes are removed once
    // the server has closed them, moments after the socket) and stay pending, ready to be retried.
    await until(async () => (await Promise.all(pending.map((p) => blobEntries(t, p.id)))).every((e) => e.length === 0), 10_000, 'no .part files remain');
    for (const p of pending) {
      expect(await blobEntries(t, p.id)).toEqual([]);
      expect((await client.json('GET', `/api/v1/storage/files/${p.id}`)).body).toMatchObject({ status: 'pending' });
    }
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const conn = stalled(`GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n`);
    const text = await conn.closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toMatch(/keep-alive: timeout=1/i);
  });

  it('leaks no file descriptors or memory over 100 aborted downloads and 100 aborted uploads', async () => {
    const big = await client.upload(randomContent(4 * 1024 * 1024), { filename: 'big.bin' });
    const abortDownload = () =>
      new Promise<void>((resolve) => {
        const req = httpRequest({ port, host: '127.0.0.1', path: `/api/v1/storage/files/${big.id}/content`, headers: { 'x-api-key': key, connection: 'close' } }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => resolve());
        req.end();
      });
    const abortUpload = async () => {
      const p = await client.start({ size: 1024 * 1024, filename: 'aborted.bin' });
      await new Promise<void>((resolve) => {
        const req = httpRequest({
          port,
          host: '127.0.0.1',
          method: 'PUT',
          path: `/api/v1/storage/files/${p.id}/content`,
          headers: { 'x-api-key': key, 'content-length': String(1024 * 1024), connection: 'close' },
        });
        req.on('error', () => resolve());
        req.write(Buffer.alloc(128 * 1024, 7), () => setTimeout(() => {
          req.destroy();
          resolve();
        }, 5));
      });
      return p.id;
    };
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const settle = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 300));
      gc();
    };

    // Warm-up: pools, lazily opened handles.
    for (let i = 0; i < 5; i++) await abortDownload();
    for (let i = 0; i < 5; i++) await abortUpload();
    await settle();
    const fdsBefore = fds();
    const heapBefore = process.memoryUsage().heapUsed;

    const uploads: string[] = [];
    for (let i = 0; i < 100; i++) await abortDownload();
    for (let i = 0; i < 100; i++) uploads.push(await abortUpload());

    // The server notices each abort on its own schedule: wait until it has let go.
    await until(async () => {
      await settle();
      return fds() <= fdsBefore + 2;
    }, 15_000, 'the aborted transfers released their descriptors');
    for (const id of uploads.slice(-10)) await until(async () => (await blobEntries(t, id)).length === 0, 10_000, `upload ${id} left no blob`);
    await settle();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    // 200 transfers of up to 4 MiB each: a leak of their buffers would be hundreds of MB.
    expect(heapGrowth).toBeLessThan(16 * 1024 * 1024);
    // eslint-disable-next-line no-console
    console.log(`aborts: fds ${fdsBefore} → ${fds()}, heap growth ${(heapGrowth / 1024 / 1024).toFixed(1)} MiB`);
  });
});
