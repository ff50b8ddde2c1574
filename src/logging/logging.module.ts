import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Header values that are secrets: redacted from every log line. Keys sent
 * anywhere else (a query string) never reach the log either: request lines
 * log the path only.
 */
export const REDACTED_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

export interface LoggingOptions {
  /** Where JSON lines go; stdout when absent (tests pass a recorder). */
  destination?: DestinationStream;
  level?: string;
}

/** Structured JSON logs (pino) for the app and one line per request. */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions = {}): DynamicModule {
    const pinoOptions = {
      level: options.level ?? process.env.EDS_LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: IncomingMessage & { id?: unknown; raw?: IncomingMessage }) => ({
          id: req.id,
          method: req.method,
          path: (req.url ?? '').split('?')[0],
          headers: req.headers,
        }),
        res: (res: ServerResponse & { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Liveness probes every few seconds would drown the log.
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health/live' },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    };
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino's default route pattern ('{/*splat}') matches nothing on
          // Nest 12 + Fastify here: request lines were silently missing.
          forRoutes: ['*path'],
          pinoHttp: options.destination ? [pinoOptions, options.destination] : pinoOptions,
        }),
      ],
    };
  }
}
