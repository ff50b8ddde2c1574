import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';

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

/** The one pino logger of the process: Fastify's request logger and Nest's logger both write through it. */
export function createLogger(options: LoggingOptions = {}): Logger {
  const config = {
    level: options.level ?? process.env.EDS_LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      // A few named headers, never the whole set: secrets cannot slip in by a
      // new header name, and the line stays cheap to build.
      req: (req: FastifyRequest) => ({
        method: req.method,
        path: req.url.split('?')[0],
        route: req.routeOptions?.url,
        ip: req.ip,
        userAgent: req.headers['user-agent'],
        contentLength: req.headers['content-length'],
      }),
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/**
 * One line per answered request, written after the answer went out. Fastify's
 * own request logging (two lines, the raw URL with its query) is turned off in
 * favour of this one.
 */
export function registerRequestLogging(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    // Liveness probes every few seconds would drown the log.
    if (request.url !== '/health/live') {
      const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info';
      request.log[level]({ req: request, res: reply, responseTime: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
    }
    done();
  });
}

/** Nest's LoggerService on top of the pino logger: the framework's own lines become JSON too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
  /** Nest calls error(message, stack?, context?). */
  error(message: unknown, ...params: unknown[]): void {
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const stack = typeof params[0] === 'string' ? params[0] : undefined;
    if (message instanceof Error) {
      this.logger.error({ context, err: message }, message.message);
    } else {
      this.logger.error({ context, ...(stack ? { stack } : {}) }, String(message));
    }
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      this.logger[level]({ context, ...message });
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}
