import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../aws/clients.ts';

export interface InstanceFacts {
  instanceId: string;
  state: string;
  privateIp?: string;
  launchTime?: Date;
  /** The cluster tags on the instance itself (kops propagates them from the group). */
  tags: Map<string, string>;
}

const MAX_PAGES = 20;

/** Describes instances by id; ids EC2 no longer knows are simply absent from the result. */
export async function describeInstances(
  clients: AwsClients,
  ids: readonly string[],
): Promise<Map<string, InstanceFacts>> {
  const out = new Map<string, InstanceFacts>();
  const unique = [...new Set(ids)].filter(Boolean);
  if (unique.length === 0) return out;
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await clients.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: unique }], NextToken: token }),
    );
    for (const r of res.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        if (!i.InstanceId) continue;
        out.set(i.InstanceId, {
          instanceId: i.InstanceId,
          state: i.State?.Name ?? 'unknown',
          ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
          ...(i.LaunchTime ? { launchTime: new Date(i.LaunchTime) } : {}),
          tags: new Map((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        });
      }
    }
    token = res.NextToken;
    if (!token) return out;
  }
  // a partial picture must not pass for a whole one: the caller's run stops with AWS_CALL_FAILED
  throw new Error(
    `DescribeInstances returned more than ${MAX_PAGES} pages for ${unique.length} instance ids`,
  );
}
