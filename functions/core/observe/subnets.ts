import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../aws/clients.ts';

/** A subnet as AWS reports it: its zone and its IPv4 and IPv6 CIDR blocks. */
export interface SubnetRange {
  subnetId: string;
  zone: string;
  cidrs: string[];
}

const MAX_PAGES = 20;
const GONE = new Set(['disassociating', 'disassociated', 'failed']);

/** The subnets of the given VPCs (one DescribeSubnets call, paged), for placing addresses in zones. */
export async function describeSubnets(
  clients: AwsClients,
  vpcIds: readonly string[],
): Promise<SubnetRange[]> {
  const out: SubnetRange[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await clients.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [...vpcIds] }], NextToken: token }),
    );
    for (const s of res.Subnets ?? []) {
      if (!s.SubnetId || !s.AvailabilityZone) continue;
      const v6 = (s.Ipv6CidrBlockAssociationSet ?? [])
        .filter((a) => !GONE.has(a.Ipv6CidrBlockState?.State ?? ''))
        .flatMap((a) => (a.Ipv6CidrBlock ? [a.Ipv6CidrBlock] : []));
      out.push({
        subnetId: s.SubnetId,
        zone: s.AvailabilityZone,
        cidrs: [...(s.CidrBlock ? [s.CidrBlock] : []), ...v6],
      });
    }
    token = res.NextToken;
    if (!token) return out;
  }
  throw new Error(`DescribeSubnets returned more than ${MAX_PAGES} pages for ${vpcIds.join(', ')}`);
}
