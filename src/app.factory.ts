import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { appConfig } from './config';

/** JSON bodies under /api/v1 are small by contract (DESIGN.md §4). */
export const JSON_BODY_LIMIT = 64 * 1024;

export interface CreateAppOptions {
  /** Where the JSON log lines go (stdout by default). */
  logDestination?: DestinationStream;
}

export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const { trustProxy } = appConfig();
  const adapter = new FastifyAdapter({ trustProxy, bodyLimit: JSON_BODY_LIMIT });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ logging: { destination: options.logDestination } }),
    adapter,
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  await configureApp(app);
  return app;
}
