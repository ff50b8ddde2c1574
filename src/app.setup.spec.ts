import { helmetHeaders, isJsonSurface } from './app.setup';

describe('helmetHeaders', () => {
  it("captures helmet's headers for the options once", () => {
    const headers = helmetHeaders({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } },
      frameguard: { action: 'deny' },
    });
    expect(headers['content-security-policy']).toBe("default-src 'self';frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(headers['x-powered-by']).toBeUndefined();
  });
});

describe('isJsonSurface', () => {
  it.each([
    ['/api/v1/me', true],
    ['/api/v1/storage/files?limit=5', true],
    ['/api/v1', true],
    ['/health', true],
    ['/health/live', true],
    ['/api/docs', false],
    ['/api/docs-json', false],
    ['/api/v10/me', false],
    ['/dashboard/api-keys', false],
    ['/public/dashboard.js', false],
  ])('%s → %s', (url, expected) => {
    expect(isJsonSurface(url)).toBe(expected);
  });
});
