import type { ClusterConfig } from '../config/schema.ts';
import type { ControlPlaneGroup } from '../discovery/control-plane.ts';
import { NAME_INFIX } from '../discovery/tags.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { type LoadBalancerRef, labelOf, refsOf } from '../lb/port.ts';
import type { ApiListener } from './api-listeners.ts';
import type { KopsSpecsRead } from './read.ts';
import type { InstanceGroupSpec } from './spec.ts';

/**
 * Foresight from the kops specs (pure: specs + config + the API-backend groups AWS reports →
 * findings). It predicts what the next `kops update cluster --yes` does and where nodes are sent,
 * and never edits a spec: each finding quotes the YAML to add.
 */
export interface ForesightInput {
  cluster: ClusterConfig;
  read: KopsSpecsRead;
  /** The cluster's control-plane and API-server groups with their attachments, as AWS reports them. */
  groups: readonly ControlPlaneGroup[];
  /** Listeners of kops' own API load balancer (read only when needsApiListeners says so). */
  apiListeners?: readonly ApiListener[];
}

/** Listener protocols that terminate TLS at the load balancer (classic SSL/HTTPS, NLB TLS, ALB HTTPS). */
const TERMINATING = new Set(['SSL', 'HTTPS', 'TLS']);
/** The finding resource of the state store as a whole. */
export const STATE_STORE_RESOURCE = 'kops/state-store';
const API_RESOURCE = 'kops/api.loadBalancer';

/** True when the spec sends nodes to kops' API load balancer: its listeners must then be read. */
export function needsApiListeners(read: KopsSpecsRead): boolean {
  return read.ok && read.specs.cluster.apiLoadBalancer?.useForInternalApi === true;
}

/** The YAML line that lists a load balancer under `spec.externalLoadBalancers`. */
export function specEntryYaml(ref: LoadBalancerRef): string {
  return ref.kind === 'classic' ? `- loadBalancerName: ${ref.name}` : `- targetGroupArn: ${ref.arn}`;
}

function sameRef(a: LoadBalancerRef, b: LoadBalancerRef): boolean {
  return a.kind === 'classic'
    ? b.kind === 'classic' && a.name === b.name
    : b.kind === 'target-group' && a.arn === b.arn;
}

/** The instance group spec of an Auto Scaling group: by its kops.k8s.io/instancegroup tag, else by its kops name. */
export function instanceGroupFor(
  group: ControlPlaneGroup,
  specs: readonly InstanceGroupSpec[],
): InstanceGroupSpec | undefined {
  const suffix = `.${NAME_INFIX[group.role]}.${group.cluster}`;
  const byName = group.name.endsWith(suffix) ? group.name.slice(0, -suffix.length) : undefined;
  const name = group.instanceGroup ?? byName;
  return specs.find((s) => s.name === name);
}

function attachedRefs(cluster: ClusterConfig, group: ControlPlaneGroup): LoadBalancerRef[] {
  return refsOf(cluster).filter((r) =>
    r.kind === 'classic' ? group.loadBalancerNames.includes(r.name) : group.targetGroupArns.includes(r.arn),
  );
}

/** Configured load balancers attached to a group whose instance group spec does not list them. */
function detachFindings(input: ForesightInput, igs: readonly InstanceGroupSpec[]): Finding[] {
  const c = input.cluster.name;
  const out: Finding[] = [];
  for (const group of input.groups) {
    const ig = instanceGroupFor(group, igs);
    if (!ig) continue; // no spec: kops does not manage the group's attachments
    for (const ref of attachedRefs(input.cluster, group)) {
      const label = labelOf(ref);
      const resource = `${label}:${group.name}`;
      if (ig.externalLoadBalancers.some((l) => sameRef(l, ref))) {
        out.push(
          finding('KOPS_LB_IN_SPEC', {
            cluster: c,
            resource,
            expected: `${label} in spec.externalLoadBalancers of instance group ${ig.name}`,
            actual: 'listed',
            message: `${label} is listed in instance group ${ig.name}: kops update keeps it attached`,
          }),
        );
        continue;
      }
      const yaml = specEntryYaml(ref);
      const prune = ref.kind === 'target-group' ? ' (kops 1.29+: with --prune)' : '';
      out.push(
        finding('KOPS_LB_NOT_IN_SPEC', {
          cluster: c,
          resource,
          expected: `${label} in spec.externalLoadBalancers of instance group ${ig.name}`,
          actual: `attached to ${group.name}, missing from ${ig.key}`,
          message:
            `${label} is attached to ${group.name} but instance group ${ig.name} does not list it: ` +
            `the next \`kops update cluster --yes\`${prune} will detach it. ` +
            `Add \`${yaml}\` under spec.externalLoadBalancers (kops edit instancegroup ${ig.name})`,
          details: { instanceGroup: ig.name, specKey: ig.key, yamlToAdd: `externalLoadBalancers:\n${yaml}` },
        }),
      );
    }
  }
  return out;
}

/** Load balancers an API-backend instance group lists that the config does not name. */
function unknownFindings(cluster: ClusterConfig, igs: readonly InstanceGroupSpec[]): Finding[] {
  const known = refsOf(cluster);
  const out: Finding[] = [];
  for (const ig of igs) {
    if (ig.role !== 'ControlPlane' && ig.role !== 'APIServer') continue;
    for (const ref of ig.externalLoadBalancers) {
      if (known.some((k) => sameRef(k, ref))) continue;
      const label = labelOf(ref);
      const yaml =
        ref.kind === 'classic'
          ? `loadBalancers: { classic: [${ref.name}] }`
          : `loadBalancers: { targetGroupArns: [${ref.arn}] }`;
      out.push(
        finding('KOPS_SPEC_LB_NOT_CONFIGURED', {
          cluster: cluster.name,
          resource: `kops/instancegroup/${ig.name}:${label}`,
          expected: 'every load balancer of an API-backend instance group in the sentinel config',
          actual: `${ig.key} lists ${label}`,
          message: `instance group ${ig.name} lists ${label}, which the sentinel config does not know: add it to the config (\`${yaml}\`, merged into clusters[].loadBalancers)`,
          details: { instanceGroup: ig.name, yamlToAdd: yaml },
        }),
      );
    }
  }
  return out;
}

/** `useForInternalApi: true` with an ACM certificate, or kops' API load balancer terminating TLS where nodes dial. */
function internalApiFindings(input: ForesightInput, specKey: string): Finding[] {
  const c = input.cluster.name;
  const lb = input.read.ok ? input.read.specs.cluster.apiLoadBalancer : undefined;
  if (!lb?.useForInternalApi) return [];
  const out: Finding[] = [];
  const expected = 'nodes reach the apiserver certificate signed by the kops CA';
  if (lb.sslCertificate) {
    out.push(
      finding('KOPS_INTERNAL_API_ACM', {
        cluster: c,
        resource: API_RESOURCE,
        expected,
        actual: `useForInternalApi: true with sslCertificate ${lb.sslCertificate} in ${specKey}`,
        message:
          'spec.api.loadBalancer has useForInternalApi: true and an sslCertificate: nodes are sent through a listener ' +
          'that presents a certificate the kops CA did not sign. Set `useForInternalApi: false` (kops edit cluster)',
        details: { specKey, sslCertificate: lb.sslCertificate, yamlToAdd: 'useForInternalApi: false' },
      }),
    );
  }
  const port = input.cluster.api.hostnamePort;
  for (const l of input.apiListeners ?? []) {
    if (l.port !== port || !TERMINATING.has(l.protocol)) continue;
    out.push(
      finding('KOPS_INTERNAL_API_TLS_LISTENER', {
        cluster: c,
        resource: `kops-api/${l.loadBalancer}:${l.port}`,
        expected,
        actual: `${l.protocol}:${l.port} with ${l.certificateArn ?? 'a certificate'}; useForInternalApi: true in ${specKey}`,
        message:
          `kops' API load balancer ${l.loadBalancer} terminates TLS (${l.protocol}:${l.port}) and useForInternalApi: true sends nodes to it: ` +
          'nodes are sent through a listener that presents a certificate the kops CA did not sign. Set `useForInternalApi: false` (kops edit cluster)',
        details: { specKey, ...(l.certificateArn ? { certificateArn: l.certificateArn } : {}) },
      }),
    );
  }
  return out;
}

/** Every kops-spec finding of one cluster; an unreadable state store is that one finding only. */
export function kopsForesight(input: ForesightInput): Finding[] {
  const c = input.cluster.name;
  const read = input.read;
  if (!read.ok) {
    return [
      finding('KOPS_SPECS_UNREADABLE', {
        cluster: c,
        resource: STATE_STORE_RESOURCE,
        expected: 'the cluster and instance group specs, readable and as kops writes them',
        actual: `${read.key}: ${read.reason}`,
        message: `cannot foresee kops updates: ${read.reason}`,
        details: { key: read.key },
      }),
    ];
  }
  const { specs } = read;
  const lb = specs.cluster.apiLoadBalancer;
  return [
    finding('KOPS_SPECS_READ', {
      cluster: c,
      resource: STATE_STORE_RESOURCE,
      expected: 'the cluster and instance group specs',
      actual: `${specs.cluster.key} and ${specs.instanceGroups.length} instance group(s)`,
      message: `read the cluster spec and ${specs.instanceGroups.length} instance group(s) from ${specs.source}${
        lb ? ` (API load balancer: ${lb.class ?? 'Classic'}, useForInternalApi: ${lb.useForInternalApi})` : ''
      }`,
      details: { instanceGroups: specs.instanceGroups.map((g) => `${g.name}: ${g.role}`) },
    }),
    ...detachFindings(input, specs.instanceGroups),
    ...internalApiFindings(input, specs.cluster.key),
    ...unknownFindings(input.cluster, specs.instanceGroups),
  ];
}
