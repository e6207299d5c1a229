import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createAwsClients } from '../functions/core/aws/all-clients.ts';
import { clientConfig } from '../functions/core/aws/client-config.ts';
import type { AwsClients } from '../functions/core/aws/clients.ts';
import { MOTO_ACCOUNT } from './moto.ts';

/** Temporary credentials of one account, as STS hands them out. */
export interface AccountCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/**
 * Credentials acting in another account of the local AWS: moto keeps each account's state apart
 * and serves a caller the state of the account whose role it assumed (the role need not exist).
 * Assume again after a moto reset: the reset forgets the credentials too.
 */
export async function assumeAccount(
  account: string,
  roleName = 'kops-api-sentinel-sandbox',
): Promise<AccountCredentials> {
  const sts = new STSClient(clientConfig());
  const res = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/${roleName}`,
      RoleSessionName: 'kops-api-sentinel-sandbox',
    }),
  );
  const c = res.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error(`STS gave no credentials for account ${account}`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/**
 * Every client, acting in `account` and `region` of the local AWS (what a function or the CLI
 * there would call): credentials from a role assumed there with STS on the first call, or the
 * default credentials for moto's own account.
 */
export function clientsIn(account: string, region: string): AwsClients {
  if (account === MOTO_ACCOUNT) return createAwsClients({ region });
  // one AssumeRole for the whole set, not one per client; a failed one is tried again
  let pending: Promise<AccountCredentials> | undefined;
  const credentials = () =>
    (pending ??= assumeAccount(account).catch((err: unknown) => {
      pending = undefined;
      throw err;
    }));
  return createAwsClients({ region, credentials });
}

/** As clientsIn, with the role assumed now (an STS failure throws here, not at the first call). */
export async function accountClients(account: string, region: string): Promise<AwsClients> {
  const credentials = await assumeAccount(account);
  return createAwsClients({ region, credentials });
}
