/**
 * `npm run bench`: EDS against bare node:http baselines, side by side in one
 * run on this machine, printed as ratios. Exits non-zero when a target of
 * issue 4 is missed. `--quick` shrinks every figure (for the smoke test in
 * npm test); `--no-fail` reports without failing.
 *
 * Everything runs on loopback: the app as a real process (its own embedded
 * PostgreSQL), a second instance on the same database, a bare node:http
 * server, and autocannon in this process.
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { encodeCursor } from '../src/storage/file-cursor';
import { freePort } from '../src/common/free-port';
import { runningEmbeddedDatabaseUrl } from '../src/database/embedded-postgres';
import { spawnApp, type AppProcess } from '../test/support/app-process';
import { insertApiKey } from '../test/support/sql';
import { sleep } from '../test/support/wait';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const FAIL = !args.has('--no-fail');
const MiB = 1024 * 1024;
const CONFIG = QUICK
  ? { seconds: Number(process.env.BENCH_SECONDS ?? 1), rounds: 1, transferRounds: 1, connections: 32, uploadMiB: 8, listRows: 20_000, deepPage: 200, samples: 20 }
  : { seconds: Number(process.env.BENCH_SECONDS ?? 4), rounds: 7, transferRounds: 5, connections: 32, uploadMiB: 256, listRows: 1_000_000, deepPage: 10_000, samples: 200 };
const ADMIN = { email: 'bench@example.com', password: 'bench-password-123' };

interface Figure {
  name: string;
  value: string;
  baseline: string;
  ratio: number | null;
  target: string;
  ok: boolean;
}
const figures: Figure[] = [];
const record = (f: Figure) => {
  figures.push(f);
  console.log(`${f.ok ? 'ok  ' : 'MISS'} ${f.name}: ${f.value} | baseline ${f.baseline} | ${f.ratio === null ? '' : `ratio ${f.ratio.toFixed(2)} | `}target ${f.target}`);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median of the per-round ratios a[i] / b[i]. */
const pairedRatio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eds-bench-'));
  await chmod(dir, 0o755); // the embedded PostgreSQL runs as `postgres` when we are root
  const cleanup: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  try {
    console.log(`EDS bench${QUICK ? ' (quick)' : ''}: ${CONFIG.connections} connections, rates as the median of ${CONFIG.rounds} interleaved round(s) of ${CONFIG.seconds} s, ${CONFIG.uploadMiB} MiB transfers`);
    const env = {
      EDS_DATA_DIR: join(dir, 'data'),
      EDS_ADMIN_EMAIL: ADMIN.email,
      EDS_ADMIN_PASSWORD: ADMIN.password,
      EDS_LOG_LEVEL: 'warn',
      EDS_API_KEY_FAILURES_PER_MINUTE: '100',
    };
    const a = await spawnApp(env, 120_000);
    cleanup.unshift(() => stop(a));
    const databaseUrl = runningEmbeddedDatabaseUrl(join(env.EDS_DATA_DIR, 'postgres'));
    if (!databaseUrl) throw new Error('the app runs no embedded PostgreSQL in its data dir');
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    cleanup.unshift(() => db.end());

    const bare = await startBare(dir);
    cleanup.unshift(async () => bare.child.kill());

    const { key } = await insertKey(db);
    const headers = { 'x-api-key': key };

    // 1. Request rates: the three targets take turns, round after round; a
    // ratio is the median of the rounds' ratios (each pair measured moments
    // apart), so a noisy spell on a shared machine cannot land on one side.
    const [live, me, bareRate] = await rates([
      { name: 'GET /health/live', url: `${a.url}/health/live` },
      { name: 'GET /api/v1/me', url: `${a.url}/api/v1/me`, headers },
      { name: 'bare node:http', url: `${bare.url}/me` },
    ]);
    const authRatio = pairedRatio(me, live);
    const limitRatio = pairedRatio(me, bareRate);
    record({ name: 'auth ratio (GET /api/v1/me ÷ GET /health/live)', value: `${median(me).toFixed(0)} req/s`, baseline: `${median(live).toFixed(0)} req/s`, ratio: authRatio, target: '≥ 0.70', ok: authRatio >= 0.7 });
    record({ name: 'limit ratio (GET /api/v1/me ÷ bare node:http JSON)', value: `${median(me).toFixed(0)} req/s`, baseline: `${median(bareRate).toFixed(0)} req/s`, ratio: limitRatio, target: '≥ 0.40', ok: limitRatio >= 0.4 });

    // 2. A just-deactivated key: 401 on the very next request, on the same instance.
    const session = await signIn(a.url);
    let deactivatedOk = true;
    for (let i = 0; i < (QUICK ? 3 : 20); i++) {
      const k = await insertKey(db);
      for (let j = 0; j < 3; j++) await expectStatus(`${a.url}/api/v1/me`, { 'x-api-key': k.key }, 200);
      await deactivate(a.url, session, k.id);
      const status = (await fetch(`${a.url}/api/v1/me`, { headers: { 'x-api-key': k.key } })).status;
      if (status !== 401) deactivatedOk = false;
    }
    record({ name: 'just-deactivated key, next request on the same instance', value: deactivatedOk ? 'always 401' : 'NOT 401', baseline: '-', ratio: null, target: 'always 401', ok: deactivatedOk });

    // 3. Uploads and downloads, with the app's memory watched: app and bare
    // take turns, and each ratio is the median of the rounds' ratios.
    const payload = join(dir, 'payload.bin');
    await writeRandomFile(payload, CONFIG.uploadMiB * MiB);
    const rss = watchRss(a.child.pid!);
    const ups: Array<{ app: number; bare: number }> = [];
    const downs: Array<{ app: number; bare: number }> = [];
    for (let round = 0; round < CONFIG.transferRounds; round++) {
      const appUp = await timedUpload(a.url, headers, payload);
      ups.push({ app: appUp.mbps, bare: await timedPut(`${bare.url}/upload`, {}, payload) });
      downs.push({
        app: await timedDownload(`${a.url}/api/v1/storage/files/${appUp.fileId}/content`, headers, appUp.sha256),
        bare: await timedDownload(`${bare.url}/download`, {}, appUp.sha256),
      });
    }
    const growth = rss.stop();
    for (const [name, xs] of [['upload', ups], ['download', downs]] as const) {
      console.log(`     ${name} MB/s, app / bare: ${xs.map((x) => `${x.app.toFixed(0)} / ${x.bare.toFixed(0)}`).join(', ')}`);
    }
    const upRatio = pairedRatio(ups.map((x) => x.app), ups.map((x) => x.bare));
    const downRatio = pairedRatio(downs.map((x) => x.app), downs.map((x) => x.bare));
    record({ name: `upload ratio (PUT ${CONFIG.uploadMiB} MiB)`, value: `${median(ups.map((x) => x.app)).toFixed(0)} MB/s`, baseline: `${median(ups.map((x) => x.bare)).toFixed(0)} MB/s`, ratio: upRatio, target: '≥ 0.80', ok: upRatio >= 0.8 });
    record({ name: `download ratio (GET ${CONFIG.uploadMiB} MiB)`, value: `${median(downs.map((x) => x.app)).toFixed(0)} MB/s`, baseline: `${median(downs.map((x) => x.bare)).toFixed(0)} MB/s`, ratio: downRatio, target: '≥ 0.80', ok: downRatio >= 0.8 });
    record({ name: 'peak RSS growth during uploads + downloads', value: `${(growth / MiB).toFixed(1)} MiB`, baseline: `${(rss.start / MiB).toFixed(0)} MiB at start`, ratio: null, target: '< 48 MiB', ok: growth < 48 * MiB });

    // 4. Listing with many files for one owner: first page and a deep page.
    const list = await listLatency(a.url, headers, db);
    record({ name: `list p50, ${CONFIG.listRows.toLocaleString('en')} files: first page / page ${CONFIG.deepPage.toLocaleString('en')}`, value: `${list.first.toFixed(2)} ms / ${list.deep.toFixed(2)} ms`, baseline: '-', ratio: list.deep / list.first, target: '< 10 ms, same for both', ok: list.first < 10 && list.deep < 10 && list.deep / list.first < 2 });

    // 5. Two instances on one database: deactivate on A, 401 on B.
    const b = await spawnApp({ ...env, EDS_DATA_DIR: join(dir, 'data-b'), DATABASE_URL: databaseUrl }, 120_000);
    cleanup.unshift(() => stop(b));
    const revocations: number[] = [];
    for (let i = 0; i < (QUICK ? 2 : 10); i++) {
      const k = await insertKey(db);
      await expectStatus(`${a.url}/api/v1/me`, { 'x-api-key': k.key }, 200);
      await expectStatus(`${b.url}/api/v1/me`, { 'x-api-key': k.key }, 200);
      const started = Date.now();
      await deactivate(a.url, session, k.id);
      while ((await fetch(`${b.url}/api/v1/me`, { headers: { 'x-api-key': k.key } })).status !== 401) {
        if (Date.now() - started > 5_000) break;
        await sleep(5);
      }
      revocations.push(Date.now() - started);
    }
    const worst = Math.max(...revocations);
    record({ name: 'cross-instance revocation (deactivate on A → 401 on B)', value: `median ${median(revocations)} ms, worst ${worst} ms`, baseline: '-', ratio: null, target: '< 1000 ms', ok: worst < 1000 });

    console.log(`\nmachine: ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown'}, ${require('node:os').cpus().length} cores, node ${process.version}`);
    const missed = figures.filter((f) => !f.ok);
    console.log(missed.length ? `${missed.length} target(s) missed` : 'all targets met');
    if (missed.length && FAIL) process.exitCode = 1;
  } finally {
    for (const step of cleanup) await step().catch(() => undefined);
  }
}

interface RateTarget {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

/** Req/s of each target in each of `CONFIG.rounds` interleaved rounds (after one warm-up each). */
async function rates(targets: RateTarget[]): Promise<number[][]> {
  const load = async ({ url, headers = {} }: RateTarget, seconds: number) => {
    const result = await autocannon({ url, connections: CONFIG.connections, duration: seconds, headers });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  };
  for (const target of targets) await load(target, 1);
  const samples = targets.map(() => [] as number[]);
  for (let round = 0; round < CONFIG.rounds; round++) {
    for (const [i, target] of targets.entries()) samples[i].push(await load(target, CONFIG.seconds));
  }
  targets.forEach((t, i) => console.log(`     ${t.name}: ${samples[i].map((x) => x.toFixed(0)).join(', ')} req/s`));
  return samples;
}

async function startBare(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = fork(join(__dirname, 'bare-server.js'), [String(port), dir], { stdio: 'inherit' });
  await new Promise((resolve) => child.once('message', resolve));
  return { url: `http://127.0.0.1:${port}`, child };
}

async function stop(app: AppProcess): Promise<void> {
  app.child.kill('SIGTERM');
  await Promise.race([app.exited, sleep(20_000)]);
}

const insertKey = (db: Client) => insertApiKey(db, ADMIN.email, 'bench');

async function expectStatus(url: string, headers: Record<string, string>, status: number): Promise<void> {
  const res = await fetch(url, { headers });
  if (res.status !== status) throw new Error(`${url}: expected ${status}, got ${res.status}`);
}

/** Signs in to the dashboard like a browser; answers the session cookie. */
async function signIn(base: string): Promise<string> {
  const page = await fetch(`${base}/dashboard/login`);
  let cookie = sessionCookie(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const res = await fetch(`${base}/dashboard/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password, _csrf: csrf }),
  });
  if (res.status !== 303) throw new Error(`dashboard login failed: ${res.status}`);
  cookie = sessionCookie(res);
  return cookie;
}

async function deactivate(base: string, cookie: string, keyId: string): Promise<void> {
  const page = await fetch(`${base}/dashboard/api-keys/${keyId}/deactivate`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const res = await fetch(`${base}/dashboard/api-keys/${keyId}/deactivate`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf }),
  });
  if (res.status !== 303) throw new Error(`deactivation failed: ${res.status}`);
}

function sessionCookie(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('eds_session='));
  if (!set) throw new Error('no session cookie');
  return set.split(';')[0];
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(MiB);
  for (let written = 0; written < bytes; written += MiB) {
    // Vary each block cheaply so nothing downstream can dedupe.
    block.writeUInt32LE(written / MiB, 0);
    if (!out.write(Buffer.from(block))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function timedUpload(base: string, headers: Record<string, string>, path: string): Promise<{ mbps: number; fileId: string; sha256: string }> {
  const size = (await stat(path)).size;
  const sha256 = await sha256Of(path);
  const created = await fetch(`${base}/api/v1/storage/upload`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ filename: 'bench.bin', mimeType: 'application/octet-stream', size, sha256 }),
  });
  if (created.status !== 201) throw new Error(`upload creation failed: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const mbps = await timedPut(`${base}/api/v1/storage/files/${id}/content`, headers, path);
  return { mbps, fileId: id, sha256 };
}

/** Streams the file as a PUT body; answers MB/s over the whole exchange. */
async function timedPut(url: string, headers: Record<string, string>, path: string): Promise<number> {
  const size = (await stat(path)).size;
  const started = process.hrtime.bigint();
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(url, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': size } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    createReadStream(path, { highWaterMark: MiB }).pipe(req);
  });
  if (status !== 200) throw new Error(`${url}: PUT answered ${status}`);
  return size / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function timedDownload(url: string, headers: Record<string, string>, expectedSha256: string): Promise<number> {
  const started = process.hrtime.bigint();
  const res = await fetch(url, { headers });
  if (res.status !== 200 || !res.body) throw new Error(`${url}: GET answered ${res.status}`);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of res.body) {
    bytes += (chunk as Uint8Array).byteLength;
    hash.update(chunk as Uint8Array);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (hash.digest('hex') !== expectedSha256) throw new Error(`${url}: downloaded bytes differ`);
  return bytes / 1e6 / seconds;
}

function watchRss(pid: number): { start: number; stop(): number } {
  const read = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  const start = read();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, 20);
  return {
    start,
    stop: () => {
      clearInterval(timer);
      return Math.max(0, Math.max(peak, read()) - start);
    },
  };
}

async function listLatency(base: string, headers: Record<string, string>, db: Client): Promise<{ first: number; deep: number }> {
  const { rows } = await db.query(`SELECT id FROM managers WHERE email = $1`, [ADMIN.email]);
  const owner = rows[0].id as string;
  await db.query(
    `INSERT INTO stored_files (owner_id, filename, mime_type, size, status, sha256, blob_key, created_at, uploaded_at)
     SELECT $1, 'file-' || g || '.txt', 'text/plain', 1, 'ready', repeat('0', 64), NULL,
            now() - make_interval(secs => g), now() - make_interval(secs => g)
       FROM generate_series(1, $2::int) AS g`,
    [owner, CONFIG.listRows],
  );
  await db.query('ANALYZE stored_files');
  const deepRow = await db.query(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at, id
       FROM stored_files WHERE owner_id = $1 AND status = 'ready'
      ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`,
    [owner, CONFIG.deepPage * 20 - 1],
  );
  const cursor = encodeCursor({ createdAt: deepRow.rows[0].created_at, id: deepRow.rows[0].id });
  const time = async (url: string) => {
    const samples: number[] = [];
    for (let i = 0; i < CONFIG.samples; i++) {
      const started = process.hrtime.bigint();
      const res = await fetch(url, { headers });
      const body = (await res.json()) as { items: unknown[] };
      if (res.status !== 200 || body.items.length !== 20) throw new Error(`${url}: ${res.status}`);
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return median(samples);
  };
  const result = {
    first: await time(`${base}/api/v1/storage/files?limit=20`),
    deep: await time(`${base}/api/v1/storage/files?limit=20&cursor=${cursor}`),
  };
  // The plan of the deep page, the same statement StoredFileRepository sends.
  const plan = await db.query(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
     SELECT f.* FROM stored_files f
      WHERE f.owner_id = $1 AND f.status = 'ready'
        AND (f.created_at, f.id) < (CAST($2 AS timestamptz), CAST($3 AS uuid))
      ORDER BY f.created_at DESC, f.id DESC LIMIT 21`,
    [owner, deepRow.rows[0].created_at, deepRow.rows[0].id],
  );
  console.log(`     plan of page ${CONFIG.deepPage.toLocaleString('en')}:\n${plan.rows.map((r) => `       ${r['QUERY PLAN']}`).join('\n')}`);
  return result;
}


main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(2);
});
