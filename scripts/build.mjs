#!/usr/bin/env node
/**
 * Compiles src/ to dist/ (tsc -p tsconfig.build.json), then makes the binary's start-up files
 * (scripts/bundle-cli.mjs: dist/cli/main.bundle.js and dist/cli/help.json), unless dist/ is already
 * the output of the current sources: a stamp (SHA-256 of every file under src/, the two tsconfig
 * files and the bundle script) is kept in dist/.build-stamp after each successful build (inside the
 * output it vouches for, so a dist/ from other sources or another checkout never passes for fresh).
 *
 *   node scripts/build.mjs           # build when stale (what `npm test` and the test setup use)
 *   node scripts/build.mjs --force   # always build (what `npm run build` uses)
 *
 * `npm test` (scripts/test.mjs) builds first when stale, and vitest's global setup
 * (test/global-setup.ts) then finds dist/ fresh instead of compiling again.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = path.join(ROOT, 'dist/.build-stamp');

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** The SHA-256 of the build's inputs. */
export function sourceStamp() {
  const h = createHash('sha256');
  for (const f of [...walk(path.join(ROOT, 'src'), []), path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'tsconfig.build.json'), path.join(ROOT, 'scripts/bundle-cli.mjs')]) {
    h.update(path.relative(ROOT, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** True when dist/ was built from the current sources. */
export function isFresh() {
  try {
    const outputs = ['dist/cli/main.js', 'dist/cli/main.bundle.js', 'dist/cli/help.json'];
    return outputs.every((f) => fs.existsSync(path.join(ROOT, f))) && fs.readFileSync(STAMP, 'utf8') === sourceStamp();
  } catch {
    return false;
  }
}

/** Builds when stale (or always with force); returns whether it compiled. */
export function build({ force = false } = {}) {
  if (!force && isFresh()) return false;
  const stamp = sourceStamp();
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/bundle-cli.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  fs.mkdirSync(path.dirname(STAMP), { recursive: true });
  fs.writeFileSync(STAMP, stamp);
  return true;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const built = build({ force: process.argv.includes('--force') });
    if (!built) console.log('dist/ is up to date with src/ (build skipped)');
  } catch {
    process.exit(1);
  }
}
