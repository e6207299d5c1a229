import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../aws/clients.ts';

export interface InstanceFacts {
  instanceId: string;
  state: string;
  privateIp?: string;
  /** The instance's IPv6 address (an IPv6-only subnet's instance has no privateIp). */
  ipv6?: string;
  launchTime?: Date;
  /** The cluster tags on the instance itself (kops propagates them from the group). */
  tags: Map<string, string>;
}

const MAX_PAGES = 20;

/** The instance's IPv6 address: its own `Ipv6Address`, else the primary interface's (the primary IPv6 first). */
function ipv6Of(i: Instance): string | undefined {
  if (i.Ipv6Address) return i.Ipv6Address;
  const interfaces = [...(i.NetworkInterfaces ?? [])].sort(
    (a, b) => (a.Attachment?.DeviceIndex ?? 99) - (b.Attachment?.DeviceIndex ?? 99),
  );
  for (const ni of interfaces) {
    const addresses = [...(ni.Ipv6Addresses ?? [])].sort(
      (a, b) => Number(b.IsPrimaryIpv6 === true) - Number(a.IsPrimaryIpv6 === true),
    );
    const found = addresses.find((a) => a.Ipv6Address)?.Ipv6Address;
    if (found) return found;
  }
  return undefined;
}

/** The address an instance is probed on: its private IPv4 address, else its IPv6 address (IPv6-only subnets). */
export function probeAddressOf(facts: Pick<InstanceFacts, 'privateIp' | 'ipv6'>): string | undefined {
  return facts.privateIp ?? facts.ipv6;
}

/** Pure: the facts the core keeps of one DescribeInstances instance (which must have an id). */
export function instanceFactsOf(i: Instance & { InstanceId: string }): InstanceFacts {
  const ipv6 = ipv6Of(i);
  return {
    instanceId: i.InstanceId,
    state: i.State?.Name ?? 'unknown',
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
    ...(ipv6 ? { ipv6 } : {}),
    ...(i.LaunchTime ? { launchTime: new Date(i.LaunchTime) } : {}),
    tags: new Map((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

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
        out.set(i.InstanceId, instanceFactsOf({ ...i, InstanceId: i.InstanceId }));
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
