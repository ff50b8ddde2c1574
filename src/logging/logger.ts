import type { LoggerService } from '@nestjs/common';
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config';

/**
 * Header values that are secrets, redacted wherever a line carries a raw
 * header set. A request never logs one: the request line
 * (`writeRequestLine`) and the `req`/`res` serializers below pick named
 * fields, so no secret can slip in by a new header name and the line pays no
 * redaction (redacting `req`/`res` cost ~2.5 µs a line, the whole budget).
 * Keys sent anywhere else (a query string) never reach the log either:
 * request lines log the path only.
 */
export const REDACTED_PATHS = [
  'headers["x-api-key"]',
  'headers.cookie',
  'headers.authorization',
  'headers["proxy-authorization"]',
  'headers["set-cookie"]',
];

/**
 * Lines collect in memory and go out in one write per 16 KiB (~60 request
 * lines) instead of one write per line: a synchronous write to a pipe cost
 * ~15 µs a request. Held lines go out within a second on a quiet server, on
 * graceful shutdown, on a fatal error (see `exitOnFatalError`) and by pino on
 * process exit. sonic-boom holds them as Buffers: in its string mode it
 * measures the whole pending string on every line (`Buffer.byteLength` of a
 * growing concatenation), which cost more than building the line.
 */
const BUFFER_BYTES = 16 * 1024;
const MAX_WRITE_BYTES = 64 * 1024;
const FLUSH_EVERY_MS = 1000;
/** A reader that stops reading (a stuck log driver) costs dropped lines, not unbounded memory. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface LoggingOptions {
  /** Where JSON lines go; buffered stdout when absent (tests pass a recorder). */
  destination?: DestinationStream;
  level: LogLevel;
}

/** The one pino logger of the process: Fastify's request logger and Nest's logger both write through it. */
export function createLogger(options: LoggingOptions): Logger {
  const config = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
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
  return pino(config, options.destination ?? bufferedStdout());
}

interface BufferSonicBoom {
  write(data: Buffer): boolean;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

function bufferedStdout(): DestinationStream {
  const sonic = pino.destination({
    dest: 1,
    sync: false,
    contentMode: 'buffer',
    minLength: BUFFER_BYTES,
    maxWrite: MAX_WRITE_BYTES,
    maxLength: MAX_BUFFERED_BYTES,
    periodicFlush: FLUSH_EVERY_MS,
  }) as unknown as BufferSonicBoom;
  // pino flushes through these; pino's own exit hook flushes `sonic` directly.
  return {
    write: (line: string) => sonic.write(Buffer.from(line)),
    flush: (cb?: (err?: Error) => void) => sonic.flush(cb),
    flushSync: () => sonic.flushSync(),
  } as DestinationStream;
}

/** Writes out what the logger holds; resolves when it has reached the destination. */
export function flushLogs(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

/**
 * An uncaught exception (or unhandled rejection) leaves the process in an
 * unknown state: log it, write out every held line synchronously (the event
 * loop may never turn again), and exit 1, as Node would have.
 */
export function exitOnFatalError(logger: Logger, exit: (code: number) => never = process.exit): void {
  process.on('uncaughtException', (error: Error, origin: string) => {
    try {
      logger.fatal({ err: error, origin }, `${origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'}: ${error?.message ?? error}`);
      flushLogsSync(logger);
    } finally {
      exit(1);
    }
  });
}

/** Synchronous flush, for when the process is about to end. */
export function flushLogsSync(logger: Logger): void {
  const stream = (logger as unknown as Record<symbol, { flushSync?: () => void }>)[pino.symbols.streamSym];
  try {
    stream.flushSync?.();
  } catch {
    // A destination that cannot flush now (closed, not yet open) has nothing we could still save.
  }
}

/**
 * Fastify's request logging, reshaped: one line per answered request (not an
 * "incoming" and a "completed" one), at warn for 4xx and error for 5xx, with
 * the path and never the query string (where a careless client may have put
 * its key). Liveness probes every few seconds are not logged.
 */
export class RequestLogController extends LogController {
  /** `unlogged` decides by URL; the bench passes its own to price the line on twin routes. */
  constructor(unlogged: (url: string | undefined) => boolean = (url) => url === '/health/live') {
    super({ disableRequestLogging: (req: { url?: string }) => unlogged(req.url) });
  }

  override incomingRequest(): void {
    // The completion line says it all.
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const responseTime = Math.round(reply.elapsedTime * 10) / 10;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime }, 'request errored');
      return;
    }
    const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info';
    writeRequestLine(reply.log as Logger, level, request, reply.statusCode, responseTime);
  }

  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info(`Route ${request.method}:${request.url.split('?')[0]} not found`);
  }
}

/**
 * The line of an answered request, written straight to the logger's
 * destination: the same JSON pino writes for
 * `log[level]({ req, res, responseTime }, 'request completed')` with the
 * serializers above (same fields, same order, pino's own level number, time
 * and bindings), built as one template. Through pino's generic path (key
 * walk, serializer calls, safe stringify per value) the line measured about
 * 8 µs of server CPU a request under load; one line per request is the
 * shipped default, so it is built the short way. The path, route, address
 * and headers go through JSON.stringify: a client controls them.
 */
function writeRequestLine(logger: Logger, level: 'info' | 'warn' | 'error', request: FastifyRequest, statusCode: number, responseTime: number): void {
  if (!logger.isLevelEnabled(level)) return;
  const symbols = pino.symbols;
  const sink = (logger as unknown as Record<symbol, DestinationStream>)[symbols.streamSym];
  const bindings = (logger as unknown as Record<symbol, string>)[symbols.chindingsSym];
  const { url, method, headers } = request;
  const query = url.indexOf('?');
  const route = request.routeOptions?.url;
  const userAgent = headers['user-agent'];
  const contentLength = headers['content-length'];
  sink.write(
    `{"level":${logger.levels.values[level]},"time":${Date.now()}${bindings}` +
      `,"req":{"method":${JSON.stringify(method)},"path":${JSON.stringify(query === -1 ? url : url.slice(0, query))}` +
      (route === undefined ? '' : `,"route":${JSON.stringify(route)}`) +
      `,"ip":${JSON.stringify(request.ip)}` +
      (userAgent === undefined ? '' : `,"userAgent":${JSON.stringify(userAgent)}`) +
      (contentLength === undefined ? '' : `,"contentLength":${JSON.stringify(contentLength)}`) +
      `},"res":{"statusCode":${statusCode}},"responseTime":${responseTime},"msg":"request completed"}\n`,
  );
}

/**
 * The Fastify options that route request logging through `logger`: one line
 * per answer (RequestLogController) and no per-request child logger (its
 * bindings cost more than the key check).
 */
export function requestLogging(logger: Logger, controller = new RequestLogController()) {
  return {
    loggerInstance: logger,
    logController: controller,
    childLoggerFactory: (root: FastifyBaseLogger) => root,
  };
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
