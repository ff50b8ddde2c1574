import { createLogger, RequestLogController } from './logger';

describe('createLogger', () => {
  const capture = () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (l: string) => void lines.push(l) }, level: 'info' });
    return { logger, lines };
  };
  const request = {
    method: 'GET',
    url: '/api/v1/me?x-api-key=exstr_live_in_query',
    routeOptions: { url: '/api/v1/me' },
    ip: '203.0.113.1',
    headers: {
      'x-api-key': 'exstr_live_in_header',
      cookie: 'eds_session=in_cookie',
      authorization: 'Bearer in_authorization',
      'user-agent': 'curl/8',
    },
  };

  it('logs a request as method, path, route, address and user agent: no query string, no secret header', () => {
    const { logger, lines } = capture();
    logger.info({ req: request }, 'request completed');
    const line = JSON.parse(lines[0]);
    expect(line.req).toEqual({ method: 'GET', path: '/api/v1/me', route: '/api/v1/me', ip: '203.0.113.1', userAgent: 'curl/8' });
    expect(lines[0]).not.toMatch(/in_query|in_header|in_cookie|in_authorization/);
  });

  it('redacts secret headers from any line that carries a raw header set', () => {
    const { logger, lines } = capture();
    logger.warn({ headers: { 'x-api-key': 'exstr_live_raw', cookie: 'eds_session=raw', authorization: 'Bearer raw', accept: '*/*' } }, 'x');
    expect(JSON.parse(lines[0]).headers).toEqual({ 'x-api-key': '[redacted]', cookie: '[redacted]', authorization: '[redacted]', accept: '*/*' });
  });

  it('never logs a Set-Cookie value', () => {
    const { logger, lines } = capture();
    logger.info({ res: { headers: { 'set-cookie': 'eds_session=new' } } }, 'x');
    expect(lines[0]).not.toContain('eds_session=new');
    expect(JSON.parse(lines[0]).res).toEqual({ statusCode: undefined });
  });
});

describe('RequestLogController', () => {
  it('writes one line per answer, with the path only, and skips liveness probes', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (l: string) => void lines.push(l) }, level: 'info' });
    const sut = new RequestLogController();
    const request = { method: 'GET', url: '/api/v1/me?x-api-key=exstr_live_leak', ip: '127.0.0.1', headers: {}, routeOptions: { url: '/api/v1/me' }, log: logger };
    const reply = (statusCode: number) => ({ statusCode, elapsedTime: 1.234, log: logger });
    sut.incomingRequest();
    sut.requestCompleted(null, request as never, reply(200) as never);
    sut.requestCompleted(null, request as never, reply(401) as never);
    sut.routeNotFound(request as never);
    sut.requestCompleted(null, { ...request, url: '/health/live' } as never, reply(200) as never);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((l) => [l.level, l.msg, l.res?.statusCode])).toEqual([
      [30, 'request completed', 200],
      [40, 'request completed', 401],
      [30, 'Route GET:/api/v1/me not found', undefined],
    ]);
    expect(parsed[0].req.path).toBe('/api/v1/me');
    expect(parsed[0].responseTime).toBe(1.2);
    expect(lines.join('\n')).not.toContain('exstr_live_leak');
  });
});

describe('the request line', () => {
  it('is byte for byte what pino writes through its serializers (but the time)', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (l: string) => void lines.push(l) }, level: 'info' });
    const request = {
      method: 'PUT',
      url: '/api/v1/storage/files/abc/content?x=1',
      routeOptions: { url: '/api/v1/storage/files/:id/content' },
      ip: '2001:db8::1',
      headers: { 'user-agent': 'a "quoted" agent \u2028 é', 'content-length': '4096', 'x-api-key': 'exstr_live_secret' },
      log: logger,
    };
    for (const statusCode of [200, 404, 503]) {
      new RequestLogController().requestCompleted(null, request as never, { statusCode, elapsedTime: 2.26, log: logger } as never);
      const level = statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
      logger[level]({ req: request, res: { statusCode }, responseTime: 2.3 }, 'request completed');
    }
    const withoutTime = (l: string) => l.replace(/"time":\d+/, '"time":0');
    expect(lines).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) expect(withoutTime(lines[i])).toBe(withoutTime(lines[i + 1]));
    expect(JSON.parse(lines[0]).req.userAgent).toBe('a "quoted" agent \u2028 é');
    expect(lines.join('')).not.toContain('exstr_live_secret');
  });

  it('is not written below the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (l: string) => void lines.push(l) }, level: 'warn' });
    const request = { method: 'GET', url: '/api/v1/me', ip: '127.0.0.1', headers: {}, log: logger };
    new RequestLogController().requestCompleted(null, request as never, { statusCode: 200, elapsedTime: 1, log: logger } as never);
    new RequestLogController().requestCompleted(null, request as never, { statusCode: 401, elapsedTime: 1, log: logger } as never);
    expect(lines.map((l) => JSON.parse(l).res.statusCode)).toEqual([401]);
  });
});
