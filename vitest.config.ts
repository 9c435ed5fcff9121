import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/setup/redis.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores here: keep parallelism modest so integration tests with real processes stay stable.
    maxWorkers: 2,
    pool: 'forks',
  },
});
