import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../../functions/shared/metric-names.ts';
import { sentinelMetric } from './metrics.ts';
import { SERVICE_NAME } from './sentinel-function.ts';

export interface SentinelDashboardProps {
  readonly clusters: readonly string[];
  /** The schedule period: one point per run. */
  readonly scheduleMinutes: number;
}

const WIDTH = 6;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard, a row per cluster: drift (in total and by finding code) and repairs
 * over time, verifications, TLS handshake latency, and open alerts with the alerts fired and
 * resolved. Every widget reads the metrics the functions emit, with their dimensions.
 */
export class SentinelDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: SentinelDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
    });
    for (const cluster of props.clusters) {
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({ markdown: `### ${cluster}`, width: 4 * WIDTH, height: 1 }),
      );
      this.dashboard.addWidgets(...clusterRow(cluster, Duration.minutes(props.scheduleMinutes)));
    }
  }
}

function clusterRow(cluster: string, period: Duration): cloudwatch.IWidget[] {
  const sum = (name: (typeof METRIC)[keyof typeof METRIC], label: string) =>
    sentinelMetric(name, cluster, { statistic: cloudwatch.Stats.SUM, period, label });
  const byCode = new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${DIMENSION.service},${DIMENSION.cluster},${DIMENSION.code}} MetricName="${METRIC.driftFound}" ${DIMENSION.service}="${SERVICE_NAME}" ${DIMENSION.cluster}="${cluster}"', 'Sum', ${period.toSeconds()})`,
    label: '',
    period,
  });
  const latency = (statistic: string, label: string) =>
    sentinelMetric(METRIC.handshakeLatency, cluster, { statistic, period, label });
  return [
    new cloudwatch.GraphWidget({
      title: 'Drift and repairs',
      left: [sum(METRIC.driftFound, 'drift found'), sum(METRIC.repairs, 'repairs')],
      right: [sum(METRIC.repairFailures, 'repair failures')],
      width: WIDTH,
      height: HEIGHT,
    }),
    new cloudwatch.GraphWidget({
      title: 'Drift by finding code',
      left: [byCode],
      width: WIDTH,
      height: HEIGHT,
    }),
    new cloudwatch.GraphWidget({
      title: 'Verifications and TLS handshake latency (ms)',
      left: [sum(METRIC.verifications, 'verifications')],
      right: [
        latency(cloudwatch.Stats.p(50), 'handshake p50'),
        latency(cloudwatch.Stats.p(99), 'handshake p99'),
        latency(cloudwatch.Stats.MAXIMUM, 'handshake max'),
      ],
      width: WIDTH,
      height: HEIGHT,
    }),
    new cloudwatch.GraphWidget({
      title: 'Open alerts',
      left: [
        sentinelMetric(METRIC.openAlerts, cluster, {
          statistic: cloudwatch.Stats.MAXIMUM,
          period,
          label: 'open',
        }),
      ],
      right: [sum(METRIC.alertsFired, 'fired'), sum(METRIC.alertsResolved, 'resolved')],
      width: WIDTH,
      height: HEIGHT,
    }),
  ];
}
