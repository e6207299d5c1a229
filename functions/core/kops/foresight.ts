import type { ClusterConfig } from '../config/schema.ts';
import type { ControlPlaneGroup } from '../discovery/control-plane.ts';
import { NAME_INFIX } from '../discovery/tags.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { isAttachedTo, type LoadBalancerRef, labelOf, refsOf } from '../lb/port.ts';
import type { ApiListener, ApiReadFailure } from './api-listeners.ts';
import { internalApiFindings } from './internal-api.ts';
import { describeChanges, pendingChanges } from './pending.ts';
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
  /** Calls of that read that failed (other than a load balancer that is gone). */
  apiListenerFailures?: readonly ApiReadFailure[];
}

/** The finding resource of the state store as a whole. */
export const STATE_STORE_RESOURCE = 'kops/state-store';
/** Instance group roles that run an API server: their externalLoadBalancers are judged. */
const API_BACKEND_ROLES: readonly InstanceGroupSpec['role'][] = ['ControlPlane', 'APIServer'];

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

/**
 * Every configured load balancer against the instance group spec of every API-backend group AWS
 * reports, attached now or not: one detached by kops is still missing from the spec, and the
 * registrar's re-attachment would be undone by the next update.
 */
function detachFindings(input: ForesightInput, igs: readonly InstanceGroupSpec[]): Finding[] {
  const c = input.cluster.name;
  const out: Finding[] = [];
  for (const group of input.groups) {
    const ig = instanceGroupFor(group, igs);
    if (!ig) continue; // no spec: kops does not manage the group's attachments
    for (const ref of refsOf(input.cluster)) {
      const label = labelOf(ref);
      const resource = `${label}:${group.name}`;
      const attached = isAttachedTo(ref, group);
      const expected = `${label} in spec.externalLoadBalancers of instance group ${ig.name}`;
      if (ig.externalLoadBalancers.some((l) => sameRef(l, ref))) {
        out.push(
          finding('KOPS_LB_IN_SPEC', {
            cluster: c,
            resource,
            expected,
            actual: 'listed',
            message: `${label} is listed in instance group ${ig.name}: ${
              attached ? 'kops update keeps it attached' : 'not attached now; kops update attaches it'
            }`,
          }),
        );
        continue;
      }
      const yaml = specEntryYaml(ref);
      const prune = ref.kind === 'target-group' ? '; target groups from kops 1.29 with --prune' : '';
      const kops = `(kops 1.19 and later${prune})`;
      const now = attached
        ? `${label} is attached to ${group.name} but instance group ${ig.name} does not list it: ` +
          `the next \`kops update cluster --yes\` will detach it ${kops}`
        : `${label} is not attached to ${group.name} now and instance group ${ig.name} does not list it: ` +
          `once it is attached again (the registrar does), the next \`kops update cluster --yes\` will detach it again ${kops}`;
      out.push(
        finding('KOPS_LB_NOT_IN_SPEC', {
          cluster: c,
          resource,
          expected,
          actual: `${attached ? 'attached to' : 'not attached to'} ${group.name}, missing from ${ig.key}`,
          message: `${now}. Add \`${yaml}\` under spec.externalLoadBalancers (kops edit instancegroup ${ig.name})`,
          details: {
            instanceGroup: ig.name,
            specKey: ig.key,
            attached,
            yamlToAdd: `externalLoadBalancers:\n${yaml}`,
          },
        }),
      );
    }
  }
  return out;
}

/** API-backend instance group entries that are not a load balancer name or ARN: reported, not used. */
function invalidFindings(cluster: ClusterConfig, igs: readonly InstanceGroupSpec[]): Finding[] {
  return igs
    .filter((ig) => API_BACKEND_ROLES.includes(ig.role))
    .flatMap((ig) =>
      ig.invalidLoadBalancers.map((problem) =>
        finding('KOPS_SPEC_LB_INVALID', {
          cluster: cluster.name,
          resource: `kops/instancegroup/${ig.name}:${problem.split(' ')[0] ?? ''}`,
          expected: 'a classic ELB name or a target group ARN in every spec.externalLoadBalancers entry',
          actual: `${ig.key}: ${problem}`,
          message: `instance group ${ig.name}: ${problem}; the entry is left out of the foresight (kops edit instancegroup ${ig.name})`,
          details: { instanceGroup: ig.name, specKey: ig.key },
        }),
      ),
    );
}

/** Load balancers an API-backend instance group lists that the config does not name. */
function unknownFindings(cluster: ClusterConfig, igs: readonly InstanceGroupSpec[]): Finding[] {
  const known = refsOf(cluster);
  const out: Finding[] = [];
  for (const ig of igs) {
    if (!API_BACKEND_ROLES.includes(ig.role)) continue;
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
  const pending = pendingChanges(specs.cluster, specs.applied);
  const notApplied = pending.length
    ? `; not applied yet (${specs.applied?.key}): ${describeChanges(pending)}`
    : '';
  return [
    finding('KOPS_SPECS_READ', {
      cluster: c,
      resource: STATE_STORE_RESOURCE,
      expected: 'the cluster and instance group specs',
      actual: `${specs.cluster.key} and ${specs.instanceGroups.length} instance group(s)`,
      message: `read the cluster spec and ${specs.instanceGroups.length} instance group(s) from ${specs.source}${
        lb ? ` (API load balancer: ${lb.class ?? 'Classic'}, useForInternalApi: ${lb.useForInternalApi})` : ''
      }${notApplied}`,
      details: {
        instanceGroups: specs.instanceGroups.map((g) => `${g.name}: ${g.role}`),
        ...(pending.length ? { notApplied: describeChanges(pending) } : {}),
      },
    }),
    ...detachFindings(input, specs.instanceGroups),
    ...internalApiFindings({
      cluster: input.cluster,
      lb,
      specKey: specs.cluster.key,
      pending,
      apiListeners: input.apiListeners,
      apiListenerFailures: input.apiListenerFailures,
    }),
    ...unknownFindings(input.cluster, specs.instanceGroups),
    ...invalidFindings(input.cluster, specs.instanceGroups),
  ];
}
