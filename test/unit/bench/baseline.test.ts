import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { baselineSource, clientClassOf, packageOf, runtimePackages } from '../../../bench/baseline.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('packageOf', () => {
  it.each([
    ['node_modules/@aws-sdk/client-ec2/dist-es/EC2Client.js', '@aws-sdk/client-ec2'],
    ['node_modules/yaml/dist/index.js', 'yaml'],
    ['node_modules/@smithy/core/node_modules/@smithy/types/dist-es/index.js', '@smithy/types'],
    ['functions/registrar/handler.ts', undefined],
    ['node_modules/@scope', undefined],
  ])('%s → %s', (input, pkg) => {
    expect(packageOf(input)).toBe(pkg);
  });
});

describe('runtimePackages', () => {
  it('keeps SDK clients, lib-dynamodb, Powertools and middy, and nothing else', () => {
    const inputs = Object.fromEntries(
      [
        'node_modules/@aws-sdk/client-sqs/dist-es/SQSClient.js',
        'node_modules/@aws-sdk/client-sqs/dist-es/commands/SendMessageCommand.js',
        'node_modules/@aws-sdk/lib-dynamodb/dist-es/index.js',
        'node_modules/@aws-sdk/core/dist-es/index.js',
        'node_modules/@aws-sdk/credential-provider-node/dist-es/index.js',
        'node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js',
        'node_modules/@aws-lambda-powertools/commons/lib/esm/index.js',
        'node_modules/@middy/core/index.js',
        'node_modules/@smithy/core/dist-es/index.js',
        'node_modules/zod/v4/classic/external.js',
        'functions/verifier/handler.ts',
      ].map((p) => [p, { bytes: 1, imports: [] }]),
    );
    expect(runtimePackages({ inputs })).toEqual([
      '@aws-lambda-powertools/logger',
      '@aws-sdk/client-sqs',
      '@aws-sdk/lib-dynamodb',
      '@middy/core',
    ]);
  });
});

describe('clientClassOf', () => {
  it.each([
    ['@aws-sdk/client-ec2', 'EC2Client'],
    ['@aws-sdk/client-elastic-load-balancing-v2', 'ElasticLoadBalancingV2Client'],
    ['@aws-sdk/client-secrets-manager', 'SecretsManagerClient'],
  ])('%s → %s', (pkg, name) => {
    expect(clientClassOf(pkg, PROJECT_ROOT)).toBe(name);
  });
});

describe('baselineSource', () => {
  it('imports and constructs each package and exports what it built', () => {
    const source = baselineSource(
      ['@aws-lambda-powertools/metrics', '@aws-sdk/client-sns', '@middy/core'],
      () => 'SNSClient',
    );
    expect(source).toContain("import { Metrics as p0 } from '@aws-lambda-powertools/metrics';");
    expect(source).toContain("import { SNSClient as p1 } from '@aws-sdk/client-sns';");
    expect(source).toContain("import p2 from '@middy/core';");
    expect(source).toContain(
      "export const baseline = [new p0({ namespace: 'Baseline' }), new p1({}), p2(async () => undefined)];",
    );
  });
});
