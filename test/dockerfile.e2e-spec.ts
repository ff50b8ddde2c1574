import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Docker does not run on these machines and no maintained Dockerfile linter
 * installs here (Debian has no hadolint; dockerfilelint predates
 * HEALTHCHECK --start-period). So the image's promises are checked as text,
 * against the files the image copies and the entry point the build produces.
 */
describe('Dockerfile', () => {
  const root = join(__dirname, '..');
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = instructions.reduce<string[][]>((acc, line) => {
    if (/^FROM\s/i.test(line)) acc.push([]);
    acc[acc.length - 1]?.push(line);
    return acc;
  }, []);
  const runtime = stages[stages.length - 1];

  it('is multi-stage, and the runtime stage keeps production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(instructions.some((l) => /npm prune --omit=dev|npm ci --omit=dev/.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY --from=build \/app\/node_modules/.test(l))).toBe(true);
  });

  it('builds and runs on Node 24, as package.json engines and its node devDependency say', () => {
    const froms = instructions.filter((l) => /^FROM\s/i.test(l));
    for (const from of froms) expect(from).toMatch(/^FROM node:24-/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.engines.node).toBe('>=24');
    expect(pkg.devDependencies.node).toMatch(/^24\./);
  });

  it('runs as a non-root user', () => {
    const user = runtime.filter((l) => /^USER\s/.test(l)).pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(\s|:|$)/);
  });

  it('has a HEALTHCHECK on /health, a /data volume and the data dir pointing at it', () => {
    expect(runtime.some((l) => /^HEALTHCHECK .*\/health\b/.test(l))).toBe(true);
    expect(runtime.some((l) => /^VOLUME \["\/data"\]/.test(l))).toBe(true);
    expect(runtime.some((l) => /EDS_DATA_DIR=\/data/.test(l))).toBe(true);
  });

  it('starts the entry point the build produces, and copies what it needs at run time', () => {
    const cmd = runtime.find((l) => /^CMD\s/.test(l));
    expect(cmd).toBe('CMD ["node", "dist/src/main.js"]');
    const nest = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')) as { entryFile: string };
    expect(`dist/${nest.entryFile}.js`).toBe('dist/src/main.js');
    for (const dir of ['views', 'public', 'migrations', 'src']) expect(existsSync(join(root, dir))).toBe(true);
    expect(runtime.some((l) => l === 'COPY views ./views')).toBe(true);
    expect(runtime.some((l) => l === 'COPY public ./public')).toBe(true);
  });

  it('keeps local state out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.git']) expect(ignored).toContain(entry);
  });
});
