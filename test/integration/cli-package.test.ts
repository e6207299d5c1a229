import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { buildWorld } from '../../sandbox/world.ts';
import { targets } from '../support/aws-state.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * The package as an operator gets it: `npm pack`, then a production install (no dev dependencies)
 * into an empty folder, then the installed binary. dist/ is built by the global setup.
 */
const dir = mkdtempSync(join(tmpdir(), 'sentinel-pack-'));
const app = join(dir, 'app');
let bin: string;
withMoto();
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

function run(args: string[]) {
  return spawnSync(bin, args, { encoding: 'utf8', cwd: app, timeout: 60_000 });
}

beforeAll(async () => {
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], {
    stdio: 'pipe',
    timeout: 60_000,
  });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"private":true}\n');
  execFileSync(
    'npm',
    [
      'install',
      '--omit=dev',
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      join(dir, tarball),
    ],
    { cwd: app, stdio: 'pipe', timeout: 170_000 },
  );
  bin = join(app, 'node_modules', '.bin', 'kops-api-sentinel');
}, 180_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed package, installed without dev dependencies', () => {
  it('ships the compiled CLI and none of the sources or dev dependencies', () => {
    const installed = join(app, 'node_modules');
    const shipped = readdirSync(join(installed, 'kops-api-sentinel'));
    expect(shipped).toContain('dist');
    for (const source of ['functions', 'sandbox', 'test', 'lib', 'bench'])
      expect(shipped, source).not.toContain(source);
    expect(readdirSync(join(installed, 'kops-api-sentinel', 'bin'))).toEqual(['kops-api-sentinel.mjs']);
    for (const dev of ['tsx', 'esbuild', 'vitest', 'aws-cdk-lib'])
      expect(readdirSync(installed), dev).not.toContain(dev);
  });

  it('answers --help, --version and a command help', () => {
    const help = run(['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: kops-api-sentinel <command>/);
    // as an operator types it, from the folder it was installed into
    const v = spawnSync('npx', ['--no-install', 'kops-api-sentinel', '--version'], {
      encoding: 'utf8',
      cwd: app,
      timeout: 60_000,
    });
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(version);
    const ca = run(['ca', 'import', '--help']);
    expect(ca.status).toBe(0);
    expect(ca.stdout).toContain('--state-store s3://bucket[/prefix]');
  });

  it('runs reconcile --dry-run against moto: drift found (1), nothing changed', async () => {
    const clients = createAwsClients();
    const world = await buildWorld(clients, { controlPlaneGroups: 1 });
    const [instance] = await targets(clients, world.lbs.targetGroupArn);
    await clients.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: world.lbs.targetGroupArn, Targets: [{ Id: instance }] }),
    );
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ clusters: world.config.clusters }));
    const res = run(['reconcile', '--dry-run', '--config', file, '--output', 'json']);
    expect(res.status, res.stderr).toBe(1);
    const doc = JSON.parse(res.stdout) as { verdicts: { findings: { code: string; action: string }[] }[] };
    expect(doc.verdicts[0]?.findings).toContainEqual(
      expect.objectContaining({ code: 'INSTANCE_NOT_REGISTERED', action: 'would-repair' }),
    );
    expect(await targets(clients, world.lbs.targetGroupArn)).not.toContain(instance);
  });

  it('says rehearse needs a clone with dev dependencies (exit 2)', () => {
    const res = run(['rehearse']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^error \(not available\): rehearse needs the development sandbox/);
    expect(res.stderr).toContain('hint: run it from a clone');
  });
});
