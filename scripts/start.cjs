#!/usr/bin/env node
'use strict';
/**
 * `npm start`: build only what is not built yet, then run dist/src/main.js in
 * this process. `nest start` deleted and rebuilt dist/ on every start, so two
 * instances started from one checkout at once could load each other's
 * half-written dist/ ("Cannot find module"). Here:
 * - the build runs only when a source is newer than dist/.build-stamp;
 * - it runs under a lock file (dist.lock, created exclusively), so of two
 *   concurrent starts one builds and the other waits, then finds it built;
 * - it compiles into a fresh folder that replaces dist/ with one rename, so a
 *   running instance never sees a partial dist/.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const lock = path.join(root, 'dist.lock');
const SOURCES = ['src', 'migrations', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
/** A lock older than this is from a build that died (a build takes well under a minute). */
const STALE_LOCK_MS = 10 * 60_000;

function newestSourceMtime() {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    else if (!p.endsWith('.spec.ts')) newest = Math.max(newest, st.mtimeMs);
  };
  for (const source of SOURCES) visit(path.join(root, source));
  return newest;
}

function isBuilt() {
  try {
    return fs.statSync(stamp).mtimeMs >= newestSourceMtime() && fs.existsSync(path.join(dist, 'src', 'main.js'));
  } catch {
    return false;
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lockHolderAlive() {
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function acquireLock() {
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (!lockHolderAlive()) {
      fs.rmSync(lock, { force: true });
      continue;
    }
    sleep(200);
  }
}

function build() {
  const out = path.join(root, `dist.build-${process.pid}`);
  fs.rmSync(out, { recursive: true, force: true });
  console.log('EDS: sources changed since the last build; building dist/ …');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    fs.rmSync(out, { recursive: true, force: true });
    throw new Error('the build failed (see above)');
  }
  fs.writeFileSync(path.join(out, '.build-stamp'), new Date().toISOString());
  // One rename puts the new build in place; the old one is removed after.
  const old = path.join(root, `dist.old-${process.pid}`);
  if (fs.existsSync(dist)) fs.renameSync(dist, old);
  fs.renameSync(out, dist);
  fs.rmSync(old, { recursive: true, force: true });
}

try {
  if (!isBuilt()) {
    acquireLock();
    try {
      // Another start may have built it while this one waited for the lock.
      if (!isBuilt()) build();
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }
} catch (error) {
  console.error(`EDS failed to start: ${error.message}`);
  process.exit(1);
}
require(path.join(dist, 'src', 'main.js'));
