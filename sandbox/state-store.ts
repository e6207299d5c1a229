import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type ClusterFixture,
  clusterSpecYaml,
  completedClusterSpecYaml,
  instanceGroupYaml,
} from './kops-specs.ts';
import { nodeupConfigYaml, type TestCa } from './pki.ts';

/** A kops state store bucket in the local AWS (eu-west-1, as the sandbox's clients use). */
export async function createStateStoreBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
}

/**
 * What kops update cluster leaves in the state store for the nodes: one nodeup config per node
 * group, `<prefix>/<cluster>/igconfig/node/<ig>/nodeupconfig.yaml`, trusting the CAs given.
 */
export async function putNodeGroupTrust(
  s3: S3Client,
  where: { bucket: string; prefix: string; cluster: string },
  trusts: Record<string, TestCa[]>,
): Promise<void> {
  const base = [where.prefix, where.cluster].filter((p) => p !== '').join('/');
  for (const [ig, cas] of Object.entries(trusts)) {
    await s3.send(
      new PutObjectCommand({
        Bucket: where.bucket,
        Key: `${base}/igconfig/node/${ig}/nodeupconfig.yaml`,
        Body: nodeupConfigYaml({ cas }),
      }),
    );
  }
}

/**
 * The kops specs of a cluster, as `kops create cluster` / `kops update cluster` leave them:
 * `<prefix>/<cluster>/config` (unless `config: false`), `cluster-completed.spec` (unless
 * `completed: false`, as before the first update; or from `applied`, the cluster as the last
 * update applied it, when `config` has been edited since) and `instancegroup/<ig>` per instance group.
 */
export async function putKopsSpecs(
  s3: S3Client,
  where: { bucket: string; prefix: string },
  cluster: ClusterFixture,
  opts: { completed?: boolean; config?: boolean; applied?: ClusterFixture } = {},
): Promise<void> {
  const base = [where.prefix, cluster.name].filter((p) => p !== '').join('/');
  const objects: [string, string][] = [
    ...(opts.config === false ? [] : [['config', clusterSpecYaml(cluster)] as [string, string]]),
    ...(opts.completed === false
      ? []
      : [['cluster-completed.spec', completedClusterSpecYaml(opts.applied ?? cluster)] as [string, string]]),
    ...cluster.instanceGroups.map((g): [string, string] => [
      `instancegroup/${g.name}`,
      instanceGroupYaml(cluster.name, g),
    ]),
  ];
  for (const [key, body] of objects) {
    await s3.send(new PutObjectCommand({ Bucket: where.bucket, Key: `${base}/${key}`, Body: body }));
  }
}
