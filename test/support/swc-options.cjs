// One swc configuration for jest (jest.config.js) and for child processes
// that run the TypeScript sources directly (swc-register.cjs): CommonJS with
// legacy decorators and their metadata, which Nest's DI and Swagger read.
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
