import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { OPENAPI_FILE, serializeOpenApi } from '../scripts/export-openapi';
import { startTestApp, type TestApp } from './support/test-app';

const REDOCLY = join(__dirname, '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location?: Array<{ pointer?: string }> }>;
}

/** Redocly's own structural rules (`--extends=spec`), offline: no telemetry, no update check. */
function redoclyLint(file: string): Promise<LintReport> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [REDOCLY, 'lint', '--extends=spec', '--format=json', file],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      // Non-zero exit when it finds errors: the JSON report on stdout is what counts.
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as LintReport);
        } catch {
          reject(new Error(`redocly lint gave no report (${error?.message ?? 'exit 0'}): ${stderr}`));
        }
      },
    );
  });
}

const summary = (report: LintReport): string[] =>
  report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location?.[0]?.pointer ?? '?'}: ${p.message}`);

describe('openapi.json (e2e)', () => {
  let t: TestApp;
  let served: string;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await request(t.http).get('/api/docs-json').expect(200).expect('Content-Type', /json/);
    served = serializeOpenApi(JSON.parse(res.text));
    dir = await mkdtemp(join(tmpdir(), 'eds-openapi-'));
  });
  afterAll(async () => {
    await t.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('is committed and identical to the document the app serves at /api/docs-json', async () => {
    const committed = await readFile(OPENAPI_FILE, 'utf8').catch(() => '');
    if (committed !== served) {
      const a = committed.split('\n');
      const b = served.split('\n');
      const line = a.findIndex((text, i) => text !== b[i]);
      throw new Error(
        `openapi.json is out of date with the API: run \`npm run openapi:export\` and commit it.\n` +
          `First difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  served:    ${b[line] ?? '(end of file)'}`,
      );
    }
    expect(committed.endsWith('}\n')).toBe(true);
  });

  it('passes Redocly lint (--extends=spec) with no errors', async () => {
    const file = join(dir, 'served.json');
    await writeFile(file, served);
    const report = await redoclyLint(file);
    expect(summary(report)).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });

  it('would fail the lint on a broken document (the linter really runs)', async () => {
    const broken = JSON.parse(served) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    broken.paths['/api/v1/me'].get.responses = { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } } } };
    const file = join(dir, 'broken.json');
    await writeFile(file, JSON.stringify(broken));
    const report = await redoclyLint(file);
    expect(report.totals.errors).toBeGreaterThan(0);
    expect(report.problems.map((p) => p.ruleId)).toContain('no-unresolved-refs');
  });
});
