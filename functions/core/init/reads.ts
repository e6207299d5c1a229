import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from '../aws/clients.ts';
import { errorMessage, errorName } from '../aws/errors.ts';
import type { Tags } from './facts.ts';

/** What `init`'s reads share: its clients, the tags as a record, and noting a resource that is gone. */

export type InitClients = Pick<AwsClients, 'autoscaling' | 'ec2' | 'elb' | 'elbv2' | 's3'> & {
  readonly sts: STSClient;
};

/**
 * Error names that mean "this resource is not there (any more)": noted, not fatal. Matched on the
 * SDK error's name (aws/errors.ts), whole: `InvalidClientTokenId` and `InvalidAccessKeyId` are
 * credential faults that stop init, not a missing resource.
 */
const GONE = /^(?:[A-Za-z.]*NotFound|Invalid[A-Za-z]*(?:ID|Id)\.(?:NotFound|Malformed)|ValidationError)$/;

export function isGone(err: unknown): boolean {
  return GONE.test(errorName(err));
}

/** Runs one read; when its resource is gone, notes `what` with the error and gives undefined. */
export async function noting<T>(
  problems: string[],
  what: string,
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (!isGone(err)) throw err;
    problems.push(`${what}: ${errorMessage(err)}`);
    return undefined;
  }
}

export function tagsOf(list: { Key?: string; Value?: string }[] | undefined): Tags {
  return Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
