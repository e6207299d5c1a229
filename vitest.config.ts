import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // what useMoto (sandbox/moto.ts) sets, here from the start: clients a test file builds before
      // its moto hook ran get the same per-attempt timeout for a slow local moto
      SENTINEL_AWS_REQUEST_TIMEOUT_MS: '30000',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // the stack tests only synthesize and read templates: one process per worker loads
          // aws-cdk-lib once (seconds of CommonJS export scanning) instead of once per file
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'behaviour',
          include: ['test/**/*.test.ts'],
          exclude: ['test/infra/**'],
          // the CLI runs from dist/: build it once so that tests running the binary see the
          // current sources; and the moto pool (test/support/moto-pool.ts)
          globalSetup: ['test/support/build-cli.ts'],
        },
      },
    ],
  },
});
