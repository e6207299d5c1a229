/**
 * The metrics the functions emit (EMF, through Powertools Metrics) and the stack's alarms and
 * dashboard read: one namespace, names and dimension keys in one place, free of Lambda and CDK
 * code so that both sides import it. Every metric also carries Powertools' `service` dimension.
 */
export const METRICS_NAMESPACE = 'KopsApiSentinel';

/**
 * The service every function reports under (Powertools' `service`, set by the stack as
 * POWERTOOLS_SERVICE_NAME): the `service` dimension of every metric.
 */
export const SERVICE_NAME = 'kops-api-sentinel';

export const METRIC = {
  /** Drifting findings of a run (Count): per cluster, and per cluster and finding code. */
  driftFound: 'DriftFound',
  /** Attachments and registrations the registrar repaired (Count). */
  repairs: 'Repairs',
  /** Repairs the registrar tried and AWS refused (Count). */
  repairFailures: 'RepairFailures',
  /** Clusters a full verifier run judged (Count, 1 per cluster per run); the staleness alarm reads it. */
  verifications: 'Verifications',
  /** Alert notifications published, by kind (Count). */
  alertsFired: 'AlertsFired',
  alertsResolved: 'AlertsResolved',
  /** Alerts firing after the run (a gauge: read its Maximum). */
  openAlerts: 'OpenAlerts',
  /**
   * Full verifier runs of a cluster the hub received (Count, 1 per cluster per report, dimension
   * cluster): the hub's staleness alarm reads it, so a member that stops reporting alarms there.
   */
  reports: 'Reports',
  /**
   * Reports the hub dropped as forged or malformed (Count, no cluster dimension: a forged report's
   * cluster name is not to be trusted); the hub alarms on any.
   */
  reportsDropped: 'ReportsDropped',
  /** Duration of each completed TLS handshake the verifier made (Milliseconds). */
  handshakeLatency: 'HandshakeLatency',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export const DIMENSION = { service: 'service', cluster: 'cluster', code: 'code' } as const;
