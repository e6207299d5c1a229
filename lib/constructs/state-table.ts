import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * The sentinel's state table (partition key `pk`, sort key `sk`, TTL `ttl`, on demand): alert
 * state and follow-up claims (functions/core/alerts/state.ts, functions/core/verify/follow-up-claim.ts).
 */
export function stateTable(scope: Construct, id: string): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: 'ttl',
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** Exactly the calls of functions/core/alerts (state.ts, publish.ts); no scans, no deletes. */
export const ALERT_STATE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
];

/** Exactly the calls of functions/core/verify/follow-up-claim.ts (get, put, update); no queries, no deletes. */
export const FOLLOW_UP_CLAIM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/** Grants a function the given item actions on the table, and nothing else. */
export function grantTableActions(
  table: dynamodb.ITable,
  fn: lambda.IFunction,
  sid: string,
  actions: readonly string[],
): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ sid, actions: [...actions], resources: [table.tableArn] }));
}
