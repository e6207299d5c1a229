import type { ClusterConfig } from '../config/schema.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import type { LbState } from '../observe/lb-state.ts';

/** Turns what was read about the load balancers into findings: listeners, health checks, instance health. */
export function lbFindings(cluster: ClusterConfig, facts: readonly LbState[]): Finding[] {
  const out: Finding[] = [];
  const c = cluster.name;
  const port = cluster.api.port;
  for (const lb of facts) {
    if (!lb.exists) continue; // LOAD_BALANCER_NOT_FOUND comes from the registration check
    if (lb.frontends.length === 0) {
      out.push(
        finding('LISTENER_MISSING', {
          cluster: c,
          resource: lb.label,
          expected: `a load balancer forwarding TCP:${port} to ${lb.label}`,
          actual: 'the target group is not used by any load balancer',
          message: `${lb.label} is not behind any load balancer: nodes cannot reach it`,
        }),
      );
    }
    for (const fe of lb.frontends) {
      const j = fe.listener;
      const resource = lb.frontends.length > 1 ? `${lb.label}:${fe.name}` : lb.label;
      const expected = `TCP:${port} passed straight through to the instances' port ${cluster.api.instancePort}`;
      const message =
        j.code === 'LISTENER_OK'
          ? `${fe.name} passes TCP:${port} through`
          : j.code === 'LISTENER_TERMINATES_TLS'
            ? `${fe.name} terminates TLS on port ${port} with ${j.certificateArn ?? 'a certificate'}: kubelet will see a certificate the kops CA did not sign`
            : `${fe.name}: ${j.actual}`;
      out.push(
        finding(j.code, {
          cluster: c,
          resource,
          expected,
          actual: j.actual,
          message,
          details: {
            dnsName: fe.dnsName,
            ...(j.code === 'LISTENER_TERMINATES_TLS' ? { certificateArn: j.certificateArn ?? null } : {}),
          },
        }),
      );
    }
    if (lb.healthCheck) {
      const h = lb.healthCheck;
      out.push(
        finding(h.ok ? 'HEALTH_CHECK_OK' : 'HEALTH_CHECK_MISMATCH', {
          cluster: c,
          resource: lb.label,
          expected: h.expected,
          actual: h.actual,
          message: h.ok
            ? `${lb.label} health check as expected`
            : `${lb.label} health check differs: ${h.differences.join(', ')}`,
        }),
      );
    }
    for (const i of lb.instances) {
      out.push(
        finding(i.healthy ? 'INSTANCE_HEALTHY' : 'INSTANCE_UNHEALTHY', {
          cluster: c,
          resource: `${lb.label}:${i.instanceId}`,
          expected: 'healthy',
          actual: i.reason ? `${i.state} (${i.reason})` : i.state,
          message: `${i.instanceId} is ${i.state} on ${lb.label}${i.reason ? `: ${i.reason}` : ''}`,
        }),
      );
    }
  }
  return out;
}
