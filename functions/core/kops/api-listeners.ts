import {
  DescribeTagsCommand as DescribeClassicTagsCommand,
  type LoadBalancerDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenersCommand,
  DescribeTagsCommand,
  type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { batchOrEach } from '../aws/batch-or-each.ts';
import type { AwsClients } from '../aws/clients.ts';
import { errorMessage, isAwsError } from '../aws/errors.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { ControlPlaneGroup } from '../discovery/control-plane.ts';
import { taggedForCluster } from '../discovery/tags.ts';
import { describeClassic, isClassicNotFound } from '../lb/classic.ts';
import { describeTargetGroup } from '../observe/lb-target-group.ts';

/**
 * kops' own API load balancer as AWS reports it, read only when the cluster spec sends nodes to it
 * (`useForInternalApi: true`). It is attached to the control-plane groups (kops attaches it
 * itself), so the candidates are the groups' attachments the config does not name; of those, the
 * ones tagged for the cluster (KubernetesCluster or kubernetes.io/cluster/<name>) are kops'.
 * Read-only: DescribeTags and DescribeLoadBalancers (classic), DescribeTargetGroups, DescribeTags
 * and DescribeListeners (ELBv2).
 */
export interface ApiListener {
  /** `elb/<name>` or the network load balancer's name. */
  loadBalancer: string;
  port: number;
  protocol: string;
  certificateArn?: string;
}

/** DescribeTags takes at most 20 names or ARNs per call. */
const TAGS_PER_CALL = 20;
/** More unknown attachments than this is not a kops API load balancer; look at the first ones only. */
const MAX_CANDIDATES = 40;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += TAGS_PER_CALL) out.push(items.slice(i, i + TAGS_PER_CALL));
  return out;
}

function tagMapOf(tags: readonly { Key?: string; Value?: string }[] | undefined): Map<string, string> {
  return new Map((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** The groups' attachments the config does not name, each list bounded. */
export function unconfiguredAttachments(cluster: ClusterConfig, groups: readonly ControlPlaneGroup[]) {
  const classic = new Set(cluster.loadBalancers.classic);
  const tgs = new Set(cluster.loadBalancers.targetGroupArns);
  return {
    classic: [...new Set(groups.flatMap((g) => g.loadBalancerNames))]
      .filter((n) => !classic.has(n))
      .slice(0, MAX_CANDIDATES),
    targetGroupArns: [...new Set(groups.flatMap((g) => g.targetGroupArns))]
      .filter((a) => !tgs.has(a))
      .slice(0, MAX_CANDIDATES),
  };
}

/** A read of kops' API load balancer that failed (a load balancer that is gone is skipped, not a failure). */
export interface ApiReadFailure {
  /** The AWS call, e.g. `elb:DescribeTags`. */
  call: string;
  /** The load balancer(s) or target group it named. */
  resource: string;
  reason: string;
}

export interface ApiListenersRead {
  listeners: ApiListener[];
  failures: ApiReadFailure[];
}

/** Runs one read; a failure is recorded (naming the call and resource) and reads as `fallback`. */
async function guarded<R>(
  failures: ApiReadFailure[],
  call: string,
  resource: string,
  fallback: R,
  read: () => Promise<R>,
): Promise<R> {
  try {
    return await read();
  } catch (err) {
    failures.push({ call, resource, reason: errorMessage(err) });
    return fallback;
  }
}

const isElbv2NotFound = (err: unknown) => isAwsError(err, 'LoadBalancerNotFound', 'TargetGroupNotFound');

async function classicListeners(
  clients: AwsClients,
  cluster: string,
  names: string[],
  failures: ApiReadFailure[],
): Promise<ApiListener[]> {
  const owned: string[] = [];
  for (const batch of chunks(names)) {
    const tagged = await guarded(
      failures,
      'elb:DescribeTags',
      batch.map((n) => `elb/${n}`).join(', '),
      [],
      () =>
        batchOrEach(
          batch,
          async (LoadBalancerNames) =>
            (await clients.elb.send(new DescribeClassicTagsCommand({ LoadBalancerNames }))).TagDescriptions ??
            [],
          isClassicNotFound,
        ),
    );
    for (const d of tagged) {
      if (d.LoadBalancerName && taggedForCluster(tagMapOf(d.Tags), cluster)) owned.push(d.LoadBalancerName);
    }
  }
  if (owned.length === 0) return [];
  const described = await guarded(
    failures,
    'elb:DescribeLoadBalancers',
    owned.map((n) => `elb/${n}`).join(', '),
    new Map<string, LoadBalancerDescription | undefined>(),
    () => describeClassic(clients, owned),
  );
  return owned.flatMap((name) =>
    (described.get(name)?.ListenerDescriptions ?? []).map((l) => ({
      loadBalancer: `elb/${name}`,
      port: l.Listener?.LoadBalancerPort ?? 0,
      protocol: l.Listener?.Protocol?.toUpperCase() ?? '',
      ...(l.Listener?.SSLCertificateId ? { certificateArn: l.Listener.SSLCertificateId } : {}),
    })),
  );
}

async function networkListeners(
  clients: AwsClients,
  cluster: string,
  arns: string[],
  failures: ApiReadFailure[],
): Promise<ApiListener[]> {
  const groups = await Promise.all(
    arns.map((arn) =>
      guarded(failures, 'elbv2:DescribeTargetGroups', arn, undefined, () =>
        describeTargetGroup(clients, arn),
      ),
    ),
  );
  const lbArns = [...new Set(groups.flatMap((g) => g?.LoadBalancerArns ?? []))];
  const owned: string[] = [];
  for (const batch of chunks(lbArns)) {
    const tagged = await guarded(failures, 'elbv2:DescribeTags', batch.join(', '), [], () =>
      batchOrEach(
        batch,
        async (ResourceArns) =>
          (await clients.elbv2.send(new DescribeTagsCommand({ ResourceArns }))).TagDescriptions ?? [],
        isElbv2NotFound,
      ),
    );
    for (const d of tagged) {
      if (d.ResourceArn && taggedForCluster(tagMapOf(d.Tags), cluster)) owned.push(d.ResourceArn);
    }
  }
  const listeners = await Promise.all(
    owned.map((LoadBalancerArn) =>
      guarded(failures, 'elbv2:DescribeListeners', LoadBalancerArn, [], () =>
        batchOrEach<string, Listener>(
          [LoadBalancerArn],
          async ([arn]) =>
            (await clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ??
            [],
          isElbv2NotFound,
        ),
      ),
    ),
  );
  return listeners.flat().map((l) => ({
    loadBalancer: (l.LoadBalancerArn ?? '').split('/').slice(-2, -1)[0] ?? l.LoadBalancerArn ?? '',
    port: l.Port ?? 0,
    protocol: l.Protocol?.toUpperCase() ?? '',
    ...(l.Certificates?.[0]?.CertificateArn ? { certificateArn: l.Certificates[0].CertificateArn } : {}),
  }));
}

/**
 * Every listener of kops' own API load balancer(s) of the cluster, classic and network. Never
 * throws: a load balancer that is gone is skipped, any other failed call is a failure naming it.
 */
export async function readKopsApiListeners(
  clients: AwsClients,
  cluster: ClusterConfig,
  groups: readonly ControlPlaneGroup[],
): Promise<ApiListenersRead> {
  const { classic, targetGroupArns } = unconfiguredAttachments(cluster, groups);
  const failures: ApiReadFailure[] = [];
  const [a, b] = await Promise.all([
    classic.length ? classicListeners(clients, cluster.name, classic, failures) : [],
    targetGroupArns.length ? networkListeners(clients, cluster.name, targetGroupArns, failures) : [],
  ]);
  return { listeners: [...a, ...b], failures };
}
