import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { fleetInput, HUB_ACCOUNT, HUB_REGION } from './fleet-helpers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'sentinel-app-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function example(): Record<string, unknown> & { clusters: Record<string, unknown>[] } {
  return parseYaml(readFileSync(join(ROOT, 'config', 'example.yaml'), 'utf8'));
}

/** `tsx bin/app.ts` without npx in front (an npm start-up per run): tsx as node's loader. */
const TSX_APP = ['--import', 'tsx', 'bin/app.ts'];

/** Runs the CDK app the way `cdk synth` does, with the config from SENTINEL_CONFIG. */
function runApp(config: unknown, options: { outdir?: string; context?: Record<string, unknown> } = {}) {
  const path = join(work, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, toYaml(config));
  const { CDK_CONTEXT_JSON: _ignored, ...env } = process.env;
  return spawnSync(process.execPath, TSX_APP, {
    cwd: ROOT,
    env: {
      ...env,
      SENTINEL_CONFIG: path,
      CDK_OUTDIR: options.outdir ?? join(work, 'out'),
      ...(options.context ? { CDK_CONTEXT_JSON: JSON.stringify(options.context) } : {}),
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('bin/app.ts', () => {
  it('exits 1 on a bad config and names the field, the value and what was expected', () => {
    const config = example();
    (config.clusters[0] as Record<string, unknown>).vpcId = 'not-a-vpc';
    const result = runApp(config);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('clusters[0].vpcId');
    expect(result.stderr).toContain('"not-a-vpc"');
    expect(result.stderr).toMatch(/expected a VPC id/);
  });

  it('exits 1 on a rule across fields (a CLI role in another account), before anything is bundled', () => {
    const config = example();
    const first = config.clusters[0] as Record<string, unknown>;
    config.clusters.push({
      ...first,
      name: 'other.k8s.example.com',
      vpcId: 'vpc-0fedcba987654321f',
      cliRoleArn: 'arn:aws:iam::210987654321:role/sentinel-cli',
    });
    const result = runApp(config);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('clusters[1].cliRoleArn');
    expect(result.stderr).not.toContain('Bundling');
  });

  it('exits 1 naming the file when it cannot be read', () => {
    const missing = join(work, 'missing.yaml');
    const { CDK_CONTEXT_JSON: _ignored, ...env } = process.env;
    const result = spawnSync(process.execPath, TSX_APP, {
      cwd: ROOT,
      env: { ...env, SENTINEL_CONFIG: missing, CDK_OUTDIR: join(work, 'out') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(missing);
  });

  it('synthesizes a fleet: the hub and every member, each in its own environment, the members after the hub', () => {
    const outdir = join(work, 'fleet-out');
    // cdk-nag runs as in `cdk synth`; the functions are not bundled (the stacks' shape is the point)
    const result = runApp(fleetInput(), { outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; environment?: string; dependencies?: string[] }>;
    };
    const stacks = Object.entries(manifest.artifacts).filter(
      ([, a]) => a.type === 'aws:cloudformation:stack',
    );
    const hub = stacks.find(([id]) => id === 'KopsApiSentinel-Hub');
    expect(hub?.[1].environment).toBe(`aws://${HUB_ACCOUNT}/${HUB_REGION}`);
    const members = stacks.filter(([id]) => id !== 'KopsApiSentinel-Hub');
    expect(members.map(([, a]) => a.environment).sort()).toEqual([
      'aws://111111111111/eu-west-1',
      'aws://111111111111/us-east-1',
      'aws://222222222222/eu-west-1',
      'aws://222222222222/us-east-1',
    ]);
    for (const [, member] of members) expect(member.dependencies).toContain('KopsApiSentinel-Hub');
  });
});
