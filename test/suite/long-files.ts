/**
 * The test files that take longest (wall seconds each, measured on the idle two-core machine), which
 * `npm test` starts first (test/suite/sequencer.ts, vitest.config.ts): a fresh clone has no Vitest
 * duration cache, and without one Vitest starts files in order of size, which left the long files of
 * the package, the README rehearsal and the 100,000-user scan to the end of the run, one worker busy
 * with them while the others had finished. Started first, they run beside the many short files and
 * the workers finish together.
 *
 * The figures only order the files (longest first); they are rough, and need updating only when a
 * file becomes much longer or shorter (docs/testing.md, "Where the time goes"). A file missing from
 * the list runs after the listed ones. test/suite/long-files.test.ts checks that every file named
 * here exists and is a test file of the suite.
 */
export const LONG_FILES: Readonly<Record<string, number>> = {
  'test/e2e/access.test.ts': 42,
  'test/package/pack.test.ts': 39,
  'test/e2e/faults.test.ts': 33,
  'test/cli/cli.test.ts': 23,
  'test/e2e/iam-policy.test.ts': 17,
  'test/aws/assignment-engine.test.ts': 14,
  'test/e2e/terminal-sandbox.test.ts': 14,
  'test/steps/aws-assignments.test.ts': 13,
  'test/e2e/readme-sandbox.test.ts': 12,
  // Uses the shared finished run (test/helpers/finished-run.ts), made in the background from the start
  // of the run: started after the longer files, it finds it ready.
  'test/e2e/day-two.test.ts': 12,
  'test/verify/profiles-scale.test.ts': 10,
  'test/sandbox/harness-process.test.ts': 9,
  'test/cli/json-schemas.test.ts': 9,
  'test/steps/aws-preflight.test.ts': 8,
  'test/e2e/manual-console.test.ts': 8,
  'test/cli/startup.test.ts': 7,
};

/**
 * The order to start files in: the listed long files, longest first, then the others in `rest`'s
 * order (Vitest's own: its duration cache when it has one, else file size). Paths are relative to the
 * repository, with forward slashes.
 */
export function orderFiles<T>(files: readonly T[], relPath: (f: T) => string): T[] {
  const weight = (f: T) => LONG_FILES[relPath(f)] ?? 0;
  const long = files.filter((f) => weight(f) > 0).sort((a, b) => weight(b) - weight(a));
  return [...long, ...files.filter((f) => weight(f) === 0)];
}
