import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { METHODS } from 'node:http';
import type { InjectOptions } from 'light-my-request';
import { adminActor, createApiKey, createManager } from './support/factories';
import { StorageClient, randomContent, sha256 } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * A property-based fuzzer driven by the served OpenAPI document: for every operation it finds
 * there (tus ones included once they exist), fast-check builds hostile requests from the
 * operation's own parameters and body schema and sends them with each kind of credential.
 * Replay a failure with the printed seed: FUZZ_SEED=<seed> [FUZZ_RUNS=<n>] npx jest test/fuzz.e2e-spec.ts
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2_147_483_647;
/** Runs per operation and credential; four credentials, so requests ≈ 4 × operations × runs. */
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 80;

// What must never reach a client: stack frames, module paths, ORM and SQL words, file paths.
const INTERNALS =
  /\s+at\s+\S+\s+\(|\.ts:\d+|\.js:\d+|node_modules|\/work\/|\/src\/|\/tmp\/|QueryFailedError|TypeORM|EntityNotFound|SELECT |INSERT |UPDATE |DELETE FROM|duplicate key|relation "|syntax error at|invalid input syntax|FST_ERR|RangeError|TypeError|Maximum call stack/i;

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  bodyTypes: string[];
  bodySchema?: Schema;
}
interface Document {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}
type Credential = 'valid' | 'none' | 'malformed' | 'other-owner';

interface Sentinel {
  id: string;
  bytes: Buffer;
}

describe('Fuzzing every documented operation (e2e)', () => {
  let t: TestApp;
  let keyA: string;
  let keyB: string;
  let operations: Operation[];
  let doc: Document;
  const sentinelsA: Sentinel[] = [];
  const sentinelsB: Sentinel[] = [];
  let pendingA: string[] = [];
  const failures: string[] = [];
  let sent = 0;

  beforeAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
    t = await startTestApp({ env: { EDS_TRUST_PROXY: 'false', EDS_API_KEY_FAILURES_PER_MINUTE: '100' } });
    keyA = (await createApiKey(t, await adminActor(t))).key;
    keyB = (await createApiKey(t, await createManager(t))).key;
    const a = await StorageClient.for(t, keyA);
    const b = await StorageClient.for(t, keyB);
    for (const size of [0, 1, 777, 70_000]) {
      const bytes = randomContent(size);
      sentinelsA.push({ id: (await a.upload(bytes, { filename: `a-${size}.bin` })).id, bytes });
      const other = randomContent(size + 3);
      sentinelsB.push({ id: (await b.upload(other, { filename: `b-${size}.bin` })).id, bytes: other });
    }
    pendingA = [(await a.start({ size: 5 })).id, (await a.start({ size: 0 })).id];
    doc = (await t.app.inject({ method: 'GET', url: '/api/docs-json' })).json<Document>();
    operations = operationsOf(doc);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const keyFor = (credential: Credential): string | undefined =>
    credential === 'valid' ? keyA : credential === 'other-owner' ? keyB : credential === 'malformed' ? 'exstr_live_' + 'Z'.repeat(31) : undefined;

  /** Ids worth aiming at: every owner's stored files, pending ones, random and hostile ones. */
  const idFor = (credential: Credential, method: string) => {
    const stored = [...sentinelsA, ...sentinelsB].map((s) => s.id);
    return fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...stored, ...(method === 'DELETE' ? [] : pendingA)) },
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 4, arbitrary: hostileSegment },
    );
  };

  it('never answers 5xx, never leaks internals, always answers errors in the one shape', async () => {
    expect(operations.length).toBeGreaterThanOrEqual(8);
    const credentials: Credential[] = ['valid', 'none', 'malformed', 'other-owner'];
    let index = 0;
    const run = async (name: string, arbitrary: fc.Arbitrary<InjectOptions>, seed: number, numRuns: number): Promise<void> => {
      let last = '';
      const details = await fc.check(
        fc.asyncProperty(arbitrary, async (options) => {
          sent += 1;
          if (options.headers?.['x-api-key'] === 'valid') options.headers['x-api-key'] = keyA;
          const res = await t.app.inject(options);
          const problem = checkAnswer(res.statusCode, res.headers['content-type'], res.body) ?? echoes(options, res.statusCode, res.body);
          if (problem) last = `${summarize(options)} → ${res.statusCode} ${res.body.slice(0, 300)}: ${problem}`;
          return problem === null;
        }),
        // Shrinks a failure to a small request, within a bounded number of extra requests.
        { seed, numRuns, maxSkipsPerRun: 0, interruptAfterTimeLimit: 60_000 },
      );
      // `last` is the shrunk counterexample's answer: the final failing run.
      if (details.failed) failures.push(`${name} (seed ${seed}, path ${details.counterexamplePath}): ${last}`);
    };
    for (const operation of operations) {
      for (const credential of credentials) {
        index += 1;
        await run(`${operation.method} ${operation.path} with ${credential} key`, requestFor(operation, credential), SEED + index, RUNS);
      }
    }
    // A random walk over the router itself: any method, any path, hostile encodings.
    await run('router walk', routerRequest, SEED, RUNS * 8);
    // eslint-disable-next-line no-console
    console.log(`fuzz: ${sent} requests over ${operations.length} operations`);
    expect(failures).toEqual([]);
  });

  // What earlier fuzzing found, kept as plain cases so a regression names itself.
  it.each([
    ['JSON nested 1,500 levels', 'POST', '/api/v1/storage/upload', '{"filename":' + '{"a":'.repeat(1500) + '1' + '}'.repeat(1500) + '}', 400, /nested too deeply/],
    ['a cursor in year 0', 'GET', `/api/v1/storage/files?cursor=${Buffer.from('0000-06-15T08:39:21.123456Z|0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b').toString('base64url')}`, undefined, 400, /cursor is malformed/],
    ['invalid percent-encoding in the path', 'GET', '/api/v1/storage/files/%E0%A4%A/content', undefined, 400, /malformed percent-encoding/],
    ['a path parameter over 100 characters', 'GET', `/api/v1/storage/files/${'a'.repeat(150)}`, undefined, 414, /path segment .* too long/],
    ['an unknown route', 'GET', '/api/v1/storage/nothing-here-at-all', undefined, 404, /^No route matches this method and path$/],
    ['an unknown method', 'PROPFIND', '/api/v1/storage/usage', undefined, 404, /^No route matches this method and path$/],
  ])('%s → the one error shape', async (_label, method, url, payload, status, message) => {
    const res = await t.app.inject({
      method: method as InjectOptions['method'],
      url,
      headers: { 'x-api-key': keyA, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ statusCode: status, error: expect.any(String), message: expect.stringMatching(message) });
    expect(res.body).not.toContain(url.split('?')[0]);
  });

  // What only a real socket can send: Node's own parser answers these before Fastify routes.
  it.each([
    ['a 20 KB header', `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nx-junk: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['a header with a control character', 'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nx-junk: a\u0001b\r\n\r\n', 400],
    ['two Content-Length headers that disagree', 'POST /api/v1/storage/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}', 400],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n', 400],
  ])('%s over a real socket → the one error shape', async (_label, raw, status) => {
    const { connect } = await import('node:net');
    const base = new URL((await StorageClient.for(t, keyA)).base);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(base.port), base.hostname);
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.end(raw);
    });
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toEqual({ statusCode: status, error: expect.any(String), message: expect.any(String) });
  });

  it('leaves every file stored before the run byte-identical, the other owner’s included', async () => {
    for (const [key, sentinels] of [
      [keyA, sentinelsA],
      [keyB, sentinelsB],
    ] as const) {
      const client = await StorageClient.for(t, key);
      for (const s of sentinels) {
        const meta = await client.json('GET', `/api/v1/storage/files/${s.id}`);
        expect(meta.status).toBe(200);
        expect(meta.body).toMatchObject({ status: 'ready', size: s.bytes.length, sha256: sha256(s.bytes) });
        const content = await client.download(s.id);
        expect(content.status).toBe(200);
        expect(createHash('sha256').update(content.body).digest('hex')).toBe(sha256(s.bytes));
      }
    }
  });

  // -------------------------------------------------------------------------------------------
  // Generators

  function requestFor(operation: Operation, credential: Credential): fc.Arbitrary<InjectOptions> {
    const pathParams = operation.parameters.filter((p) => p.in === 'path');
    const queryParams = operation.parameters.filter((p) => p.in === 'query');
    const headerParams = operation.parameters.filter((p) => p.in === 'header');
    const path = fc
      .tuple(...pathParams.map(() => idFor(credential, operation.method)))
      .map((values) => pathParams.reduce((url, p, i) => url.replace(`{${p.name}}`, values[i]), operation.path));
    const query = fc
      .tuple(
        fc.tuple(...queryParams.map((p) => fc.option(valueFor(p.schema ?? {}), { nil: undefined }))),
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...queryParams.map((p) => p.name), 'x', '__proto__', 'api_key', 'x-api-key'), hostileString), scalarString), { maxLength: 3 }),
      )
      .map(([values, extra]) => {
        const pairs: string[] = [];
        queryParams.forEach((p, i) => values[i] !== undefined && pairs.push(`${encodeURIComponent(p.name)}=${encodeQuery(values[i])}`));
        for (const [k, v] of extra) pairs.push(`${encodeQuery(k)}=${encodeQuery(v)}`);
        return pairs.length ? `?${pairs.join('&')}` : '';
      });
    const headers = fc.tuple(
      fc.tuple(...headerParams.map((p) => fc.option(headerValue(p.name), { nil: undefined }))),
      fc.array(fc.tuple(fc.constantFrom(...HOSTILE_HEADER_NAMES), headerValue('x')), { maxLength: 3 }),
      contentType(operation),
      keyHeader(credential),
    );
    const method = fc.oneof({ weight: 9, arbitrary: fc.constant(operation.method) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) });
    return fc
      .tuple(method, path, query, headers, bodyFor(operation))
      .map(([m, p, q, [hdrValues, extra, type, key], payload]) => {
        const h: Record<string, string | string[]> = {};
        headerParams.forEach((param, i) => hdrValues[i] !== undefined && (h[param.name.toLowerCase()] = hdrValues[i]!));
        for (const [name, value] of extra) h[name] = h[name] === undefined ? value : ([] as string[]).concat(h[name], value);
        if (type !== undefined) h['content-type'] = type;
        if (key !== undefined) h['x-api-key'] = key === 'other-owner' ? keyB : key;
        // An owner may delete its own files: a DELETE it sends aims at the other owner's instead.
        const [own, others] = credential === 'valid' ? [sentinelsA, sentinelsB] : credential === 'other-owner' ? [sentinelsB, sentinelsA] : [[], []];
        const url = m === 'DELETE' ? own.reduce((u, mine) => u.split(mine.id).join(others[0].id), p + q) : p + q;
        const options: InjectOptions = { method: m as InjectOptions['method'], url, headers: h, remoteAddress: randomAddress() };
        if (payload !== undefined && m !== 'GET' && m !== 'HEAD') options.payload = payload;
        return options;
      });
  }

  function bodyFor(operation: Operation): fc.Arbitrary<string | Buffer | undefined> {
    const json = operation.bodySchema
      ? fc.oneof(
          { weight: 4, arbitrary: objectFor(resolve(operation.bodySchema)).map((v) => JSON.stringify(v)) },
          { weight: 2, arbitrary: duplicatedKeys(resolve(operation.bodySchema)) },
          { weight: 2, arbitrary: deepJson },
          { weight: 1, arbitrary: wideJson },
          { weight: 2, arbitrary: fc.json() },
          { weight: 1, arbitrary: fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '1e400', '{"__proto__":{"x":1}}', '\u0000', '\uFEFF{}') },
        )
      : fc.oneof(fc.constant(undefined), fc.json(), deepJson);
    const raw = operation.bodyTypes.some((type) => !type.includes('json'))
      ? fc.oneof(
          fc.uint8Array({ maxLength: 80_000 }).map((a) => Buffer.from(a)),
          fc.constant(Buffer.alloc(0)),
        )
      : fc.constant(undefined);
    return fc.oneof({ weight: 3, arbitrary: json }, { weight: 1, arbitrary: raw }, { weight: 1, arbitrary: fc.constant(undefined) });
  }

  function objectFor(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const names = Object.keys(properties);
    if (schema.type !== 'object' || names.length === 0 || depth > 3) return valueFor(schema);
    return fc
      .tuple(
        fc.tuple(...names.map((n) => fc.option(fc.oneof({ weight: 3, arbitrary: valueFor(resolve(properties[n]), depth + 1) }, { weight: 1, arbitrary: anyValue }), { nil: undefined, freq: 5 }))),
        fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'id', 'status', 'ownerId', 'sha256')), anyValue, { maxKeys: 3 }),
      )
      .map(([values, extra]) => {
        const out: Record<string, unknown> = { ...extra };
        names.forEach((n, i) => values[i] !== undefined && (out[n] = values[i]));
        return out;
      });
  }

  function duplicatedKeys(schema: Schema): fc.Arbitrary<string> {
    return fc.tuple(objectFor(schema), fc.constantFrom(...Object.keys((schema.properties ?? { x: {} }) as object)), anyValue).map(([obj, name, value]) => {
      const text = JSON.stringify(obj);
      const extra = `${JSON.stringify(name)}:${JSON.stringify(value) ?? 'null'}`;
      return text === '{}' ? `{${extra}}` : `${text.slice(0, -1)},${extra}}`;
    });
  }

  /** A value shaped by the schema, or a boundary or a confusion of its type. */
  function valueFor(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
    const s = resolve(schema);
    const typed: fc.Arbitrary<unknown>[] = [];
    if (Array.isArray(s.enum)) typed.push(fc.constantFrom(...(s.enum as unknown[])));
    if (s.example !== undefined) typed.push(fc.constant(s.example));
    if (s.type === 'integer' || s.type === 'number') {
      const min = typeof s.minimum === 'number' ? s.minimum : 0;
      const max = typeof s.maximum === 'number' ? s.maximum : Number.MAX_SAFE_INTEGER;
      typed.push(fc.constantFrom(min, max, min - 1, max + 1, -0, 2 ** 53, 2 ** 63, -(2 ** 63), 1.5, 1e308), fc.integer());
    }
    if (s.type === 'string') {
      typed.push(hostileString, opaqueToken, fc.string({ minLength: 250, maxLength: 300 }), fc.constantFrom('', ' ', 'a'.repeat(256)));
      if (typeof s.pattern === 'string') typed.push(fc.stringMatching(new RegExp(s.pattern)));
      if (s.format === 'uuid') typed.push(fc.uuid());
    }
    if (s.type === 'object' && depth < 3) typed.push(objectFor(s, depth + 1));
    if (s.type === 'array' && s.items && depth < 3) typed.push(fc.array(valueFor(s.items as Schema, depth + 1), { maxLength: 4 }));
    return fc.oneof({ weight: 3, arbitrary: typed.length ? fc.oneof(...typed) : anyValue }, { weight: 1, arbitrary: anyValue });
  }

  /** An error message that quotes the request's path back (a reflection vector, and noise). */
  function echoes(options: InjectOptions, status: number, body: string): string | null {
    if (status < 400) return null;
    const path = String(options.url).split('?')[0];
    const last = path.split('/').pop() ?? '';
    return body.includes(path) || (last.length >= 12 && body.includes(last)) ? 'the error body echoes the URL' : null;
  }

  function resolve(schema: Schema): Schema {
    let s = schema;
    for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
      s = doc.components?.schemas?.[(s.$ref as string).split('/').pop()!] ?? {};
    }
    if (Array.isArray(s.allOf) && s.allOf.length === 1) return resolve(s.allOf[0] as Schema);
    return s;
  }

  function checkAnswer(status: number, contentType: string | number | string[] | undefined, body: string): string | null {
    if (status >= 500) return 'a 5xx answer';
    if (INTERNALS.test(body)) return 'an internal name in the body';
    if (status < 400 || body.length === 0) return null;
    if (!String(contentType ?? '').startsWith('application/json')) return `an error body of type ${String(contentType)}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return 'an error body that is not JSON';
    }
    const p = parsed as Record<string, unknown>;
    const keys = Object.keys(p ?? {}).sort().join(',');
    if (keys !== 'error,message,statusCode') return `error body fields ${keys}`;
    if (p.statusCode !== status || typeof p.error !== 'string' || typeof p.message !== 'string') return 'error body values';
    return null;
  }
});

// ---------------------------------------------------------------------------------------------
// Shared arbitraries

const UNICODE_EDGES = ['\u0000', '\uD800', '\uDFFF', '\u202E', '\u200F', '\u2066', '\uFEFF', '\uFFFF', '\u{1F4A9}', '\u{10FFFF}', 'e\u0301', '\r\n', '\t', '\u0085', '\u2028', '%00', '%', '%zz', '..', '/', '\\', "'", '"', '<script>', '${x}', '{{x}}'];

const hostileString = fc.oneof(
  fc.constantFrom(...UNICODE_EDGES),
  fc.array(fc.constantFrom(...UNICODE_EDGES), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom("1' OR '1'='1", '1; DROP TABLE stored_files;--', '../../etc/passwd', 'null', 'undefined', 'NaN', '-1', '0x10', '1e400', '[object Object]'),
);

const scalarString = fc.oneof(hostileString, fc.integer().map(String), fc.constantFrom('', 'true', '1', '0', '-1', '100', '101'));

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, '', [], {}),
  hostileString,
  fc.integer(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);

/**
 * Opaque tokens (cursors and the like) that decode to well-formed but impossible positions:
 * base64url of `<timestamp>|<uuid>` with out-of-range and edge timestamps.
 */
const opaqueToken = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('0000-01-01T00:00:00.000000Z', '9999-12-31T23:59:59.999999Z', '2026-02-30T00:00:00.000000Z', '2026-12-31T23:59:60.000000Z', '2026-01-01T24:00:00.000000Z', '1970-01-01T00:00:00.000000Z'),
      fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 23) + '123Z'),
    ),
    fc.oneof(fc.uuid(), fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff')),
  )
  .map(([time, id]) => Buffer.from(`${time}|${id}`).toString('base64url'));

/** Depth past any recursion limit a parser, validator or transformer might have. */
const deepJson = fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('{"a":', '[', '{"filename":')).map(([depth, open]) => {
  const close = open === '[' ? ']' : '}';
  return open.repeat(depth) + '1' + close.repeat(depth);
});

const wideJson = fc.integer({ min: 100, max: 5000 }).map((n) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))));

/** A path segment as a client could really put it on the wire: raw percent garbage, long, unicode. */
const hostileSegment = fc.oneof(
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%FF%FE', '%00', '%2e%2e%2f', '..%2F..%2Fetc%2Fpasswd', '%F0%9F%92%A9', '%ED%A0%80', 'a%2Fb', '%25', '.', '..', 'ｆｉｌｅ', '%E2%80%AE'),
  fc.integer({ min: 90, max: 2000 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 90, max: 200 }).map((n) => '%41'.repeat(n)),
  hostileString.map((s) => encodeURIComponent(safeEncode(s))),
);

const ODD_METHODS = ['HEAD', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'SEARCH', 'MKCOL', 'LOCK', 'PURGE', 'QUERY', 'DELETE', 'PUT', 'POST', 'GET'].filter((m) => METHODS.includes(m));

const HOSTILE_HEADER_NAMES = ['range', 'if-none-match', 'if-range', 'if-match', 'if-modified-since', 'tus-resumable', 'upload-length', 'upload-offset', 'upload-metadata', 'upload-concat', 'upload-checksum', 'upload-defer-length', 'x-http-method-override', 'content-length', 'transfer-encoding', 'accept', 'accept-encoding', 'x-forwarded-for', 'origin', 'cookie'];

function headerValue(name: string): fc.Arbitrary<string> {
  const n = name.toLowerCase();
  const specific: string[] =
    n === 'range'
      ? ['bytes=0-0', 'bytes=-1', 'bytes=5-1', 'bytes=0-', 'bytes=99999999999999999999-', 'bytes=0-1,2-3,4-5', 'bytes=-0', 'items=0-1', 'bytes=a-b', 'bytes=' + '0-1,'.repeat(500)]
      : n === 'if-none-match' || n === 'if-match' || n === 'if-range'
        ? ['*', '"x"', 'W/"x"', '"', 'W/', '"a", "b"', ',,,', 'Tue, 01 Dec 2026 00:00:00 GMT']
        : ['1.0.0', '0.2.2', '-1', '0', '99999999999999999999999', 'filename dGVzdA==', 'filename %%%', 'final;a b', 'sha1 !!!', 'chunked', 'gzip, br'];
  return fc.oneof(
    fc.constantFrom(...specific),
    fc.string({ unit: fc.constantFrom(...'abc-,;=*"W/ 0123456789'.split('')), maxLength: 40 }),
    fc.integer({ min: 8_000, max: 16_000 }).map((len) => 'x'.repeat(len)),
  );
}

function contentType(operation: Operation): fc.Arbitrary<string | undefined> {
  const documented = operation.bodyTypes.length ? operation.bodyTypes : ['application/json'];
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...documented) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/json;;;',
        'APPLICATION/JSON',
        'application/offset+octet-stream',
        '*/*',
        '',
        'a/b/c',
        'application/json\u0000',
      ),
    },
  );
}

function keyHeader(credential: Credential): fc.Arbitrary<string | undefined> {
  switch (credential) {
    case 'valid':
      return fc.constant('valid');
    case 'other-owner':
      return fc.constant('other-owner');
    case 'none':
      return fc.constantFrom(undefined, '', ' ');
    case 'malformed':
      return fc.oneof(hostileString.map(safeHeader), fc.constantFrom('exstr_live_', 'exstr_live_' + 'g'.repeat(32), 'x'.repeat(10_000), 'Bearer x'));
  }
}

const routerRequest: fc.Arbitrary<InjectOptions> = fc
  .tuple(
    fc.constantFrom(...ODD_METHODS),
    fc.array(fc.oneof(hostileSegment, fc.constantFrom('api', 'v1', 'storage', 'files', 'content', 'upload', 'usage', 'me', 'tus', 'uploads', 'health', '')), { minLength: 1, maxLength: 6 }),
    fc.constantFrom('', '?', '?a=%', '?limit=%zz', '?cursor=' + 'A'.repeat(300), '#x', '?a[b]=1&a[b]=2'),
    fc.constantFrom(undefined, 'valid', 'exstr_live_00'),
  )
  .map(([method, segments, query, key]) => ({
    method: method as InjectOptions['method'],
    url: '/api/v1/' + segments.join('/') + query,
    headers: key === undefined ? {} : { 'x-api-key': key },
    remoteAddress: randomAddress(),
  }));

// ---------------------------------------------------------------------------------------------
// Helpers

function operationsOf(document: Document): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1')) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method.toUpperCase())) continue;
      const content = op.requestBody?.content ?? {};
      const bodyTypes = Object.keys(content);
      const jsonType = bodyTypes.find((type) => type.includes('json'));
      out.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], bodyTypes, bodySchema: jsonType ? content[jsonType].schema : undefined });
    }
  }
  return out;
}

let addressCounter = 0;
/** Every request from its own address, so the failed-key throttle does not turn the run into 429s. */
function randomAddress(): string {
  addressCounter += 1;
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

/** Strings a client can put in a query: lone surrogates cannot be UTF-8 encoded, so they go as raw % bytes. */
function encodeQuery(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return encodeURIComponent(safeEncode(text));
}

function safeEncode(text: string): string {
  return text.replace(/[\uD800-\uDFFF]/g, (c, i: number, s: string) => {
    const code = c.charCodeAt(0);
    const pair = code < 0xdc00 ? s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff : s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) < 0xdc00;
    return pair ? c : '\uFFFD';
  });
}

/** Header values are bytes 0x20–0x7E plus tab on the wire; anything else Node refuses to send. */
function safeHeader(value: string): string {
  return Buffer.from(safeEncode(value), 'utf8').toString('latin1').replace(/[^\t\x20-\x7e]/g, '?');
}

function summarize(options: InjectOptions): string {
  const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, clip(String(v), 80)]));
  const payload = options.payload === undefined ? '' : ` body=${clip(String(options.payload), 120)}`;
  return `${options.method} ${clip(String(options.url), 200)} ${JSON.stringify(headers)}${payload}`;
}
