import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import {
  AttachLoadBalancersCommand,
  AttachLoadBalancerTargetGroupsCommand,
  DescribeAutoScalingGroupsCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DeregisterInstancesFromLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Context } from 'aws-lambda';
import type { MachineAlert } from '../../functions/core/alerts/messages.ts';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import type { AwsClients } from '../../functions/core/aws/clients.ts';
import { importCaBundle } from '../../functions/core/ca/import.ts';
import { createHandler as createNotifier } from '../../functions/notifier/handler.ts';
import { createHandler as createRegistrar } from '../../functions/registrar/handler.ts';
import type { RunSummary } from '../../functions/shared/summary.ts';
import type { BatchResult } from '../../functions/verifier/follow-ups.ts';
import { createHandler as createVerifier } from '../../functions/verifier/handler.ts';
import { autoScalingEvent, detachEvent, loadBalancerChangeEvent } from '../events.ts';
import { detachAsKopsUpdateWould, replaceClassicListener } from '../kops-account.ts';
import { controlPlaneSpecs } from '../kops-specs.ts';
import { createLocalAlerting, drain, type LocalAlerting, snsEvent } from '../local-alerting.ts';
import { type Moto, startMoto, useMoto } from '../moto.ts';
import { createCa, issueServerCert, keysetYaml } from '../pki.ts';
import { createStateStoreBucket, putKopsSpecs } from '../state-store.ts';
import { buildWorld, CLUSTER, settleClassicElb, type World } from '../world.ts';
import { describe } from './describe.ts';
import { startSlackStandIn } from './slack.ts';
import { StandIns } from './stand-ins.ts';
import { Timeline } from './timeline.ts';

export interface RehearsalOptions {
  reportOnly: boolean;
  /** Control-plane groups (one per zone), 1 to 5. */
  groups: number;
  /** A running moto_server to play against (emptied first, left running); by default one is started and stopped. */
  moto?: Moto;
}

export interface RehearsalResult {
  ok: boolean;
  timeline: Timeline;
  /** What the Slack stand-in received, in order. */
  slack: unknown[];
  /** The alerts that went out over SNS, in order. */
  alerts: MachineAlert[];
}

const CONTEXT = { awsRequestId: 'rehearsal', functionName: 'rehearsal' } as Context;
const API_PORT = 443;
/** The cluster's kops state store (bucket, prefix): the verifier reads the specs there. */
const STATE_STORE = { bucket: 'kops-state-rehearsal', prefix: 'kops' };

type Handler = (event: unknown, context: Context) => Promise<unknown>;

interface Stage {
  clients: AwsClients;
  world: World;
  standIns: StandIns;
  alerting: LocalAlerting;
  registrar: Handler;
  verifier: Handler;
  notifier: Handler;
  timeline: Timeline;
  alerts: MachineAlert[];
  /** The certificate someone puts on the listener: from a public CA, not the kops CA. */
  acmLike: { certPem: string; keyPem: string };
  /** What the Slack stand-in received so far. */
  slack: unknown[];
}

/** Hands queued follow-ups to the verifier and queued alerts to the notifier (which posts to Slack). */
async function pump(s: Stage): Promise<string[]> {
  const notes: string[] = [];
  await drain(s.clients, s.alerting.followUpQueueUrl, async (batch) => {
    const records = batch.map((b) => ({ eventSource: 'aws:sqs', messageId: b.messageId, body: b.body }));
    const res = (await s.verifier({ Records: records }, CONTEXT)) as BatchResult;
    for (const o of res.outcomes)
      notes.push(`follow-up of ${o.instanceId}: ${o.result === 'passed' ? 'verified' : o.result}`);
  });
  const bodies = await drain(s.clients, s.alerting.alertQueueUrl, async (batch) => {
    for (const b of batch) await s.notifier(snsEvent(b.body, s.alerting.topicArn), CONTEXT);
  });
  for (const body of bodies) {
    const alert = JSON.parse(body) as MachineAlert;
    s.alerts.push(alert);
    notes.push(`alert ${alert.kind} ${alert.code} ${alert.resource}`);
  }
  return notes;
}

async function step(s: Stage, event: string, run: () => Promise<unknown>): Promise<unknown> {
  const res = await run();
  // moto keeps a classic ELB's instances per group (see sandbox/world.ts); restore what AWS would hold
  await settleClassicElb(s.clients, s.world.groups, s.world.lbs.classicName);
  const notes = await pump(s);
  const { did, verdict } = describe(res);
  s.timeline.add(event, [did, ...notes].join('; '), verdict);
  return res;
}

const fired = (s: Stage, code: string, kind: MachineAlert['kind'] = 'fire') =>
  s.alerts.filter((a) => a.code === code && a.kind === kind);

/**
 * AWS Auto Scaling deregisters a terminating instance from the load balancers attached to its
 * group before the instance goes; moto leaves it registered on the target group. Do what AWS would, so that the story
 * shows the sentinel's behaviour and not moto's gap.
 */
async function deregisterAsAutoScalingWould(s: Stage, instanceId: string): Promise<void> {
  const { clients, world } = s;
  await clients.elbv2
    .send(
      new DeregisterTargetsCommand({
        TargetGroupArn: world.lbs.targetGroupArn,
        Targets: [{ Id: instanceId }],
      }),
    )
    .catch(() => undefined);
  await clients.elb
    .send(
      new DeregisterInstancesFromLoadBalancerCommand({
        LoadBalancerName: world.lbs.classicName,
        Instances: [{ InstanceId: instanceId }],
      }),
    )
    .catch(() => undefined);
}

async function rollingUpdate(s: Stage): Promise<void> {
  const { clients, world } = s;
  const verifiedBefore = s.timeline.rows.length;
  for (const g of world.groups) {
    const before = await clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [g] }),
    );
    const old = before.AutoScalingGroups?.[0]?.Instances?.[0]?.InstanceId ?? '';
    await deregisterAsAutoScalingWould(s, old);
    await clients.autoscaling.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: old,
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    await s.standIns.sync(world.groups);
    const after = await clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [g] }),
    );
    const replacement =
      after.AutoScalingGroups?.[0]?.Instances?.find((i) => i.InstanceId !== old)?.InstanceId ?? '';
    await step(s, `rolling update of ${g.split('.')[0]}: ${old} terminated`, () =>
      s.registrar(autoScalingEvent('EC2 Instance Terminate Successful', g, old), CONTEXT),
    );
    await step(s, `rolling update of ${g.split('.')[0]}: ${replacement} launched`, () =>
      s.registrar(autoScalingEvent('EC2 Instance Launch Successful', g, replacement), CONTEXT),
    );
  }
  const verified = s.timeline.rows
    .slice(verifiedBefore)
    .filter((r) => /follow-up of i-\w+: verified/.test(r.did)).length;
  s.timeline.expect(
    `every replaced instance was followed up and verified (${world.groups.length})`,
    verified === world.groups.length,
    `${verified} verified`,
  );
  s.timeline.expect(
    'no alert during the rolling update',
    s.alerts.length === 0,
    s.alerts.map((a) => a.code).join(', '),
  );
}

/** The kops specs as they should be: every control-plane instance group lists both load balancers. */
async function writeSpecs(s: Stage, omitFrom?: string): Promise<void> {
  const specs = controlPlaneSpecs(CLUSTER, s.world.groups, s.world.lbs);
  for (const ig of specs.instanceGroups) if (ig.name === omitFrom) ig.externalLoadBalancers = [];
  await putKopsSpecs(s.clients.s3, STATE_STORE, specs);
}

/** Someone drops the internal load balancers from an instance group spec: the verifier warns before kops update acts on it. */
async function removeFromSpec(s: Stage): Promise<void> {
  const g = s.world.groups[0] ?? '';
  const ig = g.split('.')[0] ?? '';
  await writeSpecs(s, ig);
  const mark = s.slack.length;
  // an alert fires on the second run in a row that sees the drift (alerts.fireAfterFailures)
  for (let i = 1; i <= s.world.config.alerts.fireAfterFailures; i++) {
    await step(
      s,
      i === 1
        ? `someone removes the internal load balancers from instance group ${ig} (kops edit ig)`
        : 'scheduled verification',
      () => s.verifier({ action: 'verify' }, CONTEXT),
    );
  }
  const warned = fired(s, 'KOPS_LB_NOT_IN_SPEC');
  s.timeline.expect(
    'the verifier warns before kops update detaches them, for both load balancers of that group',
    warned.length === 2 &&
      warned.every((a) => a.resource.endsWith(`:${g}`) && a.finding.severity === 'warning'),
    warned.map((a) => a.resource).join(', '),
  );
  s.timeline.expect(
    'the warning reached Slack, quoting the YAML to add',
    s.slack
      .slice(mark)
      .map((p) => JSON.stringify(p))
      .filter((p) => p.includes('KOPS_LB_NOT_IN_SPEC') && p.includes('loadBalancerName')).length > 0,
  );
}

async function detachByKopsUpdate(s: Stage, reportOnly: boolean): Promise<void> {
  const { clients, world } = s;
  const g = world.groups[0] ?? '';
  await detachAsKopsUpdateWould(clients, g, {
    classic: [world.lbs.classicName],
    targetGroupArns: [world.lbs.targetGroupArn],
  });
  const res = (await step(
    s,
    `kops update cluster detaches the internal load balancers from ${g.split('.')[0]}`,
    () => s.registrar(detachEvent(g, [world.lbs.classicName]), CONTEXT),
  )) as RunSummary;
  if (reportOnly) {
    s.timeline.expect(
      'report-only: the detachment is reported, not repaired',
      res.inSync === false && res.actions.every((a) => a.startsWith('would-repair')),
    );
    // an alert fires on the second run in a row that sees the drift (alerts.fireAfterFailures)
    await step(s, 'scheduled sweep', () => s.registrar({ action: 'reconcile' }, CONTEXT));
    s.timeline.expect(
      'report-only: an alert fired for the detached load balancers',
      fired(s, 'LB_NOT_ATTACHED').length === 2,
    );
  } else {
    s.timeline.expect(
      'repair: both load balancers re-attached',
      res.inSync === true && res.actions.filter((a) => a.includes('LB_NOT_ATTACHED')).length === 2,
    );
    s.timeline.expect(
      'repair: no alert for drift that was repaired',
      fired(s, 'LB_NOT_ATTACHED').length === 0,
    );
  }
}

/** Where the listener swap starts in the alerts and Slack posts, to count what it caused. */
interface SwapMark {
  alerts: number;
  slack: number;
}

async function swapListenerToAcm(s: Stage): Promise<SwapMark> {
  const { clients, world } = s;
  const mark: SwapMark = { alerts: s.alerts.length, slack: s.slack.length };
  const acm = s.acmLike;
  const cert = await new ACMClient({}).send(
    new ImportCertificateCommand({
      Certificate: Buffer.from(acm.certPem),
      PrivateKey: Buffer.from(acm.keyPem),
    }),
  );
  const arn = cert.CertificateArn ?? '';
  await replaceClassicListener(clients, world.lbs.classicName, API_PORT, {
    protocol: 'SSL',
    certificateArn: arn,
  });
  s.standIns.mode = 'terminate-with-acm';
  await step(s, 'someone swaps the node-facing listener to SSL with the ACM certificate', () =>
    s.verifier(loadBalancerChangeEvent('CreateLoadBalancerListeners'), CONTEXT),
  );
  await step(s, 'scheduled verification', () => s.verifier({ action: 'verify' }, CONTEXT));
  s.timeline.expect(
    'the verifier names the TLS-terminating listener and its certificate',
    fired(s, 'LISTENER_TERMINATES_TLS').some((a) => a.finding.actual.includes(arn)),
  );
  // the handshakes through the swapped load balancer and through the API name fail the way kubelet
  // would; they follow from the listener, so they travel with its alert instead of alerting alone
  const listener = fired(s, 'LISTENER_TERMINATES_TLS')[0];
  const through = (prefix: string) =>
    listener?.consequences?.some(
      (c) => c.code === 'TLS_UNTRUSTED_ISSUER' && c.resource.startsWith(prefix),
    ) === true;
  s.timeline.expect(
    'the listener alert lists the untrusted handshakes through the load balancer and the API name',
    through('elb/') && through('dns/'),
    listener?.consequences?.map((c) => `${c.code} ${c.resource}`).join(', '),
  );
  s.timeline.expect(
    'no alert of its own for a handshake that follows from the listener',
    fired(s, 'TLS_UNTRUSTED_ISSUER').length === 0,
  );
  return mark;
}

async function undo(s: Stage, reportOnly: boolean, mark: SwapMark): Promise<void> {
  const { clients, world } = s;
  s.timeline.expect(
    "the spec warning held through kops' detach: the spec is still wrong until the operator fixes it",
    fired(s, 'KOPS_LB_NOT_IN_SPEC', 'resolve').length === 0,
  );
  await replaceClassicListener(clients, world.lbs.classicName, API_PORT, { protocol: 'TCP' });
  s.standIns.mode = 'pass-through';
  // and lists the load balancers in the instance group spec again, as the warning said
  await writeSpecs(s);
  if (reportOnly) {
    const g = world.groups[0] ?? '';
    await clients.autoscaling.send(
      new AttachLoadBalancersCommand({ AutoScalingGroupName: g, LoadBalancerNames: [world.lbs.classicName] }),
    );
    await clients.autoscaling.send(
      new AttachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: g,
        TargetGroupARNs: [world.lbs.targetGroupArn],
      }),
    );
    await settleClassicElb(clients, world.groups, world.lbs.classicName);
  }
  const what = reportOnly
    ? 'the operator restores the TCP listener and the instance group spec, and re-attaches the load balancers'
    : 'the operator restores the TCP listener and the instance group spec';
  for (let i = 1; i <= s.world.config.alerts.resolveAfterPasses; i++) {
    await step(s, i === 1 ? what : `scheduled verification #${i}`, () =>
      s.verifier({ action: 'verify' }, CONTEXT),
    );
  }
  const firing = new Set(s.alerts.filter((a) => a.kind === 'fire').map((a) => a.alertKey));
  const resolved = new Set(s.alerts.filter((a) => a.kind === 'resolve').map((a) => a.alertKey));
  s.timeline.expect(
    'every alert that fired was resolved once',
    [...firing].every((k) => resolved.has(k)) && resolved.size === firing.size,
    `${firing.size} fired, ${resolved.size} resolved`,
  );
  const dup = s.alerts.filter((a) => a.kind === 'fire').length !== firing.size;
  s.timeline.expect('no alert fired twice', !dup);
  // alerts that fired before the swap (the report-only detachment) resolve meanwhile: not the swap's
  const before = new Set(s.alerts.slice(0, mark.alerts).map((a) => a.alertKey));
  const swap = s.alerts.slice(mark.alerts).filter((a) => !before.has(a.alertKey));
  const key = swap[0]?.alertKey ?? '';
  s.timeline.expect(
    'the listener swap is one alert: fired once and resolved once',
    swap.length === 2 &&
      swap[0]?.kind === 'fire' &&
      swap[1]?.kind === 'resolve' &&
      swap.every((a) => a.code === 'LISTENER_TERMINATES_TLS' && a.alertKey === key),
    swap.map((a) => `${a.kind} ${a.code} ${a.resource}`).join(', '),
  );
  const posts = s.slack
    .slice(mark.slack)
    .map((p) => JSON.stringify(p))
    .filter((p) => ![...before].some((k) => p.includes(k)));
  s.timeline.expect(
    'the listener swap is two Slack messages, both about its alert',
    posts.length === 2 && key !== '' && posts.every((p) => p.includes(key)),
    `${posts.length} Slack posts`,
  );
}

/** Plays a kops upgrade against a local AWS and local TLS servers, through the real handlers. */
export async function rehearse(opts: RehearsalOptions): Promise<RehearsalResult> {
  const moto = opts.moto ?? (await startMoto());
  if (opts.moto) {
    await opts.moto.reset();
    useMoto(opts.moto.endpoint);
  }
  const slack = await startSlackStandIn();
  const clients = createAwsClients();
  const timeline = new Timeline();
  const closers: (() => Promise<void>)[] = [() => slack.close(), ...(opts.moto ? [] : [() => moto.stop()])];
  try {
    const kopsCa = await createCa('kubernetes-ca');
    const serving = await issueServerCert(kopsCa, {
      dns: [
        `api.internal.${CLUSTER}`,
        `api.${CLUSTER}`,
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
      ],
      ips: ['127.0.0.1'],
    });
    const acmCa = await createCa('Amazon RSA 2048 M03');
    const acmLike = await issueServerCert(acmCa, {
      commonName: `api.${CLUSTER}`,
      dns: [`api.${CLUSTER}`, `*.${CLUSTER}`],
    });
    const alerting = await createLocalAlerting(clients, { slackUrl: slack.url });
    const parameterName = `/kops-api-sentinel/${CLUSTER}/ca-bundle`;
    const world = await buildWorld(clients, {
      controlPlaneGroups: opts.groups,
      mode: opts.reportOnly ? 'report-only' : 'repair',
      clusterConfig: {
        ca: { source: 'ssm', parameterName },
        tls: { timeoutSeconds: 2 },
        kops: { stateStore: `s3://${STATE_STORE.bucket}/${STATE_STORE.prefix}` },
      },
      sentinelConfig: { verifier: { followUpDelaySeconds: 0 } },
    });
    const cluster = world.config.clusters[0];
    if (!cluster) throw new Error('the rehearsal world has no cluster');
    await importCaBundle({
      cluster,
      clients,
      keysetText: keysetYaml({ keys: [{ id: '1', ca: kopsCa }] }),
      keysetSource: 'rehearsal keyset',
    });
    const standIns = new StandIns(clients, serving, acmLike);
    closers.unshift(() => standIns.close());
    await standIns.start(world.lbs.classicName, world.lbs.nlbArn);
    await standIns.sync(world.groups);
    const runtime = () => ({
      config: world.config,
      clients,
      connectTo: standIns.rules(API_PORT, cluster.api.hostname),
    });
    const env = alerting.env;
    const s: Stage = {
      clients,
      world,
      standIns,
      alerting,
      registrar: createRegistrar(runtime, env) as Handler,
      verifier: createVerifier(runtime, env) as Handler,
      notifier: createNotifier({
        secrets: clients.secrets,
        secretName: alerting.secretName,
        webhook: { timeoutMs: 2000 },
        // the stand-in is plain http on 127.0.0.1; a deployed notifier never takes this option
        allowInsecureLocalSlack: true,
      }) as Handler,
      timeline,
      alerts: [],
      acmLike,
      slack: slack.received,
    };
    await createStateStoreBucket(clients.s3, STATE_STORE.bucket);
    await writeSpecs(s);
    const first = (await step(
      s,
      `a kops cluster with ${world.groups.length} control-plane group(s) and an internal load balancer`,
      () => s.verifier({ action: 'verify' }, CONTEXT),
    )) as RunSummary;
    timeline.expect('the cluster starts in sync', first.inSync === true, first.drift?.join('; '));
    await rollingUpdate(s);
    await removeFromSpec(s);
    await detachByKopsUpdate(s, opts.reportOnly);
    const mark = await swapListenerToAcm(s);
    await undo(s, opts.reportOnly, mark);
    const last = (await step(s, 'final verification', () =>
      s.verifier({ action: 'verify' }, CONTEXT),
    )) as RunSummary;
    timeline.expect('the cluster ends in sync', last.inSync === true, last.drift?.join('; '));
    timeline.expect(
      'every alert reached Slack',
      slack.received.length === s.alerts.length,
      `${slack.received.length} Slack posts for ${s.alerts.length} alerts`,
    );
    return { ok: timeline.ok, timeline, slack: slack.received, alerts: s.alerts };
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
}
