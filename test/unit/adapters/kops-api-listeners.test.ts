import {
  DescribeTagsCommand as DescribeClassicTagsCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../functions/core/aws/clients.ts';
import type { ControlPlaneGroup } from '../../../functions/core/discovery/control-plane.ts';
import { readKopsApiListeners } from '../../../functions/core/kops/api-listeners.ts';
import { CLUSTER, clusterConfig, G1 } from '../plan/picture.ts';
import { accessDenied, serviceError, throttled } from './aws-errors.ts';

/**
 * Reading kops' API load balancer among a control-plane group's attachments, against SDK answers
 * moto does not give: a batch failing because one load balancer is gone, and other failures.
 */
const cluster = clusterConfig();
const KOPS_ELB = 'api-k8s-example-com-abcd';
const GONE = 'api-deleted-elb';
const NLB_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/api-k8s/0123456789abcdef';
const KOPS_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tcp-api/0123456789abcdef';
const ownTags = [{ Key: 'KubernetesCluster', Value: CLUSTER }];
const notFound = () =>
  serviceError('LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${GONE}'`, 400);

function group(names: string[], tgs: string[] = []): ControlPlaneGroup {
  return {
    name: G1,
    cluster: CLUSTER,
    role: 'control-plane',
    instances: [],
    loadBalancerNames: names,
    targetGroupArns: tgs,
  };
}

function setup() {
  const elb = new ElasticLoadBalancingClient({ region: 'eu-west-1' });
  const elbv2 = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
  const mocks = { elb: mockClient(elb), elbv2: mockClient(elbv2) };
  mocks.elb.onAnyCommand().rejects(new Error('unexpected ELB call'));
  mocks.elbv2.onAnyCommand().rejects(new Error('unexpected ELBv2 call'));
  return { ...mocks, clients: { elb, elbv2 } as unknown as AwsClients };
}

let s: ReturnType<typeof setup>;
beforeEach(() => {
  s = setup();
});

const sslListener = {
  LoadBalancerName: KOPS_ELB,
  ListenerDescriptions: [
    { Listener: { Protocol: 'SSL', LoadBalancerPort: 443, InstanceProtocol: 'SSL', InstancePort: 443 } },
  ],
};

describe("kops' API load balancer read", () => {
  it('a group still listing a deleted classic ELB: the batch falls back to one call per name and skips it', async () => {
    s.elb.on(DescribeClassicTagsCommand, { LoadBalancerNames: [KOPS_ELB, GONE] }).rejects(notFound());
    s.elb.on(DescribeClassicTagsCommand, { LoadBalancerNames: [GONE] }).rejects(notFound());
    s.elb
      .on(DescribeClassicTagsCommand, { LoadBalancerNames: [KOPS_ELB] })
      .resolves({ TagDescriptions: [{ LoadBalancerName: KOPS_ELB, Tags: ownTags }] });
    s.elb
      .on(DescribeLoadBalancersCommand, { LoadBalancerNames: [KOPS_ELB] })
      .resolves({ LoadBalancerDescriptions: [sslListener] });
    const read = await readKopsApiListeners(s.clients, cluster, [group([KOPS_ELB, GONE])]);
    expect(read).toEqual({
      listeners: [{ loadBalancer: `elb/${KOPS_ELB}`, port: 443, protocol: 'SSL' }],
      failures: [],
    });
    expect(s.elb.commandCalls(DescribeClassicTagsCommand)).toHaveLength(3);
  });

  it('any other failure is a failure naming the call and the load balancers, never a throw', async () => {
    s.elb.on(DescribeClassicTagsCommand).rejects(accessDenied('elasticloadbalancing:DescribeTags'));
    const read = await readKopsApiListeners(s.clients, cluster, [group([KOPS_ELB, GONE])]);
    expect(read.listeners).toEqual([]);
    expect(read.failures).toEqual([
      {
        call: 'elb:DescribeTags',
        resource: `elb/${KOPS_ELB}, elb/${GONE}`,
        reason: expect.stringMatching(/^AccessDenied: .*elasticloadbalancing:DescribeTags/),
      },
    ]);
  });

  it('a failure of one per-name call is a failure too (throttled after the fallback)', async () => {
    s.elb.on(DescribeClassicTagsCommand, { LoadBalancerNames: [KOPS_ELB, GONE] }).rejects(notFound());
    s.elb.on(DescribeClassicTagsCommand, { LoadBalancerNames: [KOPS_ELB] }).rejects(throttled());
    const read = await readKopsApiListeners(s.clients, cluster, [group([KOPS_ELB, GONE])]);
    expect(read.failures.map((f) => `${f.call} ${f.reason}`)).toEqual([
      'elb:DescribeTags Throttling: Rate exceeded',
    ]);
  });

  it('network: a load balancer gone between DescribeTargetGroups and DescribeTags/DescribeListeners is skipped; a throttled listener read is a failure', async () => {
    const GONE_NLB = NLB_ARN.replace('api-k8s', 'api-gone');
    s.elbv2
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: [KOPS_TG] })
      .resolves({ TargetGroups: [{ TargetGroupArn: KOPS_TG, LoadBalancerArns: [NLB_ARN, GONE_NLB] }] });
    s.elbv2.on(DescribeTagsCommand, { ResourceArns: [NLB_ARN, GONE_NLB] }).rejects(notFound());
    s.elbv2.on(DescribeTagsCommand, { ResourceArns: [GONE_NLB] }).rejects(notFound());
    s.elbv2
      .on(DescribeTagsCommand, { ResourceArns: [NLB_ARN] })
      .resolves({ TagDescriptions: [{ ResourceArn: NLB_ARN, Tags: ownTags }] });
    s.elbv2
      .on(DescribeListenersCommand, { LoadBalancerArn: NLB_ARN })
      .resolvesOnce({
        Listeners: [
          {
            LoadBalancerArn: NLB_ARN,
            Port: 443,
            Protocol: 'TLS',
            Certificates: [{ CertificateArn: 'arn:acm' }],
          },
        ],
      })
      .rejectsOnce(throttled());
    const first = await readKopsApiListeners(s.clients, cluster, [group([], [KOPS_TG])]);
    expect(first).toEqual({
      listeners: [{ loadBalancer: 'api-k8s', port: 443, protocol: 'TLS', certificateArn: 'arn:acm' }],
      failures: [],
    });
    const second = await readKopsApiListeners(s.clients, cluster, [group([], [KOPS_TG])]);
    expect(second.failures.map((f) => `${f.call} ${f.resource}`)).toEqual([
      `elbv2:DescribeListeners ${NLB_ARN}`,
    ]);
  });
});
