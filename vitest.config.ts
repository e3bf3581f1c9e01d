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
  },
});
