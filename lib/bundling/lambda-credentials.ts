import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

/** The module every generated client imports its default credential chain from. */
export const DEFAULT_CHAIN = /^@aws-sdk\/credential-provider-node$/;

/** What a deployed function gets instead: the environment link of the chain only. */
export const LAMBDA_CREDENTIALS = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'functions',
  'shared',
  'lambda-credentials.ts',
);

/**
 * Resolves `@aws-sdk/credential-provider-node` to functions/shared/lambda-credentials.ts in the
 * functions' bundles (the CLI and the tests keep the SDK's full chain): inside Lambda the
 * credentials are always in the environment, and the rest of the chain is dead weight.
 */
export function lambdaCredentialsPlugin(): Plugin {
  return {
    name: 'lambda-credentials',
    setup(build) {
      build.onResolve({ filter: DEFAULT_CHAIN }, () => ({ path: LAMBDA_CREDENTIALS }));
    },
  };
}
