import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../aws/clients.ts';
import { errorParts } from '../aws/errors.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { type CaBundle, CaSourceError, parsePemBundle } from './bundle.ts';
import { readNodeGroupTrust } from './nodeup.ts';
import { type CaTrust, clusterTrust } from './trust.ts';

/** Reads a PEM bundle from an SSM parameter (String or SecureString). */
export async function readSsmBundle(parameterName: string, ssm: SSMClient): Promise<CaBundle> {
  const where = `ssm:${parameterName}`;
  let value: string | undefined;
  try {
    const res = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    value = res.Parameter?.Value;
  } catch (err) {
    const e = errorParts(err);
    if (e.name === 'ParameterNotFound') {
      throw new CaSourceError(
        where,
        `SSM parameter ${parameterName} does not exist (run \`ca import\` to create it)`,
      );
    }
    throw new CaSourceError(where, `reading SSM parameter ${parameterName} failed: ${e.name}: ${e.message}`);
  }
  if (!value) throw new CaSourceError(where, `SSM parameter ${parameterName} is empty`);
  return parsePemBundle(value, where);
}

/**
 * Loads what a cluster's TLS verdicts trust, from the source its config names: one bundle for
 * the whole cluster (ssm, inline), or one per node group (state-store: the nodeup configs).
 */
export async function loadCaTrust(
  cluster: Pick<ClusterConfig, 'name' | 'ca'>,
  clients: Pick<AwsClients, 'ssm' | 's3'>,
): Promise<CaTrust> {
  const ca = cluster.ca;
  switch (ca.source) {
    case 'inline':
      return clusterTrust(parsePemBundle(ca.pem, `inline CA of cluster ${cluster.name}`));
    case 'ssm':
      return clusterTrust(await readSsmBundle(ca.parameterName, clients.ssm));
    case 'state-store':
      return readNodeGroupTrust(ca.stateStore, cluster.name, clients.s3);
  }
}
