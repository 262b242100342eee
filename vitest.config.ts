import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // The suite opens real sockets and spawns the CLI; two workers match the 2-core CI machine.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/setup/build-cli.ts'],
    // A test file that leaks an emulator event or a Lambda log line into the output fails (CONTRIBUTING.md).
    setupFiles: ['test/setup/no-leaked-logs.ts'],
    coverage: {
      provider: 'v8',
      include: ['certs/**/*.ts', 'functions/**/*.ts', 'local/**/*.ts', 'scripts/**/*.ts'],
      reporter: ['text-summary'],
      thresholds: {
        'certs/**/*.ts': { lines: 90, statements: 90, functions: 90, branches: 80 },
      },
    },
  },
});
