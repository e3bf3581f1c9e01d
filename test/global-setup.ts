/**
 * Runs once before the test files: compiles src/ to dist/ so that the end-to-end tests run the
 * real binary (bin/okta-aws-sso.js -> dist/cli/main.js) and the sandbox runs as its own process.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
