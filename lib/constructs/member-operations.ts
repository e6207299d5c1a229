import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmBook, encryptedAlarmTopic } from './alarms.ts';
import { FOLLOW_UP_CLAIM_ACTIONS, grantTableActions, stateTable } from './state-table.ts';

/**
 * What a fleet member keeps when a hub decides the alerts: its state table (follow-up claims
 * only: no alert state) and a small KMS-encrypted topic, e-mailed to `alerts.email`, for its own
 * operational alarms. CloudWatch alarms cannot publish to another account's topic reliably, so
 * function errors and dead letters are alarmed where they happen; the hub sees a member's health
 * through its reports (docs/fleet.md).
 */
export class MemberOperations extends Construct {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;
  readonly topic: sns.Topic;
  readonly book: AlarmBook;

  constructor(scope: Construct, id: string, props: { email: readonly string[] }) {
    super(scope, id);
    ({ key: this.key, topic: this.topic } = encryptedAlarmTopic(this, {
      keyDescription: "kops-api-sentinel: encrypts a fleet member's operational alarm topic",
      displayName: 'kops-api-sentinel member alarms',
      email: props.email,
    }));
    this.table = stateTable(this, 'State');
    this.book = new AlarmBook(this, this.topic);
  }

  /** Exactly what functions/core/verify/follow-up-claim.ts calls on the table. */
  grantFollowUpClaims(fn: lambda.IFunction): void {
    grantTableActions(this.table, fn, 'ReadWriteFollowUpClaims', FOLLOW_UP_CLAIM_ACTIONS);
  }
}
