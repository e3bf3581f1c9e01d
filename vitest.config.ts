import { defineConfig } from 'vitest/config';
import { LongFilesFirst } from './test/suite/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Forked processes, not threads: runCliInProcess (test/helpers/cli.ts) changes the working folder,
    // which a worker thread cannot.
    pool: 'forks',
    // Three on two cores: many end-to-end files wait (the sandbox's asynchronous work, retries, child
    // processes), and with two workers Vitest kept about 1.2 cores busy (docs/testing.md).
    maxWorkers: 3,
    // A worker runs many files in turn and loads the modules they share once (the SDKs, the steps,
    // the sandbox), instead of a new process per file; test/suite/process-state.ts fails a file that
    // leaves process.env or the working folder changed for the next one.
    isolate: false,
    setupFiles: ['test/suite/process-state.ts'],
    // The long files first (test/suite/long-files.ts), so the workers finish together.
    sequence: { sequencer: LongFilesFirst },
    globalSetup: ['test/global-setup.ts'],
    // The compiled CLI that runCliInProcess (test/helpers/cli.ts) runs: loaded by Node as the binary
    // loads it, not transformed by vitest.
    server: { deps: { external: [/\/dist\//] } },
    // In-process tests load the AWS SDK directly, without the CLI's filter: keep its Node 20 notice
    // out of the test output. Spawned CLIs get a clean environment (test/helpers/cli.ts drops AWS_*),
    // so the test that the CLI drops the notice still sees it emitted.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
