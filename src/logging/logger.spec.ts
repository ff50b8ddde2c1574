import { createLogger } from './logger';

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

  it('never logs a Set-Cookie value', () => {
    const { logger, lines } = capture();
    logger.info({ res: { headers: { 'set-cookie': 'eds_session=new' } } }, 'x');
    expect(lines[0]).not.toContain('eds_session=new');
    expect(JSON.parse(lines[0]).res).toEqual({ statusCode: undefined });
  });
});
