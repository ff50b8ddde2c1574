import { createHash } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { meterUpload, UploadMeter } from './upload-meter';

const refusal = (code: string, status: number): object => expect.objectContaining({ code, status });

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sink = (): Writable & { bytes: () => Buffer } => {
  const chunks: Buffer[] = [];
  const w = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }) as Writable & { bytes: () => Buffer };
  w.bytes = () => Buffer.concat(chunks);
  return w;
};

describe('UploadMeter', () => {
  const body = Buffer.from('hello, world');

  it('passes the bytes through and computes their SHA-256', async () => {
    const meter = new UploadMeter(body.length, null);
    const out = sink();
    await pipeline(Readable.from([body.subarray(0, 5), body.subarray(5)]), meter, out);
    expect(out.bytes()).toEqual(body);
    expect(meter.sha256).toBe(sha(body));
  });

  it('accepts the declared sha256', async () => {
    const meter = new UploadMeter(body.length, sha(body));
    await pipeline(Readable.from([body]), meter, sink());
    expect(meter.sha256).toBe(sha(body));
  });

  it('fails with 400 on a checksum mismatch', async () => {
    const meter = new UploadMeter(body.length, sha(Buffer.from('other')));
    await expect(pipeline(Readable.from([body]), meter, sink())).rejects.toEqual(refusal('ChecksumMismatch', 400));
    expect(() => meter.sha256).toThrow();
  });

  it('fails with 400 when the body is short', async () => {
    await expect(pipeline(Readable.from([body]), new UploadMeter(body.length + 1, null), sink())).rejects.toEqual(
      refusal('BodyTooShort', 400),
    );
  });

  it('fails with 413 as soon as the body is long, before passing the extra bytes on', async () => {
    const out = sink();
    await expect(
      pipeline(Readable.from([body, body]), new UploadMeter(body.length + 1, null), out),
    ).rejects.toEqual(refusal('BodyTooLong', 413));
    expect(out.bytes().length).toBeLessThanOrEqual(body.length);
  });

  it('takes an empty body of size 0', async () => {
    const meter = new UploadMeter(0, null);
    await pipeline(Readable.from([]), meter, sink());
    expect(meter.sha256).toBe(sha(Buffer.alloc(0)));
  });
});

describe('meterUpload', () => {
  it('fails the meter when the source ends early (a client went away)', async () => {
    const source = new PassThrough();
    const meter = meterUpload(source, new UploadMeter(10, null));
    const done = pipeline(meter, sink());
    source.write(Buffer.from('abc'));
    source.destroy();
    await expect(done).rejects.toEqual(refusal('UploadInterrupted', 400));
  });

  it('does not destroy the source when the meter fails (the server can still answer)', async () => {
    const source = new PassThrough();
    const meter = meterUpload(source, new UploadMeter(2, null));
    const done = pipeline(meter, sink());
    source.write(Buffer.from('abc'));
    await expect(done).rejects.toEqual(refusal('BodyTooLong', 413));
    expect(source.destroyed).toBe(false);
  });
});

describe('UploadMeter.upTo (a body of unknown length)', () => {
  const run = async (meter: UploadMeter, chunks: Buffer[]): Promise<Buffer> => {
    const out: Buffer[] = [];
    meter.on('data', (c: Buffer) => out.push(c));
    const done = new Promise<void>((resolve, reject) => {
      meter.on('end', resolve);
      meter.on('error', reject);
    });
    for (const c of chunks) meter.write(c);
    meter.end();
    await done;
    return Buffer.concat(out);
  };

  it('passes any size up to the limit, counting and hashing it', async () => {
    const meter = UploadMeter.upTo(10);
    const body = await run(meter, [Buffer.from('hello'), Buffer.from('world')]);
    expect(body.toString()).toBe('helloworld');
    expect(meter.receivedBytes).toBe(10);
    expect(meter.sha256).toBe(createHash('sha256').update('helloworld').digest('hex'));
  });

  it('takes an empty body', async () => {
    const meter = UploadMeter.upTo(10);
    await run(meter, []);
    expect(meter.receivedBytes).toBe(0);
  });

  it('fails with the upload limit\'s 413 past the limit', async () => {
    await expect(run(UploadMeter.upTo(4), [Buffer.from('abc'), Buffer.from('de')])).rejects.toMatchObject({ code: 'SizeOverLimit', status: 413 });
  });
});
