import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { SentinelConfigInput } from '../functions/core/config/schema.ts';
import { clientsIn } from './accounts.ts';
import {
  createInternalLoadBalancers,
  createKopsCluster,
  createNetwork,
  type KopsNetwork,
} from './kops-account.ts';

/**
 * Clusters of the CLI's fleet in several accounts and regions of one moto (the CLI fleet test and
 * the bench's fleet-cli section).
 */

// one way to act in an account of moto (sandbox/accounts.ts); re-exported for the CLI fleet's users
export { clientsIn } from './accounts.ts';
export { MOTO_ACCOUNT } from './moto.ts';

/** One network per account and region, shared by the clusters built there. */
const networks = new Map<string, Promise<KopsNetwork>>();

/**
 * A small kops cluster (one control-plane group with an internal classic ELB and an NLB target
 * group attached, as externalLoadBalancers leaves them) in one account and region, and its entry
 * of the config, in that account and region. With `caPem`, its CA bundle is in that account's SSM
 * and the API name is probed; without, TLS is not judged (CA_UNAVAILABLE) and nothing is dialled.
 */
export async function clusterIn(
  account: string,
  region: string,
  name: string,
  opts: { caPem?: string } = {},
): Promise<SentinelConfigInput['clusters'][number]> {
  const clients = clientsIn(account, region);
  const where = `${account}/${region}`;
  let net = networks.get(where);
  if (!net) {
    net = createNetwork(clients, [`${region}a`]);
    networks.set(where, net);
  }
  const n = await net;
  const short = name.split('.')[0] ?? name;
  const lbs = await createInternalLoadBalancers(clients, n, {
    classic: `${short}-api-internal`,
    nlb: `${short}-api-nlb`,
    targetGroup: `${short}-api-tcp`,
  });
  await createKopsCluster(clients, n, {
    name,
    zones: [`${region}a`],
    naming: 'control-plane',
    attach: { classic: [lbs.classicName], targetGroupArns: [lbs.targetGroupArn] },
  });
  const parameterName = `/kops-api-sentinel/${name}/ca-bundle`;
  if (opts.caPem)
    await clients.ssm.send(
      new PutParameterCommand({ Name: parameterName, Type: 'String', Value: opts.caPem, Overwrite: true }),
    );
  return {
    name,
    account,
    region,
    vpcId: n.vpcId,
    nodeSubnetIds: n.subnetIds,
    nodeSecurityGroupId: n.nodeSecurityGroupId,
    loadBalancers: { classic: [lbs.classicName], targetGroupArns: [lbs.targetGroupArn] },
    ...(opts.caPem ? { ca: { source: 'ssm' as const, parameterName } } : { api: { probeHostname: false } }),
  };
}

/** Forgets the networks built so far (after a moto reset). */
export function forgetNetworks(): void {
  networks.clear();
}
