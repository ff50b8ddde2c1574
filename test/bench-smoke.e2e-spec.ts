import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/**
 * `npm run bench` is a benchmark, not a test: its targets are not asserted
 * here (timings on a shared machine are noise). This only proves the script
 * still runs end to end, on the shipped-default path, and reports every figure.
 */
describe('npm run bench (smoke, --quick)', () => {
  it('runs and prints every figure with its target', async () => {
    const { stdout } = await run(
      process.execPath,
      ['-r', join(ROOT, 'test', 'support', 'swc-register.cjs'), join(ROOT, 'bench', 'run.ts'), '--quick', '--no-fail'],
      { cwd: ROOT, env: { ...process.env, BENCH_SECONDS: '1' }, timeout: 240_000, maxBuffer: 10 * 1024 * 1024 },
    );
    for (const figure of [
      /shipped defaults \(request log at info, stdout to a pipe read by another process\)/,
      /auth ratio .*: \d+ req\/s \| baseline \d+ req\/s \| ratio \d+\.\d\d \| target ≥ 0\.70/,
      /stack ratio \(GET \/api\/v1\/me ÷ Nest \+ Passport-on-a-Map reference\): \d+ req\/s \| baseline \d+ req\/s \| ratio \d+\.\d\d \| target ≥ 0\.85/,
      /limit ratio .*reference ÷ bare \d+\.\d\d.*: \d+ req\/s \| baseline \d+ req\/s \| ratio \d+\.\d\d \| target ≥ 0\.35/,
      /request log, one line per answered request: \d+ lines \| baseline \d+ requests/,
      /request-log line, in-process cost .*: -?\d+\.\d µs\/request \| baseline \d+\.\d µs\/request unlogged .*target ≤ 3 µs/,
      /just-deactivated key, next request on the same instance: always 401/,
      /upload ratio \(PUT 8 MiB\): \d+ MB\/s \| baseline \d+ MB\/s/,
      /tus \(8 MiB chunks\) ÷ PUT, 8 MiB upload .*: \d+ MB\/s \| baseline \d+ MB\/s single PUT \| ratio \d+\.\d\d \| target ≥ 0\.85/,
      /upload MB\/s, tus \(8 MiB PATCHes\) \/ single PUT \/ floor \(8 MiB chunks\): \d+ \/ \d+ \/ \d+/,
      /floor: 8 MiB chunks, each fsynced and its offset committed, no framework \(÷ EDS single PUT; EDS tus ÷ floor \d+\.\d\d\): \d+ MB\/s \| baseline \d+ MB\/s single PUT \| ratio \d+\.\d\d \| target none/,
      /download ratio \(GET 8 MiB\): \d+ MB\/s \| baseline \d+ MB\/s/,
      /peak RSS growth during uploads \+ downloads: \d+\.\d MiB/,
      /small files, two-step .*÷ bare two-request durable server: \d+ files\/s \| baseline \d+ files\/s \| ratio \d+\.\d\d \| target ≥ 0\.45/,
      /small files, one request \(tus creation-with-upload, 4 KiB, 16 concurrent\) ÷ bare one-request durable server: \d+ files\/s \| baseline \d+ files\/s \| ratio \d+\.\d\d \| target ≥ 0\.55/,
      /floor: small files, two-step, bare \+ one durable PostgreSQL statement per request \(÷ bare; EDS ÷ floor \d+\.\d\d\): \d+ files\/s \| baseline \d+ files\/s \| ratio \d+\.\d\d \| target none/,
      /floor: small files, one request, bare \+ one durable PostgreSQL statement per request \(÷ bare; EDS ÷ floor \d+\.\d\d\): \d+ files\/s \| baseline \d+ files\/s \| ratio \d+\.\d\d \| target none/,
      /list p50, 20,000 files: first page \/ page 200: \d+\.\d\d ms \/ \d+\.\d\d ms/,
      /Index Scan .* on stored_files|Index Scan using idx_stored_files_owner_created/,
      /cross-instance revocation \(deactivate on A → 401 on B\): median \d+ ms, worst \d+ ms/,
      /cached auth \(GET \/api\/v1\/me\): app \d+ µs \| PostgreSQL \d+ µs \| \d+\.\d\d statements/,
      /uncached auth .*: app \d+ µs \| PostgreSQL \d+ µs \| \d+\.\d\d statements/,
      /small file, two-step .*: app \d+ µs \| PostgreSQL \d+ µs \| \d+\.\d\d statements/,
      /small file, one request \(tus POST with the 4 KiB body\): app \d+ µs \| PostgreSQL \d+ µs \| \d+\.\d\d statements/,
      /tus PATCH content \(8 MiB chunks\), per MiB: app \d+ µs/,
      /list page \(20 files\): app \d+ µs \| PostgreSQL \d+ µs \| \d+\.\d\d statements/,
      /PUT content, per MiB: app \d+ µs/,
      /GET content, per MiB: app \d+ µs/,
      /(all targets met|\d+ target\(s\) missed)/,
    ]) {
      expect(stdout).toMatch(figure);
    }
  }, 300_000);
});
