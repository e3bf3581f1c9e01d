/**
 * Runs once before the test files: makes sure dist/ is compiled from the current src/ so that the
 * end-to-end tests run the real binary (bin/okta-aws-sso.js -> dist/cli/main.bundle.js, which the
 * build makes from dist/cli/main.js) and the sandbox runs as its own process. scripts/build.mjs
 * skips the compile when dist/ is already fresh (as it is after `npm test`'s build step,
 * scripts/test.mjs).
 *
 * It also makes the folder of the shared finished run (test/helpers/finished-run.ts, docs/testing.md)
 * and, for a whole-suite run, starts that run at once in the background, so that it is ready when the
 * first test that starts from it asks (a run of chosen files starts it only when one of them asks).
 * The teardown ends it if it is still running and removes it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { FINISHED_RUN_ENV, disposeFinishedRun, ensureFinishedRunStarted } from './helpers/finished-run.js';

export default function setup(): () => Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'oas-finished-run-'));
  // The test files' processes are forked after this, with this environment.
  process.env[FINISHED_RUN_ENV] = base;
  const chosenFiles = process.argv.slice(2).some((a) => /\.test\.ts$|^test\//.test(a));
  if (!chosenFiles) ensureFinishedRunStarted(base);
  return () => disposeFinishedRun(base);
}
