import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../aws/clients.ts';
import { isAwsError } from '../aws/errors.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { bundleToPem, CaSourceError } from './bundle.ts';
import { type KeysetBundle, parseKeyset } from './keyset.ts';
import { readKeysetFromStateStore } from './keyset-store.ts';

export interface ImportCaInput {
  cluster: Pick<ClusterConfig, 'name' | 'ca'>;
  clients: Pick<AwsClients, 'ssm' | 's3'>;
  /** The text of a kops Keyset document (e.g. read from a file by the CLI). */
  keysetText?: string;
  /** A label for `keysetText` in messages, e.g. its file name. */
  keysetSource?: string;
  /**
   * An `s3://bucket[/prefix]` kops state store to read the keyset from, with the caller's own
   * credentials (the operator's, from the CLI): no deployed function may read `pki/`.
   */
  stateStore?: string;
}

export interface ImportCaSummary {
  cluster: string;
  parameterName: string;
  /** Where the keyset was read from. */
  source: string;
  count: number;
  fingerprints: string[];
  subjects: string[];
  primaryId: string | undefined;
  distrustedIds: string[];
  /** False when the parameter already held exactly this bundle (nothing was written). */
  changed: boolean;
  /** What was taken from the keyset, said plainly: public certificates only. */
  kept: typeof KEPT;
}

/** The keyset's private key is dropped unread; the summary and the CLI say so. */
export const KEPT =
  'public certificates only: the keyset private key (privateMaterial) was discarded unread, not printed, not stored';

async function readKeyset(input: ImportCaInput): Promise<{ keyset: KeysetBundle; source: string }> {
  const { keysetText, stateStore, cluster, clients } = input;
  if ((keysetText === undefined) === (stateStore === undefined)) {
    throw new CaSourceError('ca import', 'ca import needs exactly one of a keyset file or a state store');
  }
  if (keysetText !== undefined) {
    const source = input.keysetSource ?? 'keyset file';
    return { keyset: parseKeyset(keysetText, source), source };
  }
  const found = await readKeysetFromStateStore(stateStore ?? '', cluster.name, clients.s3);
  return { keyset: found, source: `s3://${found.bucket}/${found.key}` };
}

async function currentValue(input: ImportCaInput, parameterName: string): Promise<string | undefined> {
  try {
    const res = await input.clients.ssm.send(
      new GetParameterCommand({ Name: parameterName, WithDecryption: true }),
    );
    return res.Parameter?.Value;
  } catch (err) {
    if (isAwsError(err, 'ParameterNotFound')) return undefined;
    throw new CaSourceError(
      `ssm:${parameterName}`,
      `reading SSM parameter ${parameterName} failed: ${String(err)}`,
    );
  }
}

/**
 * Extracts the public CA bundle (every key without distrustTimestamp) from a kops Keyset and
 * writes it to the cluster's configured SSM parameter as a plain String: it is public material.
 * Runs with the caller's credentials (the CLI's: the operator's); no deployed function reads a keyset.
 */
export async function importCaBundle(input: ImportCaInput): Promise<ImportCaSummary> {
  const { cluster } = input;
  if (cluster.ca.source !== 'ssm') {
    throw new CaSourceError(
      'ca import',
      `cluster ${cluster.name} has CA source ${cluster.ca.source}; ca import writes to an SSM parameter, ` +
        'so set clusters[].ca to { source: ssm, parameterName: /… } first',
    );
  }
  const parameterName = cluster.ca.parameterName;
  const { keyset, source } = await readKeyset(input);
  const pem = bundleToPem(keyset.bundle);
  const changed = (await currentValue(input, parameterName))?.trim() !== pem.trim();
  if (changed) {
    try {
      await input.clients.ssm.send(
        new PutParameterCommand({
          Name: parameterName,
          Value: pem,
          Type: 'String',
          Overwrite: true,
          // Standard (4 KB) when it fits, Advanced only for a bundle of many keys.
          Tier: 'Intelligent-Tiering',
          Description: `kops cluster CA (public certificates) of ${cluster.name}, from ${source}`.slice(
            0,
            1024,
          ),
        }),
      );
    } catch (err) {
      throw new CaSourceError(
        `ssm:${parameterName}`,
        `writing SSM parameter ${parameterName} failed: ${String(err)}`,
      );
    }
  }
  return {
    cluster: cluster.name,
    parameterName,
    source,
    count: keyset.bundle.certificates.length,
    fingerprints: [...keyset.bundle.fingerprints],
    subjects: [...keyset.bundle.subjects],
    primaryId: keyset.primaryId,
    distrustedIds: keyset.distrustedIds,
    changed,
    kept: KEPT,
  };
}
