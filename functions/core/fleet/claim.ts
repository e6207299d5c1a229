import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_TTL_DAYS } from '../alerts/policy.ts';
import {
  ALERT_TABLE_PARTITION_KEY,
  ALERT_TABLE_SORT_KEY,
  ALERT_TABLE_TTL_ATTRIBUTE,
  NOT_AN_ALERT_PREFIX,
} from '../alerts/state.ts';
import {
  documentClient,
  isConditionalFailure,
  itemOf,
  ownWrite,
  type PlainItem,
  WRITE_TOKEN,
} from '../aws/conditional-writes.ts';
import { type OrderDecision, orderOf, type ReportMark } from './order.ts';

/**
 * The hub's mark of the latest report applied per cluster and source, one item in the alert
 * table: partition key the cluster, sort key `#applied#<source>` (never an alert's: the alert
 * store skips sort keys starting with `#`). The mark is claimed with one conditional write before
 * the report is applied, so of two deliveries of one report, or of a newer and a late older one,
 * exactly one claim wins.
 */
export const reportMarkSortKey = (source: string): string => `${NOT_AN_ALERT_PREFIX}applied#${source}`;

export interface ReportClaim {
  cluster: string;
  source: string;
  mark: ReportMark;
}

function markOf(item: PlainItem | undefined): ReportMark | undefined {
  if (!item) return undefined;
  const { appliedAt, eventId } = item;
  if (typeof appliedAt !== 'number' || typeof eventId !== 'string') return undefined;
  return { at: appliedAt, id: eventId };
}

/**
 * Claims a report's place in its cluster's and source's order. Returns `apply` when the mark now
 * names this report (also when an SDK retry finds its own earlier write), else `duplicate` or
 * `stale` as orderOf decides against the stored mark. AWS failures throw.
 */
export async function claimReport(
  ddb: DynamoDBClient,
  tableName: string,
  claim: ReportClaim,
  options: { hubNow: Date; newToken?: () => string },
): Promise<OrderDecision> {
  const doc = documentClient(ddb);
  const key = {
    [ALERT_TABLE_PARTITION_KEY]: claim.cluster,
    [ALERT_TABLE_SORT_KEY]: reportMarkSortKey(claim.source),
  };
  const token = (options.newToken ?? randomUUID)();
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...key,
          cluster: claim.cluster,
          source: claim.source,
          appliedAt: claim.mark.at,
          appliedTime: new Date(claim.mark.at).toISOString(),
          eventId: claim.mark.id,
          [ALERT_TABLE_TTL_ATTRIBUTE]:
            Math.floor(options.hubNow.getTime() / 1000) + DEFAULT_TTL_DAYS * 86_400,
          [WRITE_TOKEN]: token,
        },
        ConditionExpression:
          'attribute_not_exists(#pk) OR (#id <> :id AND (#at < :at OR (#at = :at AND #id < :id)))',
        ExpressionAttributeNames: { '#pk': ALERT_TABLE_PARTITION_KEY, '#at': 'appliedAt', '#id': 'eventId' },
        ExpressionAttributeValues: { ':at': claim.mark.at, ':id': claim.mark.id },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'apply';
  } catch (err) {
    if (!isConditionalFailure(err)) throw err;
    if (ownWrite(err, token)) return 'apply';
    const stored =
      markOf(itemOf(err)) ??
      markOf((await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item);
    const decision = orderOf(stored, claim.mark);
    if (decision === 'apply')
      throw new Error(
        `The applied-report mark of ${claim.cluster} (${claim.source}) changed while it was claimed; retry`,
      );
    return decision;
  }
}
