import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from './domain-error';
import { reasonPhrase } from './http-status-text';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/**
 * Fastify's own errors (body parsing, content types, limits) carry a 4xx
 * statusCode and a code like FST_ERR_CTP_BODY_TOO_LARGE. Their messages are
 * safe but terse; these say what to fix.
 */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type; send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty; send a JSON object',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_CTP_INVALID_TYPE: 'The Content-Type header is not valid',
  FST_ERR_CTP_INVALID_PARSER: 'Unsupported Content-Type',
  FST_CSRF_MISSING_SECRET: 'This form has expired. Reload the page and try again.',
  FST_CSRF_INVALID_TOKEN: 'This form has expired or was not sent from the dashboard. Reload the page and try again.',
};

/** Network-level failures reaching PostgreSQL, and SQLSTATEs meaning "the server is not there". */
const UNAVAILABLE_NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_SQLSTATES = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established|the database system is (starting up|shutting down)/i;

/**
 * True when the error means the database cannot be reached right now: the
 * client should retry (503), nothing is wrong with its request.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const candidate = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string') {
      if (UNAVAILABLE_NET_CODES.has(candidate.code) || UNAVAILABLE_SQLSTATES.test(candidate.code)) return true;
    }
    if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGES.test(candidate.message)) return true;
    e = candidate.driverError ?? candidate.cause;
  }
  return false;
}

/**
 * Maps anything thrown while handling a request to the public error body and
 * tells whether it is a server fault (to be logged with its cause). Nothing
 * internal (stack, query, class or file names) ever reaches the body.
 */
export interface ErrorResult {
  body: ErrorBody;
  /** Log it with its cause: something is wrong on our side. */
  serverFault: boolean;
  retryAfterSeconds?: number;
  databaseDown?: boolean;
  /** Headers the answer carries (a DomainError's). */
  headers?: Readonly<Record<string, string>>;
}

export function toErrorBody(exception: unknown): ErrorResult {
  if (exception instanceof DomainError) {
    const status = exception.status;
    return {
      // A catalog's messages are written for clients, 5xx ones (507, 503) included.
      body: { statusCode: status, error: reasonPhrase(status), message: exception.message },
      serverFault: status === 500,
      headers: exception.headers,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // Nest wraps Fastify's own 4xx errors; their code says what to tell the client.
    const code = (exception.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && FASTIFY_MESSAGES[code]) {
      return {
        body: { statusCode: status, error: reasonPhrase(status), message: FASTIFY_MESSAGES[code] },
        serverFault: false,
      };
    }
    return { body: fromHttpException(exception, status), serverFault: status >= 500 };
  }
  const fastify = exception as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (
    typeof fastify?.statusCode === 'number' &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    const status = fastify.statusCode;
    const code = typeof fastify.code === 'string' ? fastify.code : '';
    const message =
      FASTIFY_MESSAGES[code] ??
      (code.startsWith('FST_ERR_CTP_INVALID_JSON') || exception instanceof SyntaxError
        ? 'Request body is not valid JSON'
        : // Fastify's other messages may quote the request (a URL, a header): say only what failed.
          reasonPhrase(status));
    return { body: { statusCode: status, error: reasonPhrase(status), message }, serverFault: false };
  }
  if (isDatabaseUnavailable(exception)) {
    const status = HttpStatus.SERVICE_UNAVAILABLE;
    return {
      body: { statusCode: status, error: reasonPhrase(status), message: 'Service temporarily unavailable; try again shortly' },
      serverFault: false,
      retryAfterSeconds: 5,
      databaseDown: true,
    };
  }
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return {
    body: { statusCode: status, error: reasonPhrase(status), message: 'Internal server error' },
    serverFault: true,
  };
}

function fromHttpException(exception: HttpException, status: number): ErrorBody {
  const response = exception.getResponse();
  let message: string;
  if (typeof response === 'string') {
    message = response;
  } else {
    const raw = (response as { message?: unknown }).message;
    message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : reasonPhrase(status);
  }
  if (status >= 500) message = status === 500 ? 'Internal server error' : message;
  return { statusCode: status, error: reasonPhrase(status), message };
}
