import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../../functions/core/config/load.ts';
import { selectClusters } from '../../../functions/core/config/select.ts';

const valid = () => ({
  clusters: [
    {
      name: 'k8s.example.com',
      account: '123456789012',
      region: 'eu-west-1',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      nodeSubnetIds: ['subnet-0a1b2c3d4e5f60718'],
      nodeSecurityGroupId: 'sg-0a1b2c3d4e5f60718',
      loadBalancers: { classic: ['k8s-api-internal'] },
    },
  ],
});

function problems(input: unknown): string[] {
  try {
    parseConfig(input, 'test');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('applies defaults: api.internal.<cluster>:443, repair mode, the health checks kops builds', () => {
    const cfg = parseConfig(valid());
    const c = cfg.clusters[0];
    expect(c?.api).toEqual({
      hostname: 'api.internal.k8s.example.com',
      port: 443,
      hostnamePort: 443,
      instancePort: 443,
      probeHostname: true,
    });
    expect(c?.mode).toBe('repair');
    expect(c?.healthCheck.classic).toEqual({
      target: 'SSL:443',
      interval: 10,
      timeout: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    });
    expect(c?.healthCheck.targetGroup.protocol).toBe('TCP');
    expect(c?.tls).toEqual({ timeoutSeconds: 5, expiryWarningDays: 30, goVersionRules: 'current' });
    expect(c?.ca).toEqual({ source: 'ssm', parameterName: '/kops-api-sentinel/k8s.example.com/ca-bundle' });
    expect(cfg.alerts.reminderHours).toBe(6);
    expect(cfg.verifier.scheduleMinutes).toBe(5);
  });

  it('does not probe the API name of a gossip cluster, whose names only the nodes resolve', () => {
    const input = valid();
    (input.clusters[0] as Record<string, unknown>).name = 'dev.k8s.local';
    expect(parseConfig(input).clusters[0]?.api).toMatchObject({
      hostname: 'api.internal.dev.k8s.local',
      probeHostname: false,
    });
  });

  it('names the field, the value found and what was expected', () => {
    const input = valid();
    const c = input.clusters[0] as Record<string, unknown>;
    c.account = '12345';
    c.mode = 'fix';
    const out = problems(input);
    expect(out).toContain('clusters[0].account: found "12345"; expected a 12-digit AWS account id');
    expect(out.find((p) => p.startsWith('clusters[0].mode'))).toMatch(
      /found "fix"; expected .*repair.*report-only/,
    );
  });

  it('reports missing and unknown fields', () => {
    const input = valid();
    const c = input.clusters[0] as Record<string, unknown>;
    delete c.vpcId;
    c.colour = 'blue';
    const out = problems(input);
    expect(out.find((p) => p.startsWith('clusters[0].vpcId'))).toContain('found nothing (missing)');
    expect(out).toContain('clusters[0]: unknown field(s) "colour"; expected only the documented fields');
  });

  it('requires at least one load balancer and accepts only target group ARNs there', () => {
    const input = valid();
    (input.clusters[0] as Record<string, unknown>).loadBalancers = {
      targetGroupArns: ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/x/1'],
    };
    expect(problems(input)[0]).toMatch(
      /^clusters\[0\]\.loadBalancers\.targetGroupArns\[0\]: .*expected a target group ARN/,
    );
    (input.clusters[0] as Record<string, unknown>).loadBalancers = {};
    expect(problems(input)[0]).toContain('at least one classic ELB name or target group ARN');
  });

  it('accepts clusters in other accounts, regions and VPCs (a fleet: one member stack each)', () => {
    const input = valid();
    const other = (name: string, extra: Record<string, unknown>) =>
      ({ ...structuredClone(input.clusters[0]), name, ...extra }) as never;
    input.clusters.push(
      other('b.example.com', { region: 'us-east-1' }),
      other('c.example.com', { account: '210987654321' }),
      other('d.example.com', { vpcId: 'vpc-0fedcba987654321f' }),
    );
    expect(parseConfig(input).clusters.map((c) => c.name)).toHaveLength(4);
  });

  it('counts the Lambda subnet limit per member (account, region, VPC), not over the fleet', () => {
    const input = valid();
    const base = input.clusters[0] as Record<string, unknown>;
    const subnets = (from: number) =>
      Array.from({ length: 9 }, (_, i) => `subnet-${(from + i).toString(16).padStart(8, '0')}`);
    base.nodeSubnetIds = subnets(0);
    input.clusters.push({
      ...structuredClone(base),
      name: 'b.example.com',
      nodeSubnetIds: subnets(9),
    } as never);
    expect(problems(input)[0]).toMatch(
      /^clusters\[0\]\.nodeSubnetIds: .*at most 16 distinct nodeSubnetIds over the clusters of 123456789012\/eu-west-1\/vpc-/,
    );
    (input.clusters[1] as Record<string, unknown>).region = 'us-east-1';
    expect(parseConfig(input).clusters).toHaveLength(2);
  });

  it("takes a CLI role in the cluster's own account, or a profile, not both", () => {
    const input = valid();
    const c = input.clusters[0] as Record<string, unknown>;
    c.cliRoleArn = 'arn:aws:iam::210987654321:role/sentinel-cli';
    expect(problems(input)[0]).toMatch(
      /^clusters\[0\]\.cliRoleArn: .*a role in the cluster's account 123456789012 \(the ARN names 210987654321\)/,
    );
    c.cliRoleArn = 'arn:aws:iam::123456789012:role/ops/sentinel-cli';
    expect(parseConfig(input).clusters[0]?.cliRoleArn).toBe(
      'arn:aws:iam::123456789012:role/ops/sentinel-cli',
    );
    c.profile = 'prod';
    expect(problems(input)[0]).toMatch(/^clusters\[0\]\.profile: .*either cliRoleArn or profile, not both/);
    c.cliRoleArn = 'arn:aws:iam::123456789012:user/someone';
    expect(problems(input).join('\n')).toMatch(/clusters\[0\]\.cliRoleArn: .*expected an IAM role ARN/);
  });

  it('takes a hub by account and region, with an optional organization id', () => {
    const input = valid() as Record<string, unknown>;
    input.alerts = {
      email: ['oncall@example.com'],
      hub: { account: '999999999999', region: 'eu-central-1', organizationId: 'o-abc' },
    };
    expect(problems(input)[0]).toMatch(
      /^alerts\.hub\.organizationId: found "o-abc"; expected an AWS Organizations id/,
    );
    input.alerts = {
      email: ['oncall@example.com'],
      hub: { account: '999999999999', region: 'eu-central-1', organizationId: 'o-abcdef1234' },
    };
    expect(parseConfig(input).alerts.hub?.organizationId).toBe('o-abcdef1234');
  });

  it("refuses a hub without an e-mail address: a member's own alarms would reach nobody", () => {
    const input = valid() as Record<string, unknown>;
    input.alerts = { hub: { account: '999999999999', region: 'eu-central-1' } };
    const out = problems(input);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      /^alerts\.email: .*at least one address with alerts\.hub: each member's own alarms/,
    );
    expect(out[0]).toMatch(/cannot reach the hub's topic or Slack across accounts/);
    input.alerts = {
      email: ['oncall@example.com'],
      hub: { account: '999999999999', region: 'eu-central-1' },
    };
    expect(parseConfig(input).alerts.email).toEqual(['oncall@example.com']);
    // without a hub, e-mail stays optional (the stack's own topic carries its alarms to Slack)
    input.alerts = {};
    expect(parseConfig(input).alerts.email).toEqual([]);
  });

  it('refuses members outside the hub partition, naming the cluster region', () => {
    const input = valid();
    const c = input.clusters[0] as Record<string, unknown>;
    const hub = (region: string) => ({
      email: ['oncall@example.com'],
      hub: { account: '999999999999', region },
    });
    for (const [region, partition] of [
      ['cn-north-1', 'aws-cn'],
      ['us-gov-west-1', 'aws-us-gov'],
      ['us-isof-south-1', 'aws-iso-f'],
      ['eu-isoe-west-1', 'aws-iso-e'],
    ] as const) {
      c.region = region;
      const out = problems({ ...input, alerts: hub('eu-central-1') });
      expect(out).toHaveLength(1);
      expect(out[0]).toMatch(
        /^clusters\[0\]\.region: .*a region in the hub's partition aws \(alerts\.hub\.region eu-central-1/,
      );
      expect(out[0]).toContain(`${region} is in ${partition}`);
    }
    // the same partition is fine, whatever the region
    c.region = 'us-gov-east-1';
    expect(parseConfig({ ...input, alerts: hub('us-gov-west-1') }).clusters[0]?.region).toBe('us-gov-east-1');
    // and without a hub any partition is
    c.region = 'cn-north-1';
    expect(parseConfig(input).clusters[0]?.region).toBe('cn-north-1');
  });

  it('refuses an inline CA that carries a private key, without quoting it', () => {
    const input = valid();
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEsecret\n-----END PRIVATE KEY-----\n';
    // the key first, where an excerpt of the value would show it
    (input.clusters[0] as Record<string, unknown>).ca = {
      source: 'inline',
      pem: `${key}-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n`,
    };
    const out = problems(input);
    expect(out[0]).toMatch(/^clusters\[0\]\.ca\.pem: .*expected CA certificates only, no private key/);
    expect(out.join('\n')).not.toContain('MIIEsecret');
  });

  it('reads YAML and JSON files, and says which file is unreadable or malformed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-config-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(valid()));
    expect(loadConfigFile(join(dir, 'c.json')).clusters).toHaveLength(1);
    writeFileSync(join(dir, 'bad.yaml'), 'clusters: [\n');
    expect(() => loadConfigFile(join(dir, 'bad.yaml'))).toThrow(/bad\.yaml[\s\S]*not valid YAML/);
    expect(() => loadConfigFile(join(dir, 'missing.yaml'))).toThrow(
      /missing\.yaml[\s\S]*cannot read the file/,
    );
  });

  it('selects a cluster by name, or says which names exist', () => {
    const cfg = parseConfig(valid());
    expect(selectClusters(cfg, 'k8s.example.com')).toHaveLength(1);
    expect(() => selectClusters(cfg, 'nope')).toThrow(
      /--cluster: found "nope"; expected one of "k8s.example.com"/,
    );
  });

  it('the shipped example config is valid', () => {
    expect(loadConfigFile('config/example.yaml').clusters[0]?.name).toBe('k8s.example.com');
    const fleet = loadConfigFile('config/fleet-example.yaml');
    expect(fleet.clusters.map((c) => `${c.account}/${c.region}`)).toEqual([
      '111111111111/eu-west-1',
      '222222222222/eu-west-1',
      '222222222222/us-east-1',
    ]);
    expect(fleet.alerts.hub?.account).toBe('333333333333');
  });

  it('rejects * and ? in the strings that become IAM policy ARNs, naming the field', () => {
    const withCluster = (extra: Record<string, unknown>) => ({
      clusters: [{ ...valid().clusters[0], ...extra }],
    });
    const cases: [unknown, string][] = [
      [withCluster({ ca: { source: 'ssm', parameterName: '/kops/*' } }), 'clusters[0].ca.parameterName'],
      [
        withCluster({ ca: { source: 'state-store', stateStore: 's3://kops-state/?x' } }),
        'clusters[0].ca.stateStore',
      ],
      [
        { ...valid(), alerts: { slack: { kind: 'webhook', secretName: 'slack-*' } } },
        'alerts.slack.secretName',
      ],
    ];
    for (const [input, field] of cases) {
      const found = problems(input);
      expect(found).toEqual([expect.stringContaining(field)]);
      expect(found[0]).toContain('no * or ?');
    }
    const ok = parseConfig(withCluster({ ca: { source: 'ssm', parameterName: '/kops/ca-bundle' } }), 'test');
    expect(ok.clusters[0]?.ca).toEqual({ source: 'ssm', parameterName: '/kops/ca-bundle' });
  });
});
