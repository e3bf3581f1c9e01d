/**
 * A setup file (vitest.config.ts `setupFiles`, run again for every test file): test files are not
 * isolated (`isolate: false`), so one worker process runs many files in turn, and what a file leaves
 * in the process (an environment variable, the working folder) would be what the next file starts
 * from. After each file's tests this checks that the file left process.env and the working folder as
 * they were before it was loaded; if not, it puts them back (so the next file starts clean) and fails
 * the file, naming what changed. A file that changes them on purpose restores them itself
 * (`vi.unstubAllEnvs()`, runCliInProcess in test/helpers/cli.ts does). It also puts back the AWS
 * tuning (src/aws/tuning.ts), which the AWS step tests shorten for their own files (fastTuning).
 */
import { afterAll } from 'vitest';
import { DEFAULT_TUNING, setAwsTuning } from '../../src/aws/tuning.js';

const envObject = process.env;
const envBefore = { ...process.env };
const cwdBefore = process.cwd();

afterAll(() => {
  setAwsTuning({ ...DEFAULT_TUNING });
  const problems: string[] = [];
  if (process.env !== envObject) {
    problems.push('process.env replaced by another object');
    process.env = envObject;
  }
  for (const k of new Set([...Object.keys(envBefore), ...Object.keys(process.env)])) {
    if (process.env[k] === envBefore[k]) continue;
    problems.push(`process.env.${k} ${k in envBefore ? (k in process.env ? 'changed' : 'deleted') : 'added'}`);
    if (k in envBefore) process.env[k] = envBefore[k];
    else delete process.env[k];
  }
  if (process.cwd() !== cwdBefore) {
    problems.push(`working folder changed to ${process.cwd()}`);
    process.chdir(cwdBefore);
  }
  if (problems.length) {
    throw new Error(`This test file left the worker process changed (files share workers: vitest.config.ts isolate: false, docs/testing.md): ${problems.join('; ')}`);
  }
});
