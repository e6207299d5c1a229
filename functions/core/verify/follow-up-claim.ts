import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ALERT_TABLE_PARTITION_KEY,
  ALERT_TABLE_SORT_KEY,
  ALERT_TABLE_TTL_ATTRIBUTE,
} from '../alerts/state.ts';
import type { AwsClients } from '../aws/clients.ts';
import {
  documentClient,
  isConditionalFailure,
  ownWrite,
  type PlainItem,
  WRITE_TOKEN,
} from '../aws/conditional-writes.ts';

/**
 * One follow-up chain per instance launch. The chain's claim is an item in the alert table,
 * keyed by (cluster, instance, EC2 LaunchTime): the registrar creates it with a conditional put,
 * so duplicate launch events and retried runs find it taken and queue nothing. The item holds
 * the attempt the chain is at; the verifier acts on a message only when its attempt is the
 * chain's current one and moves it on with a conditional update, so a replayed, duplicated or
 * forged message finds no chain (or a chain that has moved on) and is dropped. The partition key
 * (`follow-up#<cluster>`) keeps claims out of the cluster's alert records; `ttl` expires them a
 * day after the chain's deadline. Every write stamps its own token (see conditional-writes.ts), so
 * an SDK retry of a write whose answer was lost is recognised as done, not as someone else's.
 */
export interface FollowUpClaimKey {
  cluster: string;
  instanceId: string;
  /** The instance's LaunchTime as EC2 reports it. */
  launchTime: Date;
}

/** `attempt` of a chain that has ended (passed, failed or the instance is gone). */
export const CHAIN_ENDED = 0;
/** `attempt` of a claim given back because its first message could not be queued: claimable again. */
export const CHAIN_RELEASED = -1;

const CLAIM_TTL_SECONDS = 24 * 3600;

function key(k: FollowUpClaimKey): PlainItem {
  return {
    [ALERT_TABLE_PARTITION_KEY]: `follow-up#${k.cluster}`,
    [ALERT_TABLE_SORT_KEY]: `${k.instanceId}#${k.launchTime.toISOString()}`,
  };
}

/** Claims the chain of a launch; false when it was claimed before (a duplicate event or a retry). */
export async function claimFollowUp(
  clients: Pick<AwsClients, 'dynamodb'>,
  tableName: string,
  k: FollowUpClaimKey,
  deadline: Date,
): Promise<boolean> {
  const token = randomUUID();
  try {
    await documentClient(clients.dynamodb).send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...key(k),
          attempt: 1,
          deadline: deadline.toISOString(),
          [WRITE_TOKEN]: token,
          [ALERT_TABLE_TTL_ATTRIBUTE]: Math.floor(deadline.getTime() / 1000) + CLAIM_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(#pk) OR #a = :released',
        ExpressionAttributeNames: { '#pk': ALERT_TABLE_PARTITION_KEY, '#a': 'attempt' },
        ExpressionAttributeValues: { ':released': CHAIN_RELEASED },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalFailure(err)) return ownWrite(err, token);
    throw err;
  }
}

/**
 * Gives a claim back (its message could not be queued), so the retried run claims it again. An
 * update, not a delete: the functions are granted only the DynamoDB actions the alert state uses.
 */
export async function releaseFollowUp(
  clients: Pick<AwsClients, 'dynamodb'>,
  tableName: string,
  k: FollowUpClaimKey,
): Promise<void> {
  await advanceFollowUp(clients, tableName, k, 1, CHAIN_RELEASED);
}

/** The attempt the chain is at; undefined when no chain was claimed for this launch. */
export async function currentAttempt(
  clients: Pick<AwsClients, 'dynamodb'>,
  tableName: string,
  k: FollowUpClaimKey,
): Promise<number | undefined> {
  const res = await documentClient(clients.dynamodb).send(
    new GetCommand({ TableName: tableName, Key: key(k), ConsistentRead: true }),
  );
  const attempt = res.Item?.attempt;
  return typeof attempt === 'number' ? attempt : undefined;
}

/**
 * Moves the chain from one attempt to the next (or to CHAIN_ENDED); false when it is no longer at
 * `from` (another copy of the message got there first).
 */
export async function advanceFollowUp(
  clients: Pick<AwsClients, 'dynamodb'>,
  tableName: string,
  k: FollowUpClaimKey,
  from: number,
  to: number,
): Promise<boolean> {
  const token = randomUUID();
  try {
    await documentClient(clients.dynamodb).send(
      new UpdateCommand({
        TableName: tableName,
        Key: key(k),
        UpdateExpression: 'SET #a = :to, #t = :token',
        ConditionExpression: '#a = :from',
        ExpressionAttributeNames: { '#a': 'attempt', '#t': WRITE_TOKEN },
        ExpressionAttributeValues: { ':to': to, ':from': from, ':token': token },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalFailure(err)) return ownWrite(err, token);
    throw err;
  }
}
