import {
  DescribeLoadBalancersCommand as DescribeClassicCommand,
  DescribeTagsCommand as DescribeClassicTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ClassicLoadBalancerFact, TargetGroupFact } from './facts.ts';
import { type InitClients, noting, tagsOf } from './reads.ts';

/** The load balancers attached to the control plane as `init` reads them: scheme, tags, and a target group's load balancers. */

export async function classicFact(
  clients: InitClients,
  name: string,
  problems: string[],
): Promise<ClassicLoadBalancerFact | undefined> {
  return noting(problems, `classic ELB ${name} (attached to the control plane)`, async () => {
    const lb = await clients.elb.send(new DescribeClassicCommand({ LoadBalancerNames: [name] }));
    const tags = await clients.elb.send(new DescribeClassicTagsCommand({ LoadBalancerNames: [name] }));
    const scheme = lb.LoadBalancerDescriptions?.[0]?.Scheme;
    return { name, ...(scheme ? { scheme } : {}), tags: tagsOf(tags.TagDescriptions?.[0]?.Tags) };
  });
}

export async function targetGroupFact(
  clients: InitClients,
  arn: string,
  problems: string[],
): Promise<TargetGroupFact | undefined> {
  return noting(problems, `target group ${arn} (attached to the control plane)`, async () => {
    const res = await clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    const tg = res.TargetGroups?.[0];
    const lbArns = tg?.LoadBalancerArns ?? [];
    const tagged = await clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn, ...lbArns] }));
    const tagsFor = (a: string) => tagsOf(tagged.TagDescriptions?.find((d) => d.ResourceArn === a)?.Tags);
    const lbs = lbArns.length
      ? ((await clients.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: lbArns })))
          .LoadBalancers ?? [])
      : [];
    return {
      arn,
      name: tg?.TargetGroupName ?? arn,
      tags: tagsFor(arn),
      loadBalancers: lbs.map((lb) => ({
        arn: lb.LoadBalancerArn ?? '',
        name: lb.LoadBalancerName ?? '',
        type: lb.Type ?? '',
        ...(lb.Scheme ? { scheme: lb.Scheme } : {}),
        tags: tagsFor(lb.LoadBalancerArn ?? ''),
      })),
    };
  });
}
