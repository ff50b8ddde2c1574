import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs a script in a real child process whose stdout is a pipe, as in a container. */
function runChild(script: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['-r', join(ROOT, 'test', 'support', 'swc-register.cjs'), '-e', script],
      { cwd: ROOT, timeout: 20_000 },
      (_error, stdout) => resolve({ code: child.exitCode, stdout }),
    );
  });
}

describe('exitOnFatalError (real child process)', () => {
  it('writes the held lines and the error, then exits 1', async () => {
    const { code, stdout } = await runChild(`
      const { createLogger, exitOnFatalError } = require('./src/logging/logger.ts');
      const logger = createLogger({ level: 'info' });
      exitOnFatalError(logger);
      for (let i = 0; i < 3; i++) logger.info({ n: i }, 'held line');
      setTimeout(() => { throw new Error('boom'); }, 10);
      setTimeout(() => {}, 5000);
    `);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; n?: number; err?: { message: string } });
    expect(code).toBe(1);
    expect(lines.map((l) => [l.level, l.msg, l.n])).toEqual([
      [30, 'held line', 0],
      [30, 'held line', 1],
      [30, 'held line', 2],
      [60, 'uncaught exception: boom', undefined],
    ]);
    expect(lines[3].err?.message).toBe('boom');
  });

  it('treats an unhandled rejection the same way', async () => {
    const { code, stdout } = await runChild(`
      const { createLogger, exitOnFatalError } = require('./src/logging/logger.ts');
      const logger = createLogger({ level: 'info' });
      exitOnFatalError(logger);
      logger.info('held line');
      void Promise.reject(new Error('lost promise'));
      setTimeout(() => {}, 5000);
    `);
    expect(code).toBe(1);
    expect(stdout.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'held line',
      'unhandled rejection: lost promise',
    ]);
  });
});
