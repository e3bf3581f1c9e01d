import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores on CI: keep parallelism modest so end-to-end tests do not starve each other.
    maxWorkers: 2,
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
