/**
 * Runs once before the test files: makes sure dist/ is compiled from the current src/ so that the
 * end-to-end tests run the real binary (bin/okta-aws-sso.js -> dist/cli/main.js) and the sandbox
 * runs as its own process. scripts/build.mjs skips the compile when dist/ is already fresh (as it
 * is after `npm test`'s parallel check step).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}
