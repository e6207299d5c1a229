import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ConfigError, parseConfig } from '../../../functions/core/config/parse.ts';
import type { InitFacts, NodeGroupFact } from '../../../functions/core/init/facts.ts';
import { chooseNodeSecurityGroup, planInit } from '../../../functions/core/init/plan.ts';
import { renderInitConfig } from '../../../functions/core/init/render.ts';

const CLUSTER = 'k8s.example.com';
const VPC = 'vpc-0a1b2c3d4e5f60718';
const SUBNETS = ['subnet-0a1b2c3d4e5f60718', 'subnet-0f9e8d7c6b5a40312'];
const NODES_SG = 'sg-0a1b2c3d4e5f60718';
const OTHER_SG = 'sg-0ffffffffffffffff';
const TG =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-api-internal-tcp/0123456789abcdef';
const NLB =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/k8s-api-internal-nlb/0123456789abcdef';
const KOPS_TG =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tcp-k8s-example-com-vpjolq/0123456789abcdef';
const KOPS_TAGS = { KubernetesCluster: CLUSTER, Name: `api.${CLUSTER}` };
const AT = { writtenAt: '2026-11-30T22:00:00.000Z' };

function node(name: string, over: Partial<NodeGroupFact> = {}): NodeGroupFact {
  return {
    name,
    subnetIds: SUBNETS,
    securityGroupIds: [NODES_SG],
    securityGroupSource: `launch template ${name} version $Latest`,
    ...over,
  };
}

/** A kops 1.30 cluster as init reads it: three control-plane groups on kops' NLB and the internal ones. */
function facts(over: Partial<InitFacts> = {}): InitFacts {
  const groups = ['a', 'b', 'c'].map((z) => ({
    name: `control-plane-eu-west-1${z}.masters.${CLUSTER}`,
    role: 'control-plane' as const,
    subnetIds: [SUBNETS[0] ?? ''],
    loadBalancerNames: ['k8s-api-internal'],
    targetGroupArns: [KOPS_TG, TG],
  }));
  return {
    cluster: CLUSTER,
    account: '123456789012',
    region: 'eu-west-1',
    regionFrom: 'flag',
    apiGroups: groups,
    nodeGroups: [node(`nodes-eu-west-1a.${CLUSTER}`)],
    subnetVpcs: Object.fromEntries(SUBNETS.map((s) => [s, VPC])),
    securityGroups: [],
    classic: [{ name: 'k8s-api-internal', scheme: 'internal', tags: {} }],
    targetGroups: [
      {
        arn: TG,
        name: 'k8s-api-internal-tcp',
        tags: {},
        loadBalancers: [{ arn: NLB, name: 'k8s-api-internal-nlb', type: 'network', tags: {} }],
      },
      {
        arn: KOPS_TG,
        name: 'tcp-k8s-example-com-vpjolq',
        tags: { KubernetesCluster: CLUSTER },
        loadBalancers: [
          { arn: `${NLB}0`, name: 'api-k8s-example-com-k2j4n8', type: 'network', tags: KOPS_TAGS },
        ],
      },
    ],
    readProblems: [],
    ...over,
  };
}

function validate(text: string) {
  return parseConfig(parse(text), 'rendered');
}

describe('init: from what was read to the config', () => {
  it('a complete cluster: every value with its source, kops own API target group left out; it validates', () => {
    const plan = planInit(facts());
    expect(plan.gaps).toEqual([]);
    expect(plan.warnings).toEqual([]);
    expect(plan.leftOut).toEqual([
      expect.stringMatching(/^target group tcp-k8s-example-com-vpjolq: its load balancer api-k8s/),
    ]);
    const [cluster] = validate(renderInitConfig(plan, AT)).clusters;
    expect(cluster).toMatchObject({
      name: CLUSTER,
      account: '123456789012',
      vpcId: VPC,
      nodeSubnetIds: SUBNETS,
      nodeSecurityGroupId: NODES_SG,
      loadBalancers: { classic: ['k8s-api-internal'], targetGroupArns: [TG], networkLoadBalancerArns: [NLB] },
      ca: { source: 'ssm', parameterName: `/kops-api-sentinel/${CLUSTER}/ca-bundle` },
    });
    expect(cluster?.kops).toBeUndefined();
    expect(plan.next).toEqual([
      expect.stringContaining(`ca import --config <this file> --cluster ${CLUSTER}`),
    ]);
    const text = renderInitConfig(plan, AT);
    expect(text).toContain('# --region\n    region: eu-west-1');
    expect(text).toContain(
      '# target group k8s-api-internal-tcp of NLB k8s-api-internal-nlb, attached to all 3 control-plane group(s)',
    );
    expect(text).toContain('# left out: target group tcp-k8s-example-com-vpjolq');
    expect(text).not.toContain('FILL IN');
  });

  it('--include-kops-api-lb keeps it, with a warning; --state sets kops.stateStore and the state-store CA', () => {
    const kept = planInit(facts(), { includeKopsApiLb: true });
    expect(kept.leftOut).toEqual([]);
    expect(kept.loadBalancers.targetGroupArns.map((t) => t.value)).toEqual([KOPS_TG, TG]);
    expect(kept.warnings).toEqual([
      expect.stringMatching(/kops' own API load balancer .*--include-kops-api-lb/),
    ]);
    const state = planInit(
      facts({ stateStore: { url: 's3://kops-state/prod', nodeupGroups: ['nodes-eu-west-1a'] } }),
    );
    const [cluster] = validate(renderInitConfig(state, AT)).clusters;
    expect(cluster?.ca).toEqual({ source: 'state-store', stateStore: 's3://kops-state/prod' });
    expect(cluster?.kops).toEqual({ stateStore: 's3://kops-state/prod' });
    expect(state.next).toEqual([]);
    const unreadable = planInit(facts({ stateStore: { url: 's3://kops-state', problem: 'AccessDenied' } }));
    expect(unreadable.gaps).toEqual([]);
    expect(unreadable.warnings).toEqual([
      expect.stringMatching(
        /nodeup configs under s3:\/\/kops-state could not be read \(AccessDenied\).*CA_UNAVAILABLE/,
      ),
    ]);
  });

  it('no node group, no internal load balancer: the fields left empty, named, and the config does not validate', () => {
    const plan = planInit(
      facts({
        nodeGroups: [],
        apiGroups: facts().apiGroups.map((g) => ({
          ...g,
          loadBalancerNames: [],
          targetGroupArns: [KOPS_TG],
        })),
      }),
    );
    expect(plan.gaps).toEqual([
      expect.stringMatching(/^no node group found .*nodeSubnetIds left empty, fill in/),
      expect.stringMatching(/^no security group|^no node group found: nodeSecurityGroupId left empty/),
      expect.stringMatching(
        /^no internal load balancer is attached .*besides kops' own API load balancer .*--include-kops-api-lb/,
      ),
    ]);
    // the VPC still comes from the control plane's subnets
    expect(plan.vpcId).toEqual({ value: VPC, from: expect.stringContaining('control-plane subnets') });
    const text = renderInitConfig(plan, AT);
    expect(text).toMatch(/^# INCOMPLETE: fill in the fields marked FILL IN/m);
    expect(text).toContain('# FILL IN: no internal load balancer is attached to the control-plane groups\n');
    expect(text).toContain('# FILL IN: no node group found\n    nodeSubnetIds: []');
    let problems: string[] = [];
    try {
      validate(text);
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems.join('\n')).toMatch(/clusters\[0\]\.nodeSubnetIds/);
    expect(problems.join('\n')).toMatch(/clusters\[0\]\.nodeSecurityGroupId/);
    expect(problems.join('\n')).toMatch(/clusters\[0\]\.loadBalancers/);
  });

  it('the node security group: the only one, else kops nodes.<cluster>, else the one all groups share, else a gap', () => {
    const a = node('nodes-a', { securityGroupIds: [NODES_SG, OTHER_SG] });
    const b = node('nodes-b', { securityGroupIds: [OTHER_SG, 'sg-0eeeeeeeeeeeeeeee'] });
    const named = [{ id: NODES_SG, groupName: `nodes.${CLUSTER}`, tags: {} }];
    expect(chooseNodeSecurityGroup(CLUSTER, [node('n')], []).id).toBe(NODES_SG);
    expect(chooseNodeSecurityGroup(CLUSTER, [a, b], named).id).toBe(NODES_SG);
    expect(
      chooseNodeSecurityGroup(
        CLUSTER,
        [a, b],
        [{ id: NODES_SG, groupName: 'x', tags: { Name: `nodes.${CLUSTER}` } }],
      ).id,
    ).toBe(NODES_SG);
    expect(chooseNodeSecurityGroup(CLUSTER, [a, b], [])).toMatchObject({
      id: OTHER_SG,
      from: expect.stringContaining('all node groups have'),
    });
    const apart = node('nodes-c', { securityGroupIds: ['sg-0ddddddddddddddd0'] });
    const none = planInit(facts({ nodeGroups: [a, apart] }));
    expect(none.nodeSecurityGroupId.value).toBe('');
    expect(none.gaps).toEqual([
      expect.stringMatching(/several security groups .* none is named nodes\.k8s\.example\.com/),
    ]);
    const unreadable = planInit(
      facts({
        nodeGroups: [node('nodes-a', { securityGroupIds: [], securityGroupProblem: 'no launch template' })],
      }),
    );
    expect(unreadable.gaps).toEqual([
      expect.stringMatching(/no security group found .*nodes-a: no launch template/),
    ]);
  });

  it('subnets in several VPCs, a load balancer on some groups only, an NLB ARN of another form, more than 10 load balancers', () => {
    const split = planInit(
      facts({ subnetVpcs: { [SUBNETS[0] ?? '']: VPC, [SUBNETS[1] ?? '']: 'vpc-0bbbbbbbbbbbbbbbb' } }),
    );
    expect(split.vpcId.value).toBe('');
    expect(split.gaps).toEqual([expect.stringMatching(/several VPCs .*vpcId left empty/)]);
    const groups = facts().apiGroups;
    const partial = planInit(
      facts({
        apiGroups: groups.map((g, i) => ({ ...g, loadBalancerNames: i === 0 ? ['k8s-api-internal'] : [] })),
      }),
    );
    expect(partial.warnings).toEqual([
      expect.stringMatching(
        /^k8s-api-internal is attached to 1 of 3 control-plane groups; reconcile attaches it/,
      ),
    ]);
    const odd = facts().targetGroups.map((t) => ({
      ...t,
      loadBalancers: t.loadBalancers.map((l) => ({ ...l, arn: l.arn.replace('/net/', '/app/') })),
    }));
    const plan = planInit(facts({ targetGroups: odd }));
    expect(plan.loadBalancers.networkLoadBalancerArns).toEqual([]);
    expect(plan.warnings).toEqual([
      expect.stringContaining('NLB k8s-api-internal-nlb: its ARN is not of the form'),
    ]);
    const many = Array.from({ length: 11 }, (_, i) => `internal-${i}`);
    const crowded = planInit(
      facts({ apiGroups: groups.map((g) => ({ ...g, loadBalancerNames: many, targetGroupArns: [] })) }),
    );
    expect(crowded.gaps).toEqual([expect.stringMatching(/^11 load balancers .* at most 10/)]);
  });
});
