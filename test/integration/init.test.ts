import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { loadConfigFile } from '../../functions/core/config/load.ts';
import { createKopsCluster } from '../../sandbox/kops-account.ts';
import { buildInitAccount, type InitAccount } from '../../sandbox/kops-init-account.ts';
import { createCa } from '../../sandbox/pki.ts';
import { createStateStoreBucket, putNodeGroupTrust } from '../../sandbox/state-store.ts';
import { settleClassicElb } from '../../sandbox/world.ts';
import { createApiServerGroup } from '../support/backends.ts';
import { capture } from '../support/cli-io.ts';
import { withMoto } from '../support/moto-hooks.ts';
import { envWithoutCredentials } from '../support/no-credentials.ts';

/**
 * `init` against a local AWS (moto) built like a kops cluster: the config it writes parses, says
 * where each value came from, leaves kops' own API load balancer out, and `reconcile --dry-run`
 * (the built CLI, as an operator runs it) accepts it.
 */

const moto = withMoto();
const dir = mkdtempSync(join(tmpdir(), 'sentinel-init-'));
const CLUSTER = 'k8s.example.com';
/** A second cluster in the same account: a control plane only, no node group and no internal load balancer. */
const BARE = 'bare.example.com';
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const REGION = 'eu-west-1';

async function init(...args: string[]) {
  const { out, io } = capture();
  const code = await main(['init', ...args], io);
  return { code, ...out };
}

/** The built CLI, run as an operator runs it, against moto. */
function cli(...args: string[]) {
  return spawnSync('node', ['bin/kops-api-sentinel.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AWS_ENDPOINT_URL: moto().endpoint },
    timeout: 60_000,
  });
}

describe('init', () => {
  let account: InitAccount;
  beforeAll(async () => {
    const clients = createAwsClients({ region: REGION });
    await moto().reset();
    account = await buildInitAccount(clients, { cluster: CLUSTER, zones: ZONES, naming: 'control-plane' });
    // an API-server group (role APIServer) on the same load balancers as the control plane
    const apiServers = await createApiServerGroup(clients, {
      cluster: CLUSTER,
      like: account.controlPlaneGroups[0] ?? '',
      attach: { classic: [account.internal.classicName], targetGroupArns: [account.internal.targetGroupArn] },
    });
    await settleClassicElb(
      clients,
      [...account.controlPlaneGroups, apiServers],
      account.internal.classicName,
    );
    await createKopsCluster(clients, account.net, { name: BARE, zones: ['eu-west-1a'], naming: 'master' });
    await createStateStoreBucket(clients.s3, 'kops-state');
    const ca = await createCa('kubernetes-ca');
    await putNodeGroupTrust(
      clients.s3,
      { bucket: 'kops-state', prefix: '', cluster: CLUSTER },
      Object.fromEntries(ZONES.map((z) => [`nodes-${z}`, [ca]])),
    );
  });

  it('writes a complete, commented config that leaves kops own API load balancer out; reconcile --dry-run accepts it', async () => {
    const file = join(dir, 'sentinel.yaml');
    const run = await init('--cluster', CLUSTER, '--region', REGION, '-o', file);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const config = loadConfigFile(file);
    const [cluster] = config.clusters;
    expect(cluster).toMatchObject({
      name: CLUSTER,
      account: '123456789012',
      region: REGION,
      vpcId: account.net.vpcId,
      nodeSecurityGroupId: account.nodeSecurityGroupId,
      loadBalancers: {
        classic: [account.internal.classicName],
        targetGroupArns: [account.internal.targetGroupArn],
      },
      ca: { source: 'ssm', parameterName: `/kops-api-sentinel/${CLUSTER}/ca-bundle` },
      mode: 'repair',
    });
    expect(new Set(cluster?.nodeSubnetIds)).toEqual(new Set(account.net.subnetIds));
    expect(cluster?.kops).toBeUndefined();
    // kops' own API load balancer and target group: attached, recognised, left out and said so
    expect(run.stderr).toContain(`left out: ${account.kopsClassicName}: tagged Name=api.${CLUSTER}`);
    expect(run.stderr).toMatch(/^left out: target group tcp-k8s-example-com-vpjolq: /m);
    expect(run.stderr).not.toContain('could not determine');
    expect(run.stderr).toMatch(/^next: kops-api-sentinel ca import /m);
    // where each value came from, in the file
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(
      /# the account of the credentials init ran with \(STS GetCallerIdentity\)\n {4}account: "123456789012"/,
    );
    expect(text).toMatch(/# the VPC of the node subnets \(DescribeSubnets\)\n {4}vpcId: vpc-/);
    expect(text).toContain(`# named nodes.${CLUSTER} (kops' node security group)`);
    expect(text).toContain(`left out: ${account.kopsClassicName}`);
    expect(text).toContain('ca import');
    // the API-server group counts with the control plane
    expect(text).toContain(`attached to all 4 control-plane group(s)`);
    expect(text).toContain(`apiserver-eu-west-1a.apiservers.${CLUSTER}`);
    const dry = cli('reconcile', '--config', file, '--dry-run');
    expect(dry.status, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^cluster k8s\.example\.com: IN SYNC/m);
  });

  it('with --state: the CA from the nodes nodeup configs and kops.stateStore set; the built CLI writes it to stdout', () => {
    const run = cli('init', '--cluster', CLUSTER, '--region', REGION, '--state', 's3://kops-state');
    expect(run.status, run.stderr).toBe(0);
    const file = join(dir, 'with-state.yaml');
    writeFileSync(file, run.stdout);
    const [cluster] = loadConfigFile(file).clusters;
    expect(cluster?.ca).toEqual({ source: 'state-store', stateStore: 's3://kops-state' });
    expect(cluster?.kops).toEqual({ stateStore: 's3://kops-state' });
    expect(run.stdout).toContain(
      'read now for node group(s) nodes-eu-west-1a, nodes-eu-west-1b, nodes-eu-west-1c',
    );
    expect(run.stderr).not.toMatch(/^(could not determine|next):/m);
    // moto's NLB ARNs read loadbalancer/app/: init leaves such an ARN out rather than write an invalid one
    expect(run.stderr.match(/^warning: .*/gm)).toEqual([
      'warning: NLB k8s-api-internal-nlb: its ARN is not of the form …:loadbalancer/net/…; left out of networkLoadBalancerArns',
    ]);
    const dry = cli('reconcile', '--config', file, '--dry-run', '--json');
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).verdicts[0]).toMatchObject({ cluster: CLUSTER, inSync: true });
  });

  it('--include-kops-api-lb keeps kops own API load balancer, with a warning', async () => {
    // no --region: the SDK's (AWS_REGION, set for moto)
    const run = await init('--cluster', CLUSTER, '--include-kops-api-lb');
    expect(run.code, run.stderr).toBe(0);
    const file = join(dir, 'with-kops-lb.yaml');
    writeFileSync(file, run.stdout);
    const [cluster] = loadConfigFile(file).clusters;
    expect(new Set(cluster?.loadBalancers.classic)).toEqual(
      new Set([account.kopsClassicName, account.internal.classicName]),
    );
    expect(cluster?.loadBalancers.targetGroupArns).toContain(account.kopsTargetGroupArn);
    expect(run.stderr).toMatch(/^warning: .* is kops' own API load balancer .*--include-kops-api-lb/m);
    expect(cluster?.region).toBe(REGION);
    expect(run.stdout).toContain("# the SDK's default region (AWS_REGION or the profile)");
  });

  it('writes an incomplete config with exit 1, lists what it could not determine; never overwrites without --force', async () => {
    const file = join(dir, 'bare.yaml');
    const run = await init('--cluster', BARE, '--region', REGION, '-o', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^could not determine: no node group found .*nodeSubnetIds left empty, fill in/m,
    );
    expect(run.stderr).toMatch(/^could not determine: no internal load balancer is attached/m);
    expect(run.stderr).toMatch(/INCOMPLETE/);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# INCOMPLETE: fill in the fields marked FILL IN');
    expect(() => loadConfigFile(file)).toThrow(/nodeSubnetIds/);
    // the file exists now: not overwritten without --force (exit 2, nothing read or written)
    writeFileSync(file, 'keep me\n');
    const again = await init('--cluster', BARE, '--region', REGION, '-o', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: --out: ".*bare\.yaml" exists; give --force to overwrite it/);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    expect((await init('--cluster', BARE, '--region', REGION, '-o', file, '--force')).code).toBe(1);
    expect(readFileSync(file, 'utf8')).toContain('clusters:');
  });

  it('names the problem: unknown cluster and bad flags (exit 2, nothing written), no credentials (exit 3)', async () => {
    const file = join(dir, 'never.yaml');
    const unknown = await init('--cluster', 'nope.example.com', '--region', REGION, '-o', file);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^error \(unknown cluster\): --cluster nope\.example\.com: no control-plane Auto Scaling group/,
    );
    expect(existsSync(file)).toBe(false);
    expect((await init('--cluster', CLUSTER, '--state', 'kops-state')).stderr).toMatch(
      /^error: --state: found "kops-state"; expected an s3:\/\//,
    );
    expect((await init('--cluster', CLUSTER, '--region', 'Europe')).stderr).toMatch(
      /^error: --region: found "Europe"/,
    );
    expect((await init('--region', REGION)).stderr).toMatch(/^error: --cluster <name> is required/);
    const env = envWithoutCredentials(dir);
    const res = spawnSync(
      'node',
      ['bin/kops-api-sentinel.mjs', 'init', '--cluster', CLUSTER, '--region', REGION, '-o', file],
      {
        encoding: 'utf8',
        env,
        timeout: 60_000,
      },
    );
    expect(res.status, res.stderr).toBe(3);
    expect(res.stderr).toMatch(/^error \(AWS credentials\): /);
    expect(res.stderr).toMatch(/^hint: no usable AWS credentials/m);
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(file)).toBe(false);
  });
});
