import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { AttachLoadBalancersCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLoadBalancerCommand, DeleteLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import type { Finding, Verdict } from '../../functions/core/findings/finding.ts';
import { MAX_SPEC_BYTES } from '../../functions/core/kops/spec.ts';
import { silentLog } from '../../functions/core/log.ts';
import { verifyClusters } from '../../functions/core/verify/verify.ts';
import { createKopsApiNlb, detachAsKopsUpdateWould } from '../../sandbox/kops-account.ts';
import { type ClusterFixture, controlPlaneSpecs } from '../../sandbox/kops-specs.ts';
import { createCa, issueServerCert } from '../../sandbox/pki.ts';
import { createStateStoreBucket, putKopsSpecs } from '../../sandbox/state-store.ts';
import { buildWorld, CLUSTER, OLD_CLUSTER, type World } from '../../sandbox/world.ts';
import { createApiServerGroup } from '../support/backends.ts';
import { capture } from '../support/cli-io.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * The verifier's kops foresight against kops-shaped state stores in moto's S3 and kops-shaped
 * accounts: the specs are written as kops writes them (sandbox/kops-specs.ts), the verifier reads
 * them through its own S3 client, and the findings come out of the same verification as the rest.
 * No CA is configured: TLS is not what these tests judge (CA_UNAVAILABLE, no probes).
 */
const BUCKET = 'kops-state-foresight';
const PREFIX = 'kops';
const STATE_STORE = `s3://${BUCKET}/${PREFIX}`;

const moto = withMoto();
let clients = createAwsClients();
let world: World;
let acmPems: { cert: string; key: string; chain: string };

beforeAll(async () => {
  const acmCa = await createCa('Amazon RSA 2048 M02');
  const cert = await issueServerCert(acmCa, { dns: [`api.${CLUSTER}`] });
  acmPems = { cert: cert.certPem, key: cert.keyPem, chain: acmCa.certPem };
});

beforeEach(async () => {
  await moto().reset();
  clients = createAwsClients();
  world = await buildWorld(clients, {
    oldCluster: true,
    clusterConfig: { kops: { stateStore: STATE_STORE } },
  });
  const old = world.config.clusters[1];
  if (old) old.kops = { stateStore: STATE_STORE };
  await createStateStoreBucket(clients.s3, BUCKET);
});

/** kops 1.30: control-plane-<zone> groups listing both internal load balancers. */
function modern(overrides: Partial<ClusterFixture> = {}): ClusterFixture {
  return { ...controlPlaneSpecs(CLUSTER, world.groups, world.lbs), ...overrides };
}

/** kops 1.25: one master-<zone> group, role Master, a classic API load balancer. */
function legacy(): ClusterFixture {
  return {
    name: OLD_CLUSTER,
    kubernetesVersion: 'v1.25.16',
    zones: ['eu-west-1a'],
    api: { class: 'Classic', type: 'Internal' },
    instanceGroups: [
      {
        name: 'master-eu-west-1a',
        role: 'Master',
        zone: 'eu-west-1a',
        externalLoadBalancers: [{ loadBalancerName: world.oldClassicName ?? '' }],
      },
      { name: 'nodes', role: 'Node', zone: 'eu-west-1a' },
    ],
  };
}

/** Overwrites one state-store object under the prefix with raw text. */
async function putRaw(key: string, body: string): Promise<void> {
  await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function importAcmCertificate(): Promise<string> {
  const imported = await new ACMClient({}).send(
    new ImportCertificateCommand({
      Certificate: Buffer.from(acmPems.cert),
      PrivateKey: Buffer.from(acmPems.key),
      CertificateChain: Buffer.from(acmPems.chain),
    }),
  );
  return imported.CertificateArn ?? '';
}

/** A classic ELB with an SSL:443 listener (an ACM certificate), as kops' classic API load balancer. */
async function createSslElb(
  name: string,
  certificateArn: string,
  scheme: 'internal' | 'internet-facing',
  tags: { Key: string; Value: string }[],
): Promise<void> {
  await clients.elb.send(
    new CreateLoadBalancerCommand({
      LoadBalancerName: name,
      Scheme: scheme,
      Subnets: world.subnetIds,
      Listeners: [
        {
          Protocol: 'SSL',
          LoadBalancerPort: 443,
          InstanceProtocol: 'SSL',
          InstancePort: 443,
          SSLCertificateId: certificateArn,
        },
      ],
      Tags: tags,
    }),
  );
}

async function verify(): Promise<Verdict[]> {
  return (await verifyClusters(world.config.clusters, { clients, log: silentLog })).verdicts;
}

const kopsFindings = (v: Verdict | undefined) =>
  (v?.findings ?? []).filter((f) => f.check === 'kops-spec').map((f) => `${f.code} ${f.resource}`);
const tgLabel = () => `targetgroup/k8s-api-internal-tcp/${world.lbs.targetGroupArn.split('/').pop()}`;
const elbLabel = () => `elb/${world.lbs.classicName}`;

describe('kops foresight from the state store', () => {
  it('(a) kops 1.25 master-<zone> groups and (b-less) a 1.30 cluster listing everything: all ok, the check complete', async () => {
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, modern());
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, legacy());
    const [main, old] = await verify();
    expect(kopsFindings(old)).toEqual([
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_IN_SPEC elb/${world.oldClassicName}:master-eu-west-1a.masters.${OLD_CLUSTER}`,
    ]);
    const read = old?.findings.find((f) => f.code === 'KOPS_SPECS_READ');
    expect(read?.details?.instanceGroups).toEqual(['master-eu-west-1a: ControlPlane', 'nodes: Node']);
    // the spec judged is config, what the next kops update applies
    expect(read?.actual).toContain(`${OLD_CLUSTER}/config`);
    expect(kopsFindings(main)).toEqual([
      'KOPS_SPECS_READ kops/state-store',
      ...world.groups.flatMap((g) => [
        `KOPS_LB_IN_SPEC ${elbLabel()}:${g}`,
        `KOPS_LB_IN_SPEC ${tgLabel()}:${g}`,
      ]),
    ]);
    expect(main?.complete).toContain('kops-spec');
  });

  it("(b) 1.30+ with an NLB, sslCertificate and useForInternalApi: critical from the spec and from kops' TLS:443 listener, not from TCP:8443", async () => {
    const certificateArn = await importAcmCertificate();
    const nlb = await createKopsApiNlb(clients, {
      cluster: CLUSTER,
      vpcId: world.config.clusters[0]?.vpcId ?? '',
      subnetIds: world.subnetIds,
      groups: world.groups,
      certificateArn,
    });
    await putKopsSpecs(
      clients.s3,
      { bucket: BUCKET, prefix: PREFIX },
      modern({ api: { class: 'Network', sslCertificate: certificateArn, useForInternalApi: true } }),
    );
    const [main] = await verify();
    const found = kopsFindings(main);
    expect(found).toContain('KOPS_INTERNAL_API_ACM kops/api.loadBalancer');
    expect(found).toContain(`KOPS_INTERNAL_API_TLS_LISTENER kops-api/${nlb}:443`);
    expect(found.filter((f) => f.includes(':8443'))).toEqual([]);
    const listener = main?.findings.find((f) => f.code === 'KOPS_INTERNAL_API_TLS_LISTENER');
    expect(listener?.severity).toBe('critical');
    expect(listener?.details?.certificateArn).toBe(certificateArn);
    // kops' own target groups are not the config's: they raise no detach warning
    expect(found.filter((f) => f.startsWith('KOPS_LB_NOT_IN_SPEC'))).toEqual([]);
  });

  it('a kops 1.18-era classic API ELB with SSL:443, useForInternalApi and no certificate in the spec: the listener finding alone', async () => {
    const certificateArn = await importAcmCertificate();
    const name = 'api-k8s-example-com-abcd';
    await createSslElb(name, certificateArn, 'internet-facing', [
      { Key: 'KubernetesCluster', Value: CLUSTER },
      { Key: 'Name', Value: `api.${CLUSTER}` },
    ]);
    // an ELB of another cluster attached by mistake is not kops' API load balancer of this one
    await createSslElb('api-other', certificateArn, 'internal', [
      { Key: 'KubernetesCluster', Value: 'other.example.com' },
    ]);
    for (const g of world.groups)
      await clients.autoscaling.send(
        new AttachLoadBalancersCommand({ AutoScalingGroupName: g, LoadBalancerNames: [name, 'api-other'] }),
      );
    await putKopsSpecs(
      clients.s3,
      { bucket: BUCKET, prefix: PREFIX },
      modern({ api: { class: 'Classic', useForInternalApi: true } }),
    );
    const [main] = await verify();
    expect(kopsFindings(main).filter((f) => f.includes('INTERNAL_API'))).toEqual([
      `KOPS_INTERNAL_API_TLS_LISTENER kops-api/elb/${name}:443`,
    ]);
  });

  it('a group still listing a deleted classic ELB: the verification goes on (no AWS_CALL_FAILED), the live kops listener is still judged', async () => {
    const certificateArn = await importAcmCertificate();
    const live = 'api-k8s-example-com-abcd';
    const gone = 'api-k8s-example-com-old1';
    for (const name of [live, gone])
      await createSslElb(name, certificateArn, 'internet-facing', [
        { Key: 'KubernetesCluster', Value: CLUSTER },
      ]);
    for (const g of world.groups)
      await clients.autoscaling.send(
        new AttachLoadBalancersCommand({ AutoScalingGroupName: g, LoadBalancerNames: [gone, live] }),
      );
    await clients.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerName: gone }));
    await putKopsSpecs(
      clients.s3,
      { bucket: BUCKET, prefix: PREFIX },
      modern({ api: { class: 'Classic', useForInternalApi: true } }),
    );
    const [main] = await verify();
    const codes = (main?.findings ?? []).map((f) => f.code);
    expect(codes).not.toContain('AWS_CALL_FAILED');
    expect(codes).toContain('AWS_CALLS_OK');
    expect(codes).not.toContain('KOPS_API_LB_UNREADABLE');
    expect(kopsFindings(main).filter((f) => f.includes('INTERNAL_API'))).toEqual([
      `KOPS_INTERNAL_API_TLS_LISTENER kops-api/elb/${live}:443`,
    ]);
    // the registration findings are still there
    expect((main?.findings ?? []).filter((f) => f.check === 'registration').length).toBeGreaterThan(0);
    expect(main?.complete).toContain('kops-spec');
  });

  it('(c) an API-server group is matched to its APIServer instance group; a missing config falls back to the completed spec', async () => {
    const apiGroup = await createApiServerGroup(clients, {
      cluster: CLUSTER,
      like: world.groups[0] ?? '',
      attach: { classic: [world.lbs.classicName], targetGroupArns: [world.lbs.targetGroupArn] },
    });
    const spec = modern();
    spec.instanceGroups.push({
      name: 'apiserver-eu-west-1a',
      role: 'APIServer',
      zone: 'eu-west-1a',
      externalLoadBalancers: [{ loadBalancerName: world.lbs.classicName }],
    });
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, spec, { config: false });
    const [main] = await verify();
    const found = kopsFindings(main);
    expect(found).toContain(`KOPS_LB_IN_SPEC ${elbLabel()}:${apiGroup}`);
    expect(found).toContain(`KOPS_LB_NOT_IN_SPEC ${tgLabel()}:${apiGroup}`);
    expect(main?.findings.find((f) => f.code === 'KOPS_SPECS_READ')?.actual).toContain(
      `${CLUSTER}/cluster-completed.spec`,
    );
  });

  it('only config has useForInternalApi (kops edit cluster, no update yet): critical before the update, said not applied yet', async () => {
    const certificateArn = await importAcmCertificate();
    const edited = modern({
      api: { class: 'Network', sslCertificate: certificateArn, useForInternalApi: true },
    });
    const applied = modern({ api: { class: 'Network', sslCertificate: certificateArn } });
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, edited, { applied });
    const [main] = await verify();
    const acm = main?.findings.find((f) => f.code === 'KOPS_INTERNAL_API_ACM');
    expect(acm?.severity).toBe('critical');
    expect(acm?.message).toContain('set in the spec, not applied yet');
    expect(acm?.details?.specKey).toBe(`s3://${BUCKET}/${PREFIX}/${CLUSTER}/config`);
    expect(acm?.details?.yamlToAdd).toBe('spec:\n  api:\n    loadBalancer:\n      useForInternalApi: false');
    // and the other way round: applied, but turned off in config: the next update fixes it
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, applied, { applied: edited });
    const [later] = await verify();
    expect(kopsFindings(later).filter((f) => f.includes('INTERNAL_API'))).toEqual([]);
    expect(later?.findings.find((f) => f.code === 'KOPS_SPECS_READ')?.details?.notApplied).toBe(
      'useForInternalApi: true → false',
    );
  });

  it('(d) an instance group omitting the internal load balancer warns before kops update, and still after the detach (the spec is still wrong)', async () => {
    const spec = modern();
    const b = spec.instanceGroups[1];
    if (b) b.externalLoadBalancers = [{ loadBalancerName: world.lbs.classicName }];
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, spec);
    const groupB = world.groups[1] ?? '';
    const [before] = await verify();
    const warning = before?.findings.filter((f) => f.code === 'KOPS_LB_NOT_IN_SPEC') ?? [];
    expect(warning.map((f) => f.resource)).toEqual([`${tgLabel()}:${groupB}`]);
    expect(warning[0]?.severity).toBe('warning');
    expect(warning[0]?.message).toContain('will detach it');
    expect(warning[0]?.details?.yamlToAdd).toBe(
      `externalLoadBalancers:\n- targetGroupArn: ${world.lbs.targetGroupArn}`,
    );
    // what kops update cluster --yes then does
    await detachAsKopsUpdateWould(clients, groupB, { targetGroupArns: [world.lbs.targetGroupArn] });
    const [after] = await verify();
    expect(kopsFindings(after).filter((f) => f.includes(groupB) && f.includes('targetgroup/'))).toEqual([
      `KOPS_LB_NOT_IN_SPEC ${tgLabel()}:${groupB}`,
    ]);
    const still = after?.findings.find((f) => f.code === 'KOPS_LB_NOT_IN_SPEC');
    expect(still?.details?.attached).toBe(false);
    expect(still?.message).toContain('will detach it again');
    expect(after?.findings.filter((f) => f.code === 'LB_NOT_ATTACHED').map((f) => f.resource)).toEqual([
      `${tgLabel()}:${groupB}`,
    ]);
  });

  it('a malformed instance group is one warning naming its key, no other kops finding, and the check not complete', async () => {
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, modern());
    const key = `${PREFIX}/${CLUSTER}/instancegroup/control-plane-eu-west-1b`;
    await putRaw(
      key,
      'apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata: {name: x}\nspec:\n  externalLoadBalancers: {loadBalancerName: secret-value}\n',
    );
    const [main] = await verify();
    expect(kopsFindings(main)).toEqual(['KOPS_SPECS_UNREADABLE kops/state-store']);
    const f = main?.findings.find((x: Finding) => x.code === 'KOPS_SPECS_UNREADABLE');
    expect(f?.actual).toContain(`s3://${BUCKET}/${key}`);
    expect(JSON.stringify(f)).not.toContain('secret-value');
    expect(main?.complete ?? []).not.toContain('kops-spec');
  });

  it('an oversized instance group and a malformed completed spec are refused, naming their keys', async () => {
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, modern());
    const big = `${PREFIX}/${CLUSTER}/instancegroup/control-plane-eu-west-1a`;
    await putRaw(big, `kind: InstanceGroup\n# ${'x'.repeat(MAX_SPEC_BYTES)}\n`);
    const [first] = await verify();
    expect(first?.findings.find((f) => f.code === 'KOPS_SPECS_UNREADABLE')?.actual).toMatch(
      new RegExp(`^s3://${BUCKET}/${big}: .*too large`),
    );
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, modern());
    const completed = `${PREFIX}/${CLUSTER}/cluster-completed.spec`;
    await putRaw(completed, 'kind: Cluster\nspec:\n  api: [loadBalancer]\n');
    const [second] = await verify();
    expect(kopsFindings(second)).toEqual(['KOPS_SPECS_UNREADABLE kops/state-store']);
    expect(second?.findings.find((f) => f.code === 'KOPS_SPECS_UNREADABLE')?.details?.key).toBe(
      `s3://${BUCKET}/${completed}`,
    );
  });

  it('a state store without the cluster is one warning naming the config key', async () => {
    const [main, old] = await verify();
    expect(kopsFindings(main)).toEqual(['KOPS_SPECS_UNREADABLE kops/state-store']);
    expect(main?.findings.find((f) => f.code === 'KOPS_SPECS_UNREADABLE')?.actual).toContain(
      `s3://${BUCKET}/${PREFIX}/${CLUSTER}/config does not exist`,
    );
    expect(kopsFindings(old)).toEqual(['KOPS_SPECS_UNREADABLE kops/state-store']);
  });

  it('the CLI verify gives the same kops findings (the verifier client set, one S3 client)', async () => {
    const spec = modern();
    const b = spec.instanceGroups[1];
    if (b) b.externalLoadBalancers = [];
    await putKopsSpecs(clients.s3, { bucket: BUCKET, prefix: PREFIX }, spec);
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-kops-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ clusters: [world.config.clusters[0]] }));
    const { out, io } = capture();
    // 3: TLS could not be judged (no CA configured here, CA_UNAVAILABLE); the kops check still ran
    expect(await main(['verify', '--config', file, '--json'], io)).toBe(3);
    const parsed = JSON.parse(out.stdout) as { verdicts: Verdict[] };
    const groupB = world.groups[1] ?? '';
    expect(
      parsed.verdicts[0]?.findings.filter((f) => f.code === 'KOPS_LB_NOT_IN_SPEC').map((f) => f.resource),
    ).toEqual([`${elbLabel()}:${groupB}`, `${tgLabel()}:${groupB}`]);
  });
});
