// Lets a child `node` process run the TypeScript sources directly (the app
// under a real signal, a standalone PostgreSQL, the bench), compiled by swc
// exactly as jest compiles them.
const { transformSync } = require('@swc/core');
const fs = require('node:fs');
const options = require('./swc-options.cjs');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
