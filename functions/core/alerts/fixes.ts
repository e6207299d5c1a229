import type { FindingCode } from '../findings/codes.ts';

/**
 * One line per finding code: the first thing to do. The runbook (docs/runbook.md, one `## CODE`
 * heading each) has the full story; alerts link to it with `runbookLink`. Partial so that a new code
 * does not break the build; test/unit/alerts/messages.test.ts fails until it has a line here.
 */
export const FIXES: Partial<Record<FindingCode, string>> = {
  CONTROL_PLANE_GROUPS_FOUND: 'Nothing to do.',
  NO_CONTROL_PLANE_GROUPS:
    'Check the cluster name in the sentinel config and that the control-plane groups carry the KubernetesCluster and k8s.io/role/master tags.',
  GROUP_TAGS_MISMATCH:
    'Tag the group like kops does (KubernetesCluster, k8s.io/role/master=1) or rename it so it does not look like a control-plane group.',
  AWS_CALL_FAILED: "Check the function's IAM permissions and AWS service health, then wait for the next run.",
  CLI_CREDENTIALS_UNAVAILABLE:
    "Renew the credentials the cluster's cliRoleArn is assumed with (or its profile's), and check the role's trust policy.",
  CLI_ACCOUNT_MISMATCH:
    'Give the cluster a cliRoleArn or profile in its own account, or correct clusters[].account.',
  LOAD_BALANCER_NOT_FOUND:
    'Create the internal load balancer again, or correct its name/target group ARN in the sentinel config.',
  LB_ATTACHED: 'Nothing to do.',
  LB_NOT_ATTACHED:
    'List the load balancer under externalLoadBalancers of every control-plane instance group so `kops update cluster` stops detaching it.',
  INSTANCE_REGISTERED: 'Nothing to do.',
  INSTANCE_NOT_REGISTERED:
    'Register the instance on the load balancer (the sentinel does this in repair mode) and check that the group attachment exists.',
  INSTANCE_NOT_RUNNING: 'Nothing to do unless the instance should be running.',
  TARGET_WRONG_PORT:
    'Register the instance on the api.instancePort port and deregister the other port (the registrar does both in repair mode).',
  LB_SHARED_WITH_OTHER_GROUP:
    'Detach the load balancer from the named group, or give the control plane a dedicated internal load balancer.',
  INSTANCE_NOT_IN_GROUP: 'Nothing to do.',
  INSTANCE_DEREGISTERED: 'Nothing to do.',
  INSTANCE_OF_OTHER_CLUSTER:
    "Check the tags of the instance and of its group: it carries another cluster's KubernetesCluster tag and must not serve this API.",
  STALE_REGISTRATION:
    'Deregister the instance from the load balancer; it is no longer a live control-plane instance.',
  LAUNCH_FAILED:
    'Read the Auto Scaling activity history of the group for the launch error (capacity, quota, AMI, IAM).',
  LIFECYCLE_ACTION_COMPLETED: 'Nothing to do.',
  LIFECYCLE_ACTION_WITHHELD:
    'Fix the registration findings of the instance; the next sweep registers it, and the hook times out to its DefaultResult (make that CONTINUE).',
  LIFECYCLE_ACTION_FAILED:
    'Complete the lifecycle action by hand (aws autoscaling complete-lifecycle-action) or let its heartbeat timeout apply the default result.',
  LISTENER_OK: 'Nothing to do.',
  LISTENER_MISSING: 'Add a TCP listener on the API port forwarding to instance port 443.',
  LISTENER_TERMINATES_TLS:
    'Change the listener to TCP pass-through (not TLS/SSL) so nodes see the apiserver certificate signed by the kops CA.',
  LISTENER_WRONG_TARGET: 'Point the listener at instance port 443 (or the control-plane target group).',
  HEALTH_CHECK_OK: 'Nothing to do.',
  HEALTH_CHECK_MISMATCH: 'Set the health check back to the configured target, interval and thresholds.',
  INSTANCE_HEALTHY: 'Nothing to do.',
  INSTANCE_UNHEALTHY:
    'Check kube-apiserver on the instance and that the security groups allow the load balancer to reach port 443.',
  TLS_OK: 'Nothing to do.',
  TLS_UNTRUSTED_ISSUER:
    'Make the node-facing listener pass TCP through to the control plane; if the kops CA was rotated, re-run `ca import`.',
  TLS_HOSTNAME_MISMATCH:
    'Add the API hostname to the apiserver certificate (additionalSans) or correct api.hostname in the config.',
  TLS_CERT_EXPIRED: 'Rotate the apiserver certificate now (roll the control plane with kops rolling-update).',
  TLS_CERT_NOT_YET_VALID: 'Check the clock (NTP) on the control-plane instances and on the issuer.',
  TLS_CERT_EXPIRING: 'Plan a rotation of the apiserver certificate before it expires.',
  TLS_NOT_SERVER_AUTH: 'Reissue the apiserver certificate with the serverAuth extended key usage.',
  TLS_NAME_CONSTRAINTS_VIOLATED:
    'Issue the apiserver certificate from a CA whose name constraints permit the API hostname, or widen them.',
  TLS_PATH_LENGTH_EXCEEDED:
    'Serve a shorter chain, or reissue the limiting CA with a larger pathLenConstraint.',
  TLS_INSECURE_SIGNATURE: 'Reissue the named certificate with a SHA-256 (or stronger) signature.',
  TLS_UNHANDLED_CRITICAL_EXTENSION:
    'Reissue the named certificate without that extension, or with it marked non-critical.',
  TLS_INVALID_POLICIES:
    'Give every certificate below the CA that requires an explicit policy a matching certificatePolicies entry, or drop the requirement.',
  TLS_ISSUER_NAME_ENCODING:
    'Reissue the certificate with its issuer name copied byte for byte from the CA subject.',
  TLS_CERT_UNPARSEABLE:
    'Reissue the named certificate so Go can parse it (positive serial, ASCII SANs, a P-256/384/521 key); see the reason.',
  TLS_CHAIN_NOT_READ: 'Check the chain the endpoint sends with openssl s_client -showcerts; see the runbook.',
  TLS_CONNECTION_REFUSED:
    'Check that the load balancer has a listener on the API port and healthy control-plane instances.',
  TLS_CONNECTION_RESET:
    'Check the load balancer targets and security groups; a reset usually means no healthy target.',
  TLS_TIMEOUT: 'Check the security groups and network ACLs between the node subnets and the load balancer.',
  TLS_NOT_TLS: 'Point the API endpoint at the apiserver port (443), not a plain-HTTP port.',
  TLS_HANDSHAKE_FAILED:
    'Check that the listener passes TCP through to the apiserver and that the endpoint accepts TLS 1.2+ from the node subnets.',
  TLS_UNREACHABLE: 'Check DNS for the API hostname and routing from the node subnets to the load balancer.',
  TLS_IPV6_NOT_PROBED:
    'Set `verifier.ipv6: true` and give the verifier dual-stack node subnets (`nodeSubnetIds`), so it can dial IPv6 addresses as the nodes do.',
  CA_LOADED: 'Nothing to do.',
  CA_UNAVAILABLE:
    'Check the CA source in the config (SSM parameter or state store) and the function permissions to read it.',
  NEW_INSTANCE_VERIFIED: 'Nothing to do.',
  NEW_INSTANCE_WARMING_UP:
    'Nothing to do while the instance starts; its follow-up alerts if it still fails at the deadline.',
  AWS_CALLS_OK: 'Nothing to do.',
  KOPS_SPECS_READ: 'Nothing to do.',
  KOPS_SPECS_UNREADABLE:
    'Check kops.stateStore and the cluster name, that the named object is a kops spec (`kops get cluster -o yaml` / `kops get ig -o yaml`), and the verifier permissions (kops.kmsKeyArn under SSE-KMS).',
  KOPS_LB_IN_SPEC: 'Nothing to do.',
  KOPS_LB_NOT_IN_SPEC:
    '`kops edit instancegroup <ig>` and add under spec: `externalLoadBalancers:` then `- loadBalancerName: <name>` (classic ELB) or `- targetGroupArn: <arn>` (target group), as the finding quotes; then `kops update cluster --yes` (kops 1.19 and later detach what the list leaves out).',
  KOPS_INTERNAL_API_ACM:
    '`kops edit cluster` and set `spec: { api: { loadBalancer: { useForInternalApi: false } } }` (the finding quotes it as block YAML; nodes then dial the control plane directly), or drop `sslCertificate`; then `kops update cluster --yes`.',
  KOPS_INTERNAL_API_TLS_LISTENER:
    "`kops edit cluster` and set `spec: { api: { loadBalancer: { useForInternalApi: false } } }` (the finding quotes it as block YAML), so `api.internal.<cluster>` no longer points at kops' TLS-terminating listener; then `kops update cluster --yes`.",
  KOPS_SPEC_LB_INVALID:
    '`kops edit instancegroup <ig>` and correct the entry the finding names: `loadBalancerName` takes a classic ELB name, `targetGroupArn` a target group ARN.',
  KOPS_API_LB_UNREADABLE:
    "Check the verifier's permissions for the call the finding names (elasticloadbalancing:DescribeTags, DescribeLoadBalancers, DescribeTargetGroups, DescribeListeners); the next run tries again.",
  KOPS_SPEC_LB_NOT_CONFIGURED:
    'Add it to the sentinel config under clusters[].loadBalancers: `classic: [<name>]` or `targetGroupArns: [<arn>]`, as the finding quotes; then deploy.',
  NEW_INSTANCE_NOT_VERIFIED:
    'Read the verifier findings for the instance; it is not registered, not healthy or not serving the kops-signed certificate.',
};

export function fixFor(code: string): string {
  return (FIXES as Record<string, string>)[code] ?? 'See the runbook entry.';
}

/** The runbook link for a code: `docs/runbook.md#<code lowercased>`, optionally under a base URL. */
export function runbookLink(code: string, baseUrl?: string): string {
  const path = `docs/runbook.md#${code.toLowerCase()}`;
  if (!baseUrl) return path;
  return `${baseUrl.replace(/\/+$/, '')}/${path}`;
}
