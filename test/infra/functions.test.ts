import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configDefine } from '../../lib/constructs/sentinel-function.ts';
import {
  logicalId,
  PROD,
  SLACK_SECRET,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  synth,
  twoClusterInput,
} from './helpers.ts';

/** The chunk files a bundle's index.mjs loads, directly or through other chunks (paths relative to its directory). */
function chunksOf(dir: string): string[] {
  const found = new Set<string>();
  const visit = (file: string) => {
    const code = readFileSync(join(dir, file), 'utf8');
    for (const m of code.matchAll(/(?:from\s*|import\()["'](\.\.?\/[^"']+\.mjs)["']/g)) {
      const chunk = normalize(join(dirname(file), m[1] ?? ''));
      if (found.has(chunk)) continue;
      found.add(chunk);
      if (existsSync(join(dir, chunk))) visit(chunk);
    }
  };
  visit('index.mjs');
  return [...found];
}

// Bundles the three functions with the local esbuild, as `cdk synth` does (a few seconds).
let s: Synthesized;
beforeAll(() => {
  s = synth(twoClusterInput());
}, SYNTH_TIMEOUT_MS);

type Fn = { Properties: Record<string, unknown> & { Environment: { Variables: Record<string, unknown> } } };
const fn = (prefix: string) =>
  s.template.findResources('AWS::Lambda::Function')[
    logicalId(s.template, 'AWS::Lambda::Function', prefix)
  ] as Fn;
const PREFIXES = ['RegistrarFunction', 'VerifierFunction', 'AlertingNotifierFunction'];

describe('house defaults', () => {
  it('builds exactly the three functions, each on nodejs22.x arm64, 256 MB, without X-Ray tracing', () => {
    const all = Object.values(s.template.findResources('AWS::Lambda::Function'));
    expect(all).toHaveLength(3);
    for (const f of all) {
      expect(f.Properties.Runtime).toBe('nodejs22.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      // tracing is off on purpose (docs/observability.md, "Tracing")
      expect(f.Properties.TracingConfig).toBeUndefined();
      expect(f.Properties.MemorySize).toBe(256);
      expect(f.Properties.Timeout).toBeGreaterThan(0);
      expect(f.Properties.Handler).toBe('index.handler');
    }
  });

  it('gives each function its own log group kept for a month', () => {
    for (const prefix of PREFIXES) {
      const logGroup = (fn(prefix).Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(s.template.findResources('AWS::Logs::LogGroup')[logGroup]?.Properties.RetentionInDays).toBe(30);
    }
  });

  it('sets Powertools settings and resource names only in the environment', () => {
    const common = {
      POWERTOOLS_SERVICE_NAME: 'kops-api-sentinel',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const table = logicalId(s.template, 'AWS::DynamoDB::Table', 'AlertingAlertState');
    const topic = logicalId(s.template, 'AWS::SNS::Topic', 'AlertingTopic');
    const queue = logicalId(s.template, 'AWS::SQS::Queue', 'FollowUpQueue');
    for (const prefix of ['RegistrarFunction', 'VerifierFunction']) {
      expect(fn(prefix).Properties.Environment.Variables).toEqual({
        ...common,
        ALERT_TABLE_NAME: { Ref: table },
        ALERT_TOPIC_ARN: { Ref: topic },
        EVENT_BUS_NAME: 'default',
        FOLLOW_UP_QUEUE_URL: { Ref: queue },
      });
    }
    expect(fn('AlertingNotifierFunction').Properties.Environment.Variables).toEqual({
      ...common,
      SLACK_SECRET_NAME: SLACK_SECRET,
    });
    const env = JSON.stringify(PREFIXES.map((p) => fn(p).Properties.Environment));
    expect(env).not.toContain('SENTINEL_CONFIG');
    expect(env).not.toContain(PROD);
  });

  it('bundles an ESM module with the config defined in, the AWS SDK included, and a source map', () => {
    for (const prefix of ['RegistrarFunction', 'VerifierFunction']) {
      const key = (fn(prefix).Properties.Code as { S3Key: string }).S3Key;
      const dir = join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith('import { createRequire')).toBe(true);
      expect(code).not.toContain('process.env.SENTINEL_CONFIG_JSON');
      readFileSync(join(dir, 'index.mjs.map'));
      // every chunk the code loads (statically or with import()) is in the asset, with its map
      for (const chunk of chunksOf(dir)) {
        expect(existsSync(join(dir, chunk)), `${prefix}: ${chunk}`).toBe(true);
        expect(existsSync(join(dir, `${chunk}.map`)), `${prefix}: ${chunk}.map`).toBe(true);
      }
      if (prefix === 'VerifierFunction' && code.length > 10_000) {
        // yaml is loaded on first use: its parser sits in a chunk, not in what every cold start compiles
        expect(code).not.toContain('MULTILINE_IMPLICIT_KEY');
        const lazy = chunksOf(dir).map((c) => readFileSync(join(dir, c), 'utf8'));
        expect(lazy.some((c) => c.includes('MULTILINE_IMPLICIT_KEY'))).toBe(true);
      }
      if (code.length > 10_000) {
        // A real handler (not the placeholder): the config and the pinned SDK are inside the bundle.
        expect(code).toContain('prod-api-internal');
        expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      }
    }
  });
});

describe('verifier placement', () => {
  it('runs in the configured node subnets with every cluster node security group', () => {
    const vpc = fn('VerifierFunction').Properties.VpcConfig as {
      SubnetIds: string[];
      SecurityGroupIds: string[];
    };
    expect([...vpc.SubnetIds].sort()).toEqual(
      ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2', 'subnet-0bbbbbbbbbbbbbbb1'].sort(),
    );
    expect([...vpc.SecurityGroupIds].sort()).toEqual(['sg-0aaaaaaaaaaaaaaa1', 'sg-0bbbbbbbbbbbbbbb1']);
  });

  it('changes no security group (the node group is imported immutable)', () => {
    expect(s.template.findResources('AWS::EC2::SecurityGroup')).toEqual({});
    expect(s.template.findResources('AWS::EC2::SecurityGroupIngress')).toEqual({});
    expect(s.template.findResources('AWS::EC2::SecurityGroupEgress')).toEqual({});
  });

  it('keeps the registrar and the notifier out of the VPC', () => {
    expect(fn('RegistrarFunction').Properties.VpcConfig).toBeUndefined();
    expect(fn('AlertingNotifierFunction').Properties.VpcConfig).toBeUndefined();
  });

  it('caps the verifier at a few concurrent runs; the registrar is not capped (Auto Scaling events come in bursts)', () => {
    expect(fn('VerifierFunction').Properties.ReservedConcurrentExecutions).toBe(3);
    expect(fn('RegistrarFunction').Properties.ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('configDefine', () => {
  it('is a JavaScript string literal that parses back to the config, with no $ or backtick in it', () => {
    const config = { ...s.config, lifecycleHookPrefix: 'a$b`c' };
    const literal = configDefine(config);
    expect(literal).not.toMatch(/[$`]/);
    expect(JSON.parse(JSON.parse(literal))).toEqual(config);
  });
});
