import { stringify } from 'yaml';

/**
 * kops specs as kops writes them to the state store (pkg/client/simple/vfsclientset): the cluster
 * as written (`config`), the completed cluster (`cluster-completed.spec`, defaults filled in) and
 * one object per instance group (`instancegroup/<ig>`). kops marshals through JSON, so keys come
 * out sorted and lists are not indented under their key. Only the fields that matter here and a
 * few kops always writes are filled in; the reader must tolerate the rest.
 */
export type KopsRoleName = 'Master' | 'ControlPlane' | 'APIServer' | 'Node' | 'Bastion';

export type ExternalLoadBalancer = { loadBalancerName: string } | { targetGroupArn: string };

export interface InstanceGroupFixture {
  name: string;
  role: KopsRoleName;
  zone: string;
  externalLoadBalancers?: ExternalLoadBalancer[];
}

export interface ClusterFixture {
  name: string;
  kubernetesVersion: string;
  zones: string[];
  api?: {
    class?: 'Classic' | 'Network';
    type?: 'Public' | 'Internal';
    sslCertificate?: string;
    useForInternalApi?: boolean;
  };
  instanceGroups: InstanceGroupFixture[];
}

const CREATED = '2025-03-04T10:00:00Z';

function kopsYaml(value: unknown): string {
  // go-yaml quotes a string that would read as a timestamp
  return stringify(value, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(
    /^(\s*creationTimestamp: )(\S+)$/m,
    '$1"$2"',
  );
}

function clusterObject(f: ClusterFixture, completed: boolean): unknown {
  const loadBalancer = f.api
    ? {
        ...(f.api.class || completed ? { class: f.api.class ?? 'Classic' } : {}),
        type: f.api.type ?? 'Public',
        ...(f.api.sslCertificate ? { sslCertificate: f.api.sslCertificate } : {}),
        ...(f.api.useForInternalApi ? { useForInternalApi: true } : {}),
        ...(completed ? { crossZoneLoadBalancing: false } : {}),
      }
    : undefined;
  return {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { creationTimestamp: CREATED, name: f.name },
    spec: {
      api: loadBalancer ? { loadBalancer } : { dns: {} },
      authorization: { rbac: {} },
      channel: 'stable',
      cloudProvider: 'aws',
      configBase: `s3://kops-state-store/${f.name}`,
      etcdClusters: ['main', 'events'].map((name) => ({
        etcdMembers: f.instanceGroups
          .filter((g) => g.role === 'Master' || g.role === 'ControlPlane')
          .map((g) => ({ encryptedVolume: true, instanceGroup: g.name, name: g.zone.slice(-1) })),
        name,
      })),
      kubernetesVersion: f.kubernetesVersion,
      masterPublicName: `api.${f.name}`,
      networkCIDR: '172.20.0.0/16',
      networking: { calico: {} },
      subnets: f.zones.map((zone, i) => ({
        cidr: `172.20.${32 * i}.0/19`,
        name: zone,
        type: 'Private',
        zone,
      })),
      ...(completed
        ? {
            kubeAPIServer: { anonymousAuth: false, securePort: 443 },
            kubelet: { anonymousAuth: false },
            masterInternalName: `api.internal.${f.name}`,
          }
        : {}),
      topology: { dns: { type: 'Public' } },
    },
  };
}

/** `<cluster>/config`: the cluster spec as the user wrote it. */
export function clusterSpecYaml(f: ClusterFixture): string {
  return kopsYaml(clusterObject(f, false));
}

/** `<cluster>/cluster-completed.spec`: with kops' defaults filled in. */
export function completedClusterSpecYaml(f: ClusterFixture): string {
  return kopsYaml(clusterObject(f, true));
}

/** `<cluster>/instancegroup/<ig>`. */
export function instanceGroupYaml(cluster: string, g: InstanceGroupFixture): string {
  const controlPlane = g.role === 'Master' || g.role === 'ControlPlane';
  return kopsYaml({
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'InstanceGroup',
    metadata: { creationTimestamp: CREATED, labels: { 'kops.k8s.io/cluster': cluster }, name: g.name },
    spec: {
      ...(g.externalLoadBalancers?.length ? { externalLoadBalancers: g.externalLoadBalancers } : {}),
      image: '099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250305',
      machineType: controlPlane ? 'm6i.large' : 't3.medium',
      maxSize: controlPlane ? 1 : 2,
      minSize: controlPlane ? 1 : 2,
      ...(controlPlane ? {} : { nodeLabels: { 'kops.k8s.io/instancegroup': g.name } }),
      role: g.role,
      subnets: [g.zone],
    },
  });
}

/**
 * The kops 1.30 specs of a sandbox cluster: one ControlPlane instance group per control-plane
 * group (named as the group's `<ig>.masters.<cluster>`), each listing both internal load balancers,
 * and a node group.
 */
export function controlPlaneSpecs(
  cluster: string,
  groups: readonly string[],
  lbs: { classicName: string; targetGroupArn: string },
): ClusterFixture {
  const names = [...new Set(groups.map((g) => g.split('.')[0] ?? g))];
  const zoneOf = (ig: string) => ig.replace(/^(control-plane|master)-/, '');
  return {
    name: cluster,
    kubernetesVersion: 'v1.30.4',
    zones: [...new Set(names.map(zoneOf))],
    api: { class: 'Network' },
    instanceGroups: [
      ...names.map((name) => ({
        name,
        role: 'ControlPlane' as const,
        zone: zoneOf(name),
        externalLoadBalancers: [
          { loadBalancerName: lbs.classicName },
          { targetGroupArn: lbs.targetGroupArn },
        ],
      })),
      {
        name: `nodes-${zoneOf(names[0] ?? 'eu-west-1a')}`,
        role: 'Node' as const,
        zone: zoneOf(names[0] ?? 'eu-west-1a'),
      },
    ],
  };
}
