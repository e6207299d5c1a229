import type { CheckKind, Severity } from './finding.ts';

/**
 * The catalogue of finding codes. Codes are stable strings: alerts, dashboards and the runbook
 * (docs/runbook.md, one `## CODE` heading each) key on them. Add, never rename.
 */
export interface CodeInfo {
  check: CheckKind;
  severity: Severity;
  title: string;
  /**
   * `once`: a one-time finding (e.g. a follow-up deadline passed) that no later run repeats; its
   * alert fires on the first sighting instead of waiting for `alerts.fireAfterFailures`.
   */
  fireAt?: 'once';
}

export const CODES = {
  // discovery
  CONTROL_PLANE_GROUPS_FOUND: { check: 'discovery', severity: 'ok', title: 'Control-plane groups found' },
  NO_CONTROL_PLANE_GROUPS: {
    check: 'discovery',
    severity: 'critical',
    title: 'No control-plane group found',
  },
  GROUP_TAGS_MISMATCH: {
    check: 'discovery',
    severity: 'warning',
    title: 'Group named like a control-plane group but not tagged as one',
  },
  LOAD_BALANCER_NOT_FOUND: {
    check: 'attachment',
    severity: 'critical',
    title: 'Configured load balancer not found',
  },
  // attachment
  LB_ATTACHED: { check: 'attachment', severity: 'ok', title: 'Load balancer attached to the group' },
  LB_NOT_ATTACHED: {
    check: 'attachment',
    severity: 'critical',
    title: 'Load balancer not attached to the group',
  },
  LB_SHARED_WITH_OTHER_GROUP: {
    check: 'attachment',
    severity: 'warning',
    title: 'Load balancer also attached to a group that is no API backend; its instances are left alone',
  },
  // registration
  INSTANCE_REGISTERED: { check: 'registration', severity: 'ok', title: 'Instance registered' },
  INSTANCE_NOT_REGISTERED: { check: 'registration', severity: 'critical', title: 'Instance not registered' },
  TARGET_WRONG_PORT: {
    check: 'registration',
    severity: 'critical',
    title: 'Instance registered on another port than the apiserver port',
  },
  INSTANCE_NOT_RUNNING: {
    check: 'registration',
    severity: 'info',
    title: 'Instance not running; not registered',
  },
  INSTANCE_NOT_IN_GROUP: {
    check: 'registration',
    severity: 'warning',
    title: 'Registered control-plane instance is in no discovered control-plane group',
  },
  INSTANCE_DEREGISTERED: { check: 'registration', severity: 'ok', title: 'Instance no longer registered' },
  INSTANCE_OF_OTHER_CLUSTER: {
    check: 'registration',
    severity: 'critical',
    title: 'Instance belongs to another cluster; never registered',
  },
  STALE_REGISTRATION: {
    check: 'registration',
    severity: 'warning',
    title: 'Registered instance is not a live control-plane instance',
  },
  // lifecycle
  LAUNCH_FAILED: { check: 'lifecycle', severity: 'info', title: 'Control-plane instance launch failed' },
  LIFECYCLE_ACTION_COMPLETED: { check: 'lifecycle', severity: 'info', title: 'Lifecycle action completed' },
  LIFECYCLE_ACTION_WITHHELD: {
    check: 'lifecycle',
    severity: 'info',
    title: 'Lifecycle action withheld: instance not registered everywhere',
  },
  LIFECYCLE_ACTION_FAILED: {
    check: 'lifecycle',
    severity: 'info',
    title: 'Lifecycle action could not be completed',
  },
  // listener
  LISTENER_OK: { check: 'listener', severity: 'ok', title: 'Listener passes TCP through' },
  LISTENER_MISSING: { check: 'listener', severity: 'critical', title: 'No listener on the API port' },
  LISTENER_TERMINATES_TLS: {
    check: 'listener',
    severity: 'critical',
    title: 'Listener terminates TLS (nodes will see a foreign certificate)',
  },
  LISTENER_WRONG_TARGET: {
    check: 'listener',
    severity: 'critical',
    title: 'Listener forwards to the wrong place',
  },
  // health check
  HEALTH_CHECK_OK: { check: 'health-check', severity: 'ok', title: 'Health check as expected' },
  HEALTH_CHECK_MISMATCH: {
    check: 'health-check',
    severity: 'warning',
    title: 'Health check differs from expected',
  },
  // instance health
  INSTANCE_HEALTHY: {
    check: 'instance-health',
    severity: 'ok',
    title: 'Instance healthy on the load balancer',
  },
  INSTANCE_UNHEALTHY: {
    check: 'instance-health',
    severity: 'critical',
    title: 'Instance unhealthy on the load balancer',
  },
  // tls
  TLS_OK: { check: 'tls', severity: 'ok', title: 'TLS chains to the kops CA for the node-facing name' },
  TLS_UNTRUSTED_ISSUER: {
    check: 'tls',
    severity: 'critical',
    title: 'Certificate not signed by the kops CA',
  },
  TLS_HOSTNAME_MISMATCH: {
    check: 'tls',
    severity: 'critical',
    title: 'Certificate does not cover the API hostname',
  },
  TLS_CERT_EXPIRED: { check: 'tls', severity: 'critical', title: 'Certificate expired' },
  TLS_CERT_NOT_YET_VALID: { check: 'tls', severity: 'critical', title: 'Certificate not yet valid' },
  TLS_CERT_EXPIRING: { check: 'tls', severity: 'warning', title: 'Certificate expires soon' },
  TLS_NOT_SERVER_AUTH: {
    check: 'tls',
    severity: 'critical',
    title: 'Certificate not valid for server authentication',
  },
  TLS_NAME_CONSTRAINTS_VIOLATED: {
    check: 'tls',
    severity: 'critical',
    title: 'A CA on the path does not permit the certificate names',
  },
  TLS_PATH_LENGTH_EXCEEDED: {
    check: 'tls',
    severity: 'critical',
    title: 'More intermediate CAs than a CA allows below it',
  },
  TLS_INSECURE_SIGNATURE: {
    check: 'tls',
    severity: 'critical',
    title: 'Certificate signed with an algorithm kubelet refuses',
  },
  TLS_UNHANDLED_CRITICAL_EXTENSION: {
    check: 'tls',
    severity: 'critical',
    title: 'Certificate has a critical extension kubelet does not handle',
  },
  TLS_INVALID_POLICIES: {
    check: 'tls',
    severity: 'critical',
    title: 'Chain fails the certificate policies a CA requires',
  },
  TLS_ISSUER_NAME_ENCODING: {
    check: 'tls',
    severity: 'critical',
    title: 'Issuer name encoded differently from the CA subject',
  },
  TLS_CERT_UNPARSEABLE: { check: 'tls', severity: 'critical', title: 'Certificate kubelet cannot parse' },
  TLS_CHAIN_NOT_READ: {
    check: 'tls',
    severity: 'warning',
    title: 'Chain judged as Node linked it; the sent chain was not readable',
  },
  TLS_CONNECTION_REFUSED: { check: 'tls', severity: 'critical', title: 'Connection refused' },
  TLS_CONNECTION_RESET: { check: 'tls', severity: 'critical', title: 'Connection reset' },
  TLS_TIMEOUT: { check: 'tls', severity: 'critical', title: 'TLS handshake timed out' },
  TLS_NOT_TLS: { check: 'tls', severity: 'critical', title: 'Endpoint does not speak TLS' },
  TLS_HANDSHAKE_FAILED: { check: 'tls', severity: 'critical', title: 'TLS handshake failed' },
  TLS_UNREACHABLE: { check: 'tls', severity: 'critical', title: 'Endpoint unreachable (DNS or network)' },
  TLS_IPV6_NOT_PROBED: {
    check: 'tls',
    severity: 'warning',
    title: 'Reachable over IPv6 only, and the verifier has no IPv6 (verifier.ipv6 is off)',
  },
  // ca
  CA_LOADED: { check: 'ca', severity: 'ok', title: 'Cluster CA loaded' },
  CA_UNAVAILABLE: { check: 'ca', severity: 'critical', title: 'Cluster CA could not be loaded' },
  // follow-up of a new instance
  NEW_INSTANCE_VERIFIED: { check: 'follow-up', severity: 'ok', title: 'New instance verified' },
  NEW_INSTANCE_NOT_VERIFIED: {
    check: 'follow-up',
    severity: 'critical',
    title: 'New instance did not pass verification before the deadline',
    fireAt: 'once',
  },
  NEW_INSTANCE_WARMING_UP: {
    check: 'follow-up',
    severity: 'info',
    title: 'New instance still starting; its follow-up judges it',
  },
  // foresight from the kops specs in the state store
  KOPS_SPECS_READ: { check: 'kops-spec', severity: 'ok', title: 'kops specs read from the state store' },
  KOPS_SPECS_UNREADABLE: {
    check: 'kops-spec',
    severity: 'warning',
    title: 'kops specs could not be read from the state store',
  },
  KOPS_LB_IN_SPEC: {
    check: 'kops-spec',
    severity: 'ok',
    title: "Load balancer listed in the instance group's externalLoadBalancers",
  },
  KOPS_LB_NOT_IN_SPEC: {
    check: 'kops-spec',
    severity: 'warning',
    title: 'The next `kops update cluster --yes` will detach the load balancer',
  },
  KOPS_INTERNAL_API_ACM: {
    check: 'kops-spec',
    severity: 'critical',
    title: 'useForInternalApi with sslCertificate: nodes are sent through an ACM listener',
  },
  KOPS_INTERNAL_API_TLS_LISTENER: {
    check: 'kops-spec',
    severity: 'critical',
    title: "useForInternalApi and kops' API load balancer terminates TLS on the port nodes dial",
  },
  KOPS_SPEC_LB_NOT_CONFIGURED: {
    check: 'kops-spec',
    severity: 'info',
    title: 'Instance group spec lists a load balancer the config does not know',
  },
  KOPS_SPEC_LB_INVALID: {
    check: 'kops-spec',
    severity: 'warning',
    title: 'Instance group spec lists a load balancer entry that is not a name or ARN',
  },
  KOPS_API_LB_UNREADABLE: {
    check: 'kops-spec',
    severity: 'warning',
    title: "kops' API load balancer could not be read",
  },
  // aws
  AWS_CALLS_OK: { check: 'aws', severity: 'ok', title: "The function's AWS calls went through" },
  AWS_CALL_FAILED: { check: 'aws', severity: 'critical', title: 'An AWS call failed' },
  // the CLI's access to a cluster's account (clusters[].cliRoleArn, clusters[].profile)
  CLI_CREDENTIALS_UNAVAILABLE: {
    check: 'aws',
    severity: 'critical',
    title: "The CLI has no working credentials for the cluster's account",
  },
  CLI_ACCOUNT_MISMATCH: {
    check: 'aws',
    severity: 'critical',
    title: "The CLI's credentials for the cluster are of another account",
  },
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof CODES;

export function codeInfo(code: string): CodeInfo | undefined {
  return (CODES as Record<string, CodeInfo>)[code];
}
