import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config/parse.ts';
import { memberConfig, partitionOf, planFleet } from '../../../functions/core/fleet/plan.ts';

const cluster = (name: string, account: string, region: string, vpcId = 'vpc-0123456789abcdef0') => ({
  name,
  account,
  region,
  vpcId,
  nodeSubnetIds: ['subnet-0123456789abcdef0'],
  nodeSecurityGroupId: 'sg-0123456789abcdef0',
  loadBalancers: { classic: ['api-internal'] },
});

const A = '111111111111';
const B = '222222222222';
const HUB = '999999999999';
const EMAIL = ['oncall@example.com'];

describe('planFleet', () => {
  it('a single-account config is one stack named stackName, with no hub', () => {
    const plan = planFleet(parseConfig({ clusters: [cluster('a.example.com', A, 'eu-west-1')] }));
    expect(plan.hub).toBeUndefined();
    expect(plan.members).toHaveLength(1);
    expect(plan.members[0]).toMatchObject({
      id: 'KopsApiSentinel',
      stackName: 'KopsApiSentinel',
      account: A,
    });
  });

  it('one member per account, region and VPC, in config order, each with its own clusters', () => {
    const config = parseConfig({
      clusters: [
        cluster('a.example.com', A, 'eu-west-1'),
        cluster('b.example.com', B, 'eu-west-1'),
        cluster('c.example.com', A, 'eu-west-1'),
        cluster('d.example.com', A, 'us-east-1'),
        cluster('e.example.com', A, 'eu-west-1', 'vpc-0fedcba987654321f'),
      ],
    });
    const { members } = planFleet(config);
    expect(members.map((m) => [m.id, m.stackName, m.clusters.map((c) => c.name)])).toEqual([
      [
        'KopsApiSentinel-111111111111-eu-west-1-vpc-0123456789abcdef0',
        'KopsApiSentinel',
        ['a.example.com', 'c.example.com'],
      ],
      ['KopsApiSentinel-222222222222-eu-west-1-vpc-0123456789abcdef0', 'KopsApiSentinel', ['b.example.com']],
      ['KopsApiSentinel-111111111111-us-east-1-vpc-0123456789abcdef0', 'KopsApiSentinel', ['d.example.com']],
      [
        'KopsApiSentinel-111111111111-eu-west-1-vpc-0fedcba987654321f',
        'KopsApiSentinel-vpc-0fedcba987654321f',
        ['e.example.com'],
      ],
    ]);
    const first = members[0];
    if (!first) throw new Error('no member');
    expect(memberConfig(config, first).clusters.map((c) => c.name)).toEqual([
      'a.example.com',
      'c.example.com',
    ]);
    // role names: unique per account and region, within IAM's 64 characters
    const roles = members.map((m) => `${m.account}/${m.forwardRoleName}`);
    expect(new Set(roles).size).toBe(members.length);
    for (const m of members) expect(m.forwardRoleName.length).toBeLessThanOrEqual(64);
  });

  it('Chatbot names are unique per account (no region in their ARN); the first keeps the single stack name', () => {
    const config = (stackName: string) =>
      parseConfig({
        stackName,
        clusters: [
          cluster('a.example.com', A, 'eu-west-1'),
          cluster('b.example.com', A, 'us-east-1'),
          cluster('c.example.com', B, 'us-east-1'),
          cluster('d.example.com', A, 'eu-west-1', 'vpc-0fedcba987654321f'),
        ],
      });
    expect(planFleet(config('Sentinel')).members.map((m) => `${m.account}/${m.chatbotName}`)).toEqual([
      `${A}/Sentinel-alerts`,
      `${A}/Sentinel-us-east-1-vpc-0123456789abcdef0-alerts`,
      `${B}/Sentinel-alerts`,
      `${A}/Sentinel-eu-west-1-vpc-0fedcba987654321f-alerts`,
    ]);
    // at most 128 characters, still unique
    const long = planFleet(config(`S${'x'.repeat(127)}`)).members.map((m) => m.chatbotName);
    for (const name of long) expect(name.length).toBeLessThanOrEqual(128);
    expect(new Set(long.slice(1, 2).concat(long.slice(3))).size).toBe(2);
    expect(
      planFleet(parseConfig({ clusters: [cluster('a.example.com', A, 'eu-west-1')] })).members[0]
        ?.chatbotName,
    ).toBe('KopsApiSentinel-alerts');
  });

  it('adding a cluster elsewhere renames no deployed stack', () => {
    const before = planFleet(
      parseConfig({
        clusters: [cluster('a.example.com', A, 'eu-west-1')],
        alerts: { email: EMAIL, hub: { account: HUB, region: 'eu-west-1' } },
      }),
    );
    const after = planFleet(
      parseConfig({
        clusters: [cluster('z.example.com', B, 'us-east-1'), cluster('a.example.com', A, 'eu-west-1')],
        alerts: { email: EMAIL, hub: { account: HUB, region: 'eu-west-1' } },
      }),
    );
    const names = (p: typeof before) =>
      p.members.map((m) => `${m.account}/${m.region}/${m.stackName}/${m.id}`);
    expect(names(after)).toEqual(expect.arrayContaining(names(before)));
    expect(after.hub?.stackName).toBe(before.hub?.stackName);
  });

  it("a hub names its bus by ARN and admits the members' accounts, or an organization", () => {
    const plan = planFleet(
      parseConfig({
        clusters: [cluster('a.example.com', A, 'eu-west-1'), cluster('b.example.com', B, 'us-east-1')],
        alerts: { email: EMAIL, hub: { account: HUB, region: 'eu-central-1' } },
      }),
    );
    expect(plan.hub).toEqual({
      id: 'KopsApiSentinel-Hub',
      stackName: 'KopsApiSentinel-Hub',
      account: HUB,
      region: 'eu-central-1',
      busName: 'kops-api-sentinel-hub',
      busArn: 'arn:aws:events:eu-central-1:999999999999:event-bus/kops-api-sentinel-hub',
      memberAccounts: [A, B],
    });
    // with a hub, even one member gets its full id (the hub is a second stack)
    const one = planFleet(
      parseConfig({
        clusters: [cluster('a.example.com', A, 'eu-west-1')],
        alerts: { email: EMAIL, hub: { account: HUB, region: 'eu-west-1', organizationId: 'o-abcdef1234' } },
      }),
    );
    expect(one.members[0]?.id).toBe('KopsApiSentinel-111111111111-eu-west-1-vpc-0123456789abcdef0');
    expect(one.hub?.organizationId).toBe('o-abcdef1234');
  });

  it('knows the partitions', () => {
    expect(
      [
        'eu-west-1',
        'cn-north-1',
        'us-gov-west-1',
        'us-iso-east-1',
        'us-isob-east-1',
        'us-isof-south-1',
        'eu-isoe-west-1',
        'eusc-de-east-1',
      ].map(partitionOf),
    ).toEqual(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-f', 'aws-iso-e', 'aws-eusc']);
  });
});
