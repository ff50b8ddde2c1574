import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyBaseLogger } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { frameworkErrors } from './common/framework-errors';
import { serverTimeoutOptions } from './common/server-timeouts';
import { appConfig, serverConfig } from './config';
import { createLogger, PinoNestLogger, RequestLogController } from './logging/logger';

/** JSON bodies under /api/v1 are small by contract (DESIGN.md §4). */
export const JSON_BODY_LIMIT = 64 * 1024;

export interface CreateAppOptions {
  /** Where the JSON log lines go (stdout by default). */
  logDestination?: DestinationStream;
}

export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const { trustProxy } = appConfig();
  const logger = createLogger({ destination: options.logDestination });
  const adapter = new FastifyAdapter({
    trustProxy,
    bodyLimit: JSON_BODY_LIMIT,
    loggerInstance: logger,
    logController: new RequestLogController(),
    // No per-request child logger: its bindings cost more than the key check.
    childLoggerFactory: (root: FastifyBaseLogger) => root,
    // The router's own refusals (bad percent-encoding, long parameters) in the one error shape.
    frameworkErrors,
    // Header, idle and keep-alive timeouts: stalled clients cannot hold sockets for ever.
    ...serverTimeoutOptions(serverConfig()),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  await configureApp(app);
  return app;
}
