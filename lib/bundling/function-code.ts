import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { SentinelConfig } from '../../functions/core/config/schema.ts';
import { configDefine, PROJECT_ROOT } from './options.ts';

const SCRIPT = join(PROJECT_ROOT, 'bin', 'build', 'bundle-function.ts');

/**
 * A function's code, bundled at synth time by the local esbuild with the project's settings and
 * plugins (lib/bundling/options.ts): NodejsFunction's own bundling runs the esbuild command line,
 * which takes no plugins. esbuild's JS API is asynchronous and CDK's local bundling is not, so a
 * child process builds; it never falls back to Docker. The asset hash is the output's.
 */
export function bundledCode(entry: string, config: SentinelConfig): lambda.Code {
  const define = configDefine(config);
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('local-bundling-only'),
      // never run (no Docker); CDK caches bundled assets by source path and bundling options, so
      // without it every function of the project root would share the first one's bundle
      command: ['bundle', entry, createHash('sha256').update(define).digest('hex')],
      local: {
        tryBundle(outputDir: string): boolean {
          const dir = mkdtempSync(join(tmpdir(), 'sentinel-define-'));
          try {
            const defineFile = join(dir, 'define.txt');
            writeFileSync(defineFile, define);
            const run = spawnSync(
              process.execPath,
              ['--import', 'tsx', SCRIPT, entry, outputDir, defineFile],
              { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 },
            );
            if (run.status !== 0) {
              throw new Error(
                `bundling ${entry} failed (exit ${run.status ?? run.signal}): ${run.stderr || run.error?.message}`,
              );
            }
            return true;
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      },
    },
  });
}
