import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  DIMENSION,
  METRIC,
  METRICS_NAMESPACE,
  type MetricName,
} from '../../functions/shared/metric-names.ts';
import { sentinelMetric } from './metrics.ts';
import { SERVICE_NAME } from './sentinel-function.ts';

/**
 * A KMS-encrypted SNS topic CloudWatch alarms can publish to (`TopicKey` and `Topic` in the
 * scope), with e-mail subscribers.
 */
export function encryptedAlarmTopic(
  scope: Construct,
  props: { keyDescription: string; displayName: string; email: readonly string[] },
): { key: kms.Key; topic: sns.Topic } {
  const key = new kms.Key(scope, 'TopicKey', {
    description: props.keyDescription,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // CloudWatch alarms publish to the encrypted topic, so the service needs the data key. The
  // functions get the same through IAM (topic.grantPublish), which the default key policy allows.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  const topic = new sns.Topic(scope, 'Topic', {
    displayName: props.displayName,
    masterKey: key,
    enforceSSL: true,
  });
  for (const address of props.email) {
    topic.addSubscription(new subscriptions.EmailSubscription(address));
  }
  return { key, topic };
}

/**
 * The operational alarms of a stack, each created in one scope and publishing its alarm and its
 * recovery to one topic.
 */
export class AlarmBook {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: actions.SnsAction;

  constructor(
    private readonly scope: Construct,
    topic: sns.ITopic,
  ) {
    this.action = new actions.SnsAction(topic);
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this.scope, id, props);
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** Any error of the function within five minutes. */
  onErrors(name: string, fn: lambda.IFunction): cloudwatch.Alarm {
    return this.alarm(`${name}Errors`, {
      alarmDescription: `kops-api-sentinel: the ${name} function failed`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * Any report the hub dropped as forged or malformed within five minutes (the hub's
   * `ReportsDropped`, dimension service only): a forgery attempt, or a member whose config or
   * code disagrees with the hub's.
   */
  onDroppedReports(): cloudwatch.Alarm {
    return this.alarm('ReportsDropped', {
      alarmDescription:
        'kops-api-sentinel: the hub dropped a report as forged or malformed (its log says which field and why)',
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.reportsDropped,
        dimensionsMap: { [DIMENSION.service]: SERVICE_NAME },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Any message waiting in a dead-letter queue. */
  onDeadLetters(name: string, queue: sqs.IQueue): cloudwatch.Alarm {
    return this.alarm(`${name}NotEmpty`, {
      alarmDescription: `kops-api-sentinel: messages are waiting in ${name}`,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * The verifier has not verified a cluster within two schedule periods: one alarm per cluster on
   * the `Verifications` metric the verifier emits (EMF) for every cluster a full run judged, so a
   * verifier that never starts, hangs, or cannot write its logs alarms as well (missing data is
   * breaching). Follow-up rounds do not count.
   */
  onMissingVerifications(clusters: readonly string[], scheduleMinutes: number): cloudwatch.Alarm[] {
    return clusters.map((cluster) =>
      this.onMissing(`VerifierStalled-${cluster}`, METRIC.verifications, cluster, scheduleMinutes, {
        description: `kops-api-sentinel: no verification of ${cluster} completed within two schedule periods (${2 * scheduleMinutes} minutes)`,
      }),
    );
  }

  /**
   * At a fleet's hub: no report of a cluster reached the hub within two schedule periods, on the
   * `Reports` metric the hub function emits per accepted report. A member that stops reporting
   * (its verifier stalls, its account or region is down, its forwarding is broken) alarms here;
   * missing data is breaching.
   */
  onMissingReports(
    clusters: readonly { name: string; account: string; region: string }[],
    scheduleMinutes: number,
  ): cloudwatch.Alarm[] {
    return clusters.map((c) =>
      this.onMissing(`ReportsMissing-${c.name}`, METRIC.reports, c.name, scheduleMinutes, {
        description: `kops-api-sentinel: no report of ${c.name} (account ${c.account}, ${c.region}) reached the hub within two schedule periods (${2 * scheduleMinutes} minutes)`,
      }),
    );
  }

  private onMissing(
    id: string,
    metric: MetricName,
    cluster: string,
    scheduleMinutes: number,
    props: { description: string },
  ): cloudwatch.Alarm {
    return this.alarm(id, {
      alarmDescription: props.description,
      metric: sentinelMetric(metric, cluster, {
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(2 * scheduleMinutes),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
