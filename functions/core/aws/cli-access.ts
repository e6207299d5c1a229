import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { accountMismatch, credentialsUnavailable } from '../findings/access.ts';
import { awsCallFailed, type CallerName } from '../findings/aws-calls.ts';
import { type Finding, type Verdict, verdictOf } from '../findings/finding.ts';
import type { AccessGroup, CredentialSource } from './access-groups.ts';
import { createAwsClients } from './all-clients.ts';
import type { CallCounter } from './call-counter.ts';
import { type Credentials, clientConfig } from './client-config.ts';
import { addCallCounter, counted } from './client-set.ts';
import type { AwsClients } from './clients.ts';
import { awsFaultKindOf, errorMessage } from './errors.ts';

/**
 * The CLI's way into each cluster's account (never bundled by a deployed function: they run with
 * their own role). One credential provider per (account, region, source), shared by every client
 * of that group; before any client touches a cluster, STS GetCallerIdentity must name the
 * cluster's account.
 */

type Identity = Awaited<ReturnType<ReturnType<typeof fromNodeProviderChain>>>;
type Provider = () => Promise<Identity>;

/** Credentials are fetched again this long before they expire (the SDK clients' own margin). */
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * One provider for every client of a group: one AssumeRole (or profile read) until the credentials
 * come near their expiry, however many clients ask at once. A failure stays a failure for the run.
 */
export function sharedCredentials(provider: Provider, now: () => number = Date.now): Provider {
  let current: Promise<Identity> | undefined;
  return async () => {
    if (current) {
      const held = await current;
      const expiry = held.expiration?.getTime();
      if (expiry === undefined || expiry - now() > REFRESH_BEFORE_MS) return held;
      current = undefined;
    }
    current ??= provider();
    return current;
  };
}

/** Counts the AssumeRole calls of the role provider's own STS client. */
function countingPlugin(counter: CallCounter) {
  return {
    applyToStack(stack: STSClient['middlewareStack']) {
      addCallCounter(stack as unknown as Parameters<typeof addCallCounter>[0], 'STS', counter);
    },
  };
}

export interface AccessOptions {
  /** STS session name of assumed roles (sessionNameFor the OS user). */
  sessionName: string;
  /** Whose run it is (`reconcile` is the registrar's, `verify` the verifier's), for AWS_CALL_FAILED. */
  caller: CallerName;
  counter?: CallCounter;
}

/** The credential provider of a source: the role assumed with STS, the profile, or the default chain. */
export function credentialsFor(source: CredentialSource, region: string, opts: AccessOptions): Credentials {
  const sts = clientConfig({ region });
  if (source.kind === 'role')
    return sharedCredentials(
      fromTemporaryCredentials({
        params: { RoleArn: source.roleArn, RoleSessionName: opts.sessionName },
        clientConfig: sts,
        ...(opts.counter ? { clientPlugins: [countingPlugin(opts.counter)] } : {}),
      }),
    );
  if (source.kind === 'profile')
    return sharedCredentials(fromIni({ profile: source.profile, clientConfig: sts }));
  return sharedCredentials(fromNodeProviderChain());
}

export type Access = { ok: true; clients: AwsClients } | { ok: false; verdicts: Verdict[] };

/**
 * The client set of a group once STS says its credentials are of the group's account; otherwise
 * one verdict per cluster of the group with the finding that says why (and no other call made).
 */
export async function openAccess(group: AccessGroup, opts: AccessOptions): Promise<Access> {
  const credentials = credentialsFor(group.source, group.region, opts);
  const sts = counted(
    new STSClient({ ...clientConfig({ region: group.region }), credentials }),
    'STS',
    opts.counter,
  );
  const refuse = (make: (c: AccessGroup['clusters'][number]) => Finding) => ({
    ok: false as const,
    verdicts: group.clusters.map((c) => verdictOf(c.name, [make(c)])),
  });
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    if (Account !== group.account)
      return refuse((c) => accountMismatch(c, group.source, Account ?? 'unknown'));
  } catch (err) {
    // credentials that cannot be had (or a role that cannot be assumed) are the cluster's finding;
    // an unreachable or failing STS is an AWS call that failed, as for any other call
    const kind = awsFaultKindOf(errorMessage(err));
    // the SDK's CredentialsProviderError (a missing profile, an expired SSO session) is `credentials`
    if (kind === 'credentials' || kind === 'permission')
      return refuse((c) => credentialsUnavailable(c, group.source, err));
    return refuse((c) => awsCallFailed(c.name, opts.caller, 'the credentials check', err));
  } finally {
    sts.destroy();
  }
  return {
    ok: true,
    clients: createAwsClients({
      region: group.region,
      credentials,
      ...(opts.counter ? { counter: opts.counter } : {}),
    }),
  };
}
