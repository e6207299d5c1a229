import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ALL_CLIENTS } from '../functions/core/aws/all-clients.ts';
import { clientConfig } from '../functions/core/aws/client-config.ts';
import { buildClients, type ClientConstructors, type ClientSet } from '../functions/core/aws/client-set.ts';
import type { AwsClients } from '../functions/core/aws/clients.ts';

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

/** A client set whose every client signs with the given credentials. */
function signedWith(set: ClientSet, credentials: AccountCredentials): ClientSet {
  const constructors: Record<string, unknown> = {};
  for (const [name, Client] of Object.entries(set.constructors)) {
    const Base = Client as new (config: object) => object;
    constructors[name] = class extends Base {
      constructor(config: ReturnType<typeof clientConfig>) {
        super({ ...config, credentials });
      }
    };
  }
  return { owner: set.owner, constructors: constructors as ClientConstructors };
}

/** Every client, acting in `account` and `region` of the local AWS (what a function there would call). */
export async function accountClients(account: string, region: string): Promise<AwsClients> {
  return buildClients(signedWith(ALL_CLIENTS, await assumeAccount(account)), { region });
}
