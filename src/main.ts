import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { createApp } from './app.factory';
import { appConfig, assertSupportedNode, ConfigurationError, databaseConfig, loggingConfig, storageConfig, useEmbeddedDatabase, validateConfiguration } from './config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';
import { createLogger, exitOnFatalError, flushLogs } from './logging/logger';
import { assertS3BucketWritable } from './storage';

/**
 * Let the JS heap grow to twice its live size before the next full GC.
 * Transfers allocate their bytes outside the JS heap (a fresh 1 MiB buffer per
 * read), so V8 sees little heap allocation and, once an idle spell has let its
 * memory reducer shrink the heap, sets the next limit only a few MB above the
 * live ~50 MB. From then on every promoted buffer restarts full marking: the
 * bench measured 8–21 mark-compacts per 256 MiB transfer and upload and
 * download rates falling to about half. With this setting: none during
 * transfers, for at most one live heap (~50 MB) of extra memory. V8 reads the
 * setting each time it sets a limit, so setting it here at start takes effect.
 */
setFlagsFromString('--heap-growing-percent=100');

/** The embedded PostgreSQL this process started, if any: stopped on every way out. */
let embedded: EmbeddedDatabase | null = null;

async function bootstrap(): Promise<void> {
  const logger = new Logger('EDS');
  assertSupportedNode();
  validateConfiguration();
  const { port, dataDir, host } = appConfig();
  await assertWritableDir(dataDir);
  const storage = storageConfig();
  if (storage.driver === 's3') await assertS3BucketWritable(storage.s3);

  // No DATABASE_URL: run our own PostgreSQL in the data dir (nothing to install).
  if (!databaseConfig().url) {
    embedded = await startEmbeddedPostgres({ clusterDir: join(dataDir, 'postgres'), ownSession: true });
    useEmbeddedDatabase(embedded.url);
    // Never the URL: it holds the password. ormconfig.ts finds the running server itself.
    logger.log(`Embedded PostgreSQL in ${join(dataDir, 'postgres')} (the TypeORM CLI, npm run migration:*, finds it while EDS runs)`);
  }

  const logs = createLogger({ level: loggingConfig().level });
  exitOnFatalError(logs);
  const app = await createApp({ logger: logs });
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: finishing requests, flushing, stopping`);
    // First stop accepting and let in-flight requests finish (app.close()
    // alone runs the last-use flush before it closes the server, so a request
    // finishing during the drain would be stamped after the flush). Then
    // app.close() runs the shutdown hooks (the flush) and closes the pool;
    // only then may the embedded database go.
    await app.getHttpAdapter().close().catch((e: Error) => logger.error(`Shutdown: ${e.message}`));
    await app.close().catch((e: Error) => logger.error(`Shutdown: ${e.message}`));
    await embedded?.stop().catch((e: Error) => logger.error(`Stopping PostgreSQL: ${e.message}`));
    // Lines are buffered (see createLogger): the last requests' lines go out before we do.
    await flushLogs(logs);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port, host });
  logger.log(`EDS listening on http://localhost:${port} — dashboard /dashboard, API docs /api/docs`);
}

async function assertWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.write-probe-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigurationError(`Invalid configuration: EDS_DATA_DIR ${dir} is not a writable directory (${reason})`);
  }
}

bootstrap().catch(async (error: unknown) => {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
  } else {
    console.error('EDS failed to start:', error instanceof Error ? error.message : error);
  }
  // Do not leave our PostgreSQL running behind a failed start (a busy port, say).
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
