// Bundles the dashboard's browser code (client/) into public/build/: one JS and
// one CSS file per entry, no CDN, nothing inline. Run by `npm run build:client`,
// before `npm run build` and `npm start`, and by the test setup; the output is
// not committed (see .gitignore).
const { build } = require('esbuild');
const { join } = require('node:path');

const root = join(__dirname, '..');

async function buildClient() {
  await build({
    entryPoints: [join(root, 'client', 'files-upload.ts')],
    outdir: join(root, 'public', 'build'),
    bundle: true,
    minify: true,
    sourcemap: false,
    format: 'iife',
    target: ['es2020'],
    legalComments: 'linked',
    logLevel: 'warning',
  });
}

module.exports = { buildClient };

if (require.main === module) {
  buildClient().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
