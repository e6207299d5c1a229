import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { AttachLoadBalancersCommand } from '@aws-sdk/client-auto-scaling';
import { ConfigureHealthCheckCommand } from '@aws-sdk/client-elastic-load-balancing';
import { clientConfig } from '../../functions/core/aws/client-config.ts';
import { assumeAccount } from '../accounts.ts';
import { detachEvent } from '../events.ts';
import type { FleetMember } from '../fleet.ts';
import { detachAsKopsUpdateWould, replaceClassicListener } from '../kops-account.ts';
import { settleClassicElb } from '../world.ts';
import type { ServingCert, StandIns } from './stand-ins.ts';

/** What the fleet rehearsal breaks in one member, how the operator fixes it, and the alert it must raise. */
export interface Cause {
  /** The finding code of the one alert this cause raises. */
  code: string;
  /** The timeline's words for the break and the fix. */
  breaks: string;
  fixes: string;
  /** The registrar's event, when the break is one AWS reports (the verifier's scheduled runs follow). */
  event?: (m: FleetMember) => unknown;
  break(m: FleetMember, standIns: StandIns, acmLike: ServingCert): Promise<void>;
  fix(m: FleetMember, standIns: StandIns): Promise<void>;
}

const API_PORT = 443;

/** Imports the ACM-like certificate into the member's own account, as someone there would. */
async function importAcm(m: FleetMember, cert: ServingCert): Promise<string> {
  const acm = new ACMClient({
    ...clientConfig(),
    region: m.plan.region,
    credentials: await assumeAccount(m.plan.account),
  });
  const res = await acm.send(
    new ImportCertificateCommand({
      Certificate: Buffer.from(cert.certPem),
      PrivateKey: Buffer.from(cert.keyPem),
    }),
  );
  return res.CertificateArn ?? '';
}

/** Someone swaps the node-facing listener to SSL with an ACM certificate: kubelets see the wrong issuer. */
const listenerSwap: Cause = {
  code: 'LISTENER_TERMINATES_TLS',
  breaks: 'someone swaps the internal listener to SSL with an ACM certificate',
  fixes: 'the operator restores the TCP listener',
  async break(m, standIns, acmLike) {
    const arn = await importAcm(m, acmLike);
    await replaceClassicListener(m.clients, m.world.lbs.classicName, API_PORT, {
      protocol: 'SSL',
      certificateArn: arn,
    });
    standIns.mode = 'terminate-with-acm';
  },
  async fix(m, standIns) {
    await replaceClassicListener(m.clients, m.world.lbs.classicName, API_PORT, { protocol: 'TCP' });
    standIns.mode = 'pass-through';
  },
};

/** `kops update cluster` detaches the classic load balancer from a control-plane group (report-only: not repaired). */
const kopsDetach: Cause = {
  code: 'LB_NOT_ATTACHED',
  breaks: 'kops update cluster detaches the internal load balancer (report-only)',
  fixes: 'the operator re-attaches the internal load balancer',
  // CloudTrail's record of the detachment, from the member's own account and region
  event: (m) => ({
    ...detachEvent(m.world.groups[0] ?? '', [m.world.lbs.classicName]),
    account: m.plan.account,
    region: m.plan.region,
  }),
  async break(m) {
    await detachAsKopsUpdateWould(m.clients, m.world.groups[0] ?? '', { classic: [m.world.lbs.classicName] });
  },
  async fix(m) {
    await m.clients.autoscaling.send(
      new AttachLoadBalancersCommand({
        AutoScalingGroupName: m.world.groups[0] ?? '',
        LoadBalancerNames: [m.world.lbs.classicName],
      }),
    );
    await settleClassicElb(m.clients, m.world.groups, m.world.lbs.classicName);
  },
};

/** The classic load balancer's health check with another target (kops builds SSL:443, 10 s, 5 s, 2/2). */
function healthCheckOn(m: FleetMember, target: string): Promise<unknown> {
  return m.clients.elb.send(
    new ConfigureHealthCheckCommand({
      LoadBalancerName: m.world.lbs.classicName,
      HealthCheck: { Target: target, Interval: 10, Timeout: 5, HealthyThreshold: 2, UnhealthyThreshold: 2 },
    }),
  );
}

/** Someone points the classic load balancer's health check at SSH: a dead API server would look healthy. */
const healthCheck: Cause = {
  code: 'HEALTH_CHECK_MISMATCH',
  breaks: 'someone points the health check at TCP:22',
  fixes: 'the operator restores the health check',
  async break(m) {
    await healthCheckOn(m, 'TCP:22');
  },
  async fix(m) {
    await healthCheckOn(m, `SSL:${API_PORT}`);
  },
};

/** One cause per member, in member order: each member breaks differently. */
export const CAUSES: readonly Cause[] = [listenerSwap, kopsDetach, healthCheck];
