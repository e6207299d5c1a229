import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DIMENSION, METRICS_NAMESPACE, type MetricName } from '../../functions/shared/metric-names.ts';
import { SERVICE_NAME } from './sentinel-function.ts';

/**
 * A metric the functions emit (functions/shared/run-metrics.ts), with exactly the dimensions they
 * emit it under: Powertools' `service` (the functions' POWERTOOLS_SERVICE_NAME) and the cluster,
 * and the finding code where one is given.
 */
export function sentinelMetric(
  name: MetricName,
  cluster: string,
  props: { statistic: string; period: Duration; label?: string; code?: string },
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: {
      [DIMENSION.service]: SERVICE_NAME,
      [DIMENSION.cluster]: cluster,
      ...(props.code ? { [DIMENSION.code]: props.code } : {}),
    },
    statistic: props.statistic,
    period: props.period,
    ...(props.label ? { label: props.label } : {}),
  });
}
