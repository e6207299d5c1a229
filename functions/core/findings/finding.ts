/**
 * A finding is one decision or observation of the sentinel about one resource of one cluster.
 * Every check emits a finding, also when it passes (severity `ok`), so that a run says what it
 * looked at: alert state resolves an alert when the same check on the same resource passes.
 */
export const SEVERITIES = ['ok', 'info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severities in order, for picking the worst of several. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { ok: 0, info: 1, warning: 2, critical: 3 };

/** What the sentinel did about it. */
export type Action = 'none' | 'repaired' | 'would-repair' | 'repair-failed' | 'skipped';

/** The kind of check a finding belongs to; findings of one check on one resource replace each other. */
export type CheckKind =
  | 'discovery'
  | 'attachment'
  | 'registration'
  | 'lifecycle'
  | 'listener'
  | 'health-check'
  | 'instance-health'
  | 'tls'
  | 'ca'
  | 'follow-up'
  /** Foresight from the kops specs in the state store (clusters with `kops.stateStore`). */
  | 'kops-spec'
  /** Whether a function's AWS calls went through; resource `registrar` or `verifier`. */
  | 'aws';

export interface Finding {
  /** Stable code, documented in docs/runbook.md. */
  code: string;
  severity: Severity;
  check: CheckKind;
  cluster: string;
  /**
   * The resource the finding is about: a group name, `elb/<name>`, `targetgroup/<name>/<id>`, either
   * with `:<group>` or `:<instance-id>`, an instance id, `dns/<api name>`, `ca`, `discovery`.
   */
  resource: string;
  expected: string;
  actual: string;
  action: Action;
  /** One readable sentence. */
  message: string;
  /** Extra machine-readable facts (e.g. the presented certificate). Never secrets. */
  details?: Record<string, unknown>;
}

/** Drift is something wrong that is still wrong after this run: it is what alerts are made of. */
export function isDrift(finding: Finding): boolean {
  return (finding.severity === 'warning' || finding.severity === 'critical') && finding.action !== 'repaired';
}

/** The outcome of one run (reconcile or verify) over one cluster. */
export interface Verdict {
  cluster: string;
  inSync: boolean;
  findings: Finding[];
  /**
   * Checks this run evaluated for every resource of the cluster (a sweep or a full verification
   * that did not stop half way). An alert of such a check that the run did not see drifting is
   * gone: its resource passed, or no longer exists (a terminated instance, a deleted group).
   */
  complete?: CheckKind[];
}

export function verdictOf(cluster: string, findings: Finding[], complete?: readonly CheckKind[]): Verdict {
  const verdict: Verdict = { cluster, inSync: !findings.some(isDrift), findings };
  // a run that stopped on an AWS failure saw only part of the picture
  if (complete?.length && !findings.some((f) => f.code === 'AWS_CALL_FAILED'))
    verdict.complete = [...complete];
  return verdict;
}

/** The key one alert is kept under: one alert per (cluster, finding code, resource). */
export function alertKey(finding: Pick<Finding, 'cluster' | 'code' | 'resource'>): string {
  return `${finding.cluster}|${finding.code}|${finding.resource}`;
}
