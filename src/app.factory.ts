import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream, Logger } from 'pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { StartupLogLevels } from './common/startup-log-levels';
import { frameworkErrors } from './common/framework-errors';
import { serverTimeoutOptions } from './common/server-timeouts';
import { appConfig, loggingConfig, serverConfig } from './config';
import { createLogger, PinoNestLogger, requestLogging } from './logging/logger';

/** JSON bodies under /api/v1 are small by contract (DESIGN.md §4). */
export const JSON_BODY_LIMIT = 64 * 1024;

export interface CreateAppOptions {
  /** The process's logger (main.ts makes it, to flush it on the way out). */
  logger?: Logger;
  /** Where the JSON log lines go when no logger is given (buffered stdout by default). */
  logDestination?: DestinationStream;
}

export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const { trustProxy } = appConfig();
  const logger = options.logger ?? createLogger({ destination: options.logDestination, level: loggingConfig().level });
  const adapter = new FastifyAdapter({
    trustProxy,
    bodyLimit: JSON_BODY_LIMIT,
    ...requestLogging(logger),
    // The router's own refusals (bad percent-encoding, long parameters) in the one error shape.
    frameworkErrors,
    // Header, idle and keep-alive timeouts: stalled clients cannot hold sockets for ever.
    ...serverTimeoutOptions(serverConfig()),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: new StartupLogLevels(new PinoNestLogger(logger)),
    abortOnError: false,
  });
  await configureApp(app);
  return app;
}
