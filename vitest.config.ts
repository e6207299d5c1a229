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
          name: 'shared',
          include: ['test/infra/**/*.test.ts', 'test/unit/**/*.test.ts'],
          // the stack tests and the unit tests keep no state between files (no environment
          // changes, no module mocks): one process per worker loads aws-cdk-lib, the SDK and the
          // core once, instead of once per file (Node scans aws-cdk-lib's CommonJS exports for
          // every ESM import: seconds per file)
          isolate: false,
          // the CLI runs from dist/: built once, so the tests reading it see the current sources
          globalSetup: ['test/support/build-cli.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'behaviour',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          // no EMF lines in the output: the metrics are unit-tested (test/unit/metrics, the shared project)
          env: {
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            SENTINEL_AWS_REQUEST_TIMEOUT_MS: '30000',
            POWERTOOLS_METRICS_DISABLED: 'true',
          },
          // one process per file; the CLI build, and a moto_server per worker (moto-pool.ts)
          globalSetup: ['test/support/build-cli.ts', 'test/support/moto-pool-setup.ts'],
        },
      },
    ],
  },
});
