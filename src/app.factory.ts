import { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { appConfig } from './config';
import { configureApp } from './app.setup';

/** JSON bodies under /api/v1 are small by contract (DESIGN.md §4). */
export const JSON_BODY_LIMIT = 64 * 1024;

export async function createApp(logger?: LoggerService | false): Promise<NestFastifyApplication> {
  const { trustProxy } = appConfig();
  const adapter = new FastifyAdapter({ trustProxy, bodyLimit: JSON_BODY_LIMIT });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: logger ?? undefined,
    abortOnError: false,
  });
  await configureApp(app);
  return app;
}
