import type { HealthCheck, ListenerDescription } from '@aws-sdk/client-elastic-load-balancing';
import type { Listener, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ClassicHealthCheck, TargetGroupHealthCheck } from '../config/schema.ts';

/**
 * Pure judgments of load-balancer configuration against what nodes need: a listener on the API
 * port that passes TCP straight through, and the health check kops builds (or the configured one).
 */
export type ListenerJudgment =
  | { code: 'LISTENER_OK'; actual: string }
  | { code: 'LISTENER_MISSING'; actual: string }
  | { code: 'LISTENER_TERMINATES_TLS'; actual: string; certificateArn?: string }
  | { code: 'LISTENER_WRONG_TARGET'; actual: string };

const TLS_PROTOCOLS = new Set(['SSL', 'HTTPS', 'TLS']);

export function judgeClassicListener(
  listeners: readonly ListenerDescription[],
  port: number,
  instancePort: number,
): ListenerJudgment {
  const l = listeners.map((d) => d.Listener).find((x) => x?.LoadBalancerPort === port);
  if (!l) {
    const ports =
      listeners.map((d) => `${d.Listener?.Protocol}:${d.Listener?.LoadBalancerPort}`).join(', ') || 'none';
    return { code: 'LISTENER_MISSING', actual: `no listener on port ${port} (listeners: ${ports})` };
  }
  const shape = `${l.Protocol}:${l.LoadBalancerPort} -> ${l.InstanceProtocol}:${l.InstancePort}`;
  if (TLS_PROTOCOLS.has((l.Protocol ?? '').toUpperCase())) {
    return {
      code: 'LISTENER_TERMINATES_TLS',
      actual: `${shape} with certificate ${l.SSLCertificateId ?? '(none named)'}`,
      ...(l.SSLCertificateId ? { certificateArn: l.SSLCertificateId } : {}),
    };
  }
  if (
    (l.Protocol ?? '').toUpperCase() !== 'TCP' ||
    (l.InstanceProtocol ?? '').toUpperCase() !== 'TCP' ||
    l.InstancePort !== instancePort
  ) {
    return { code: 'LISTENER_WRONG_TARGET', actual: shape };
  }
  return { code: 'LISTENER_OK', actual: shape };
}

function forwardsTo(listener: Listener, targetGroupArn: string): boolean {
  return (listener.DefaultActions ?? []).some(
    (a) =>
      a.Type === 'forward' &&
      (a.TargetGroupArn === targetGroupArn ||
        (a.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn === targetGroupArn)),
  );
}

export function judgeNlbListener(
  listeners: readonly Listener[],
  port: number,
  targetGroupArn: string,
): ListenerJudgment {
  const l = listeners.find((x) => x.Port === port);
  if (!l) {
    const ports = listeners.map((x) => `${x.Protocol}:${x.Port}`).join(', ') || 'none';
    return { code: 'LISTENER_MISSING', actual: `no listener on port ${port} (listeners: ${ports})` };
  }
  const cert = l.Certificates?.[0]?.CertificateArn;
  if (TLS_PROTOCOLS.has((l.Protocol ?? '').toUpperCase())) {
    return {
      code: 'LISTENER_TERMINATES_TLS',
      actual: `${l.Protocol}:${l.Port} with certificate ${cert ?? '(none named)'}`,
      ...(cert ? { certificateArn: cert } : {}),
    };
  }
  if ((l.Protocol ?? '').toUpperCase() !== 'TCP' || !forwardsTo(l, targetGroupArn)) {
    const to = (l.DefaultActions ?? []).map((a) => `${a.Type} ${a.TargetGroupArn ?? ''}`.trim()).join(', ');
    return { code: 'LISTENER_WRONG_TARGET', actual: `${l.Protocol}:${l.Port} -> ${to || 'nothing'}` };
  }
  return { code: 'LISTENER_OK', actual: `${l.Protocol}:${l.Port} -> forward to the target group` };
}

export interface HealthCheckJudgment {
  ok: boolean;
  expected: string;
  actual: string;
  differences: string[];
}

function compare(fields: [string, unknown, unknown][]): HealthCheckJudgment {
  const differences = fields
    .filter(([, want, got]) => String(want) !== String(got))
    .map(([name, want, got]) => `${name} ${String(got ?? 'unset')} (expected ${String(want)})`);
  const render = (i: 1 | 2) => fields.map((f) => `${f[0]}=${String(f[i] ?? 'unset')}`).join(' ');
  return { ok: differences.length === 0, expected: render(1), actual: render(2), differences };
}

export function judgeClassicHealthCheck(
  actual: HealthCheck | undefined,
  want: ClassicHealthCheck,
): HealthCheckJudgment {
  return compare([
    ['target', want.target, actual?.Target],
    ['interval', want.interval, actual?.Interval],
    ['timeout', want.timeout, actual?.Timeout],
    ['healthyThreshold', want.healthyThreshold, actual?.HealthyThreshold],
    ['unhealthyThreshold', want.unhealthyThreshold, actual?.UnhealthyThreshold],
  ]);
}

export function judgeTargetGroupHealthCheck(
  tg: TargetGroup,
  want: TargetGroupHealthCheck,
): HealthCheckJudgment {
  const fields: [string, unknown, unknown][] = [
    ['protocol', want.protocol, tg.HealthCheckProtocol],
    ['port', want.port, tg.HealthCheckPort],
    ['interval', want.interval, tg.HealthCheckIntervalSeconds],
    ['healthyThreshold', want.healthyThreshold, tg.HealthyThresholdCount],
    ['unhealthyThreshold', want.unhealthyThreshold, tg.UnhealthyThresholdCount],
  ];
  if (want.path) fields.push(['path', want.path, tg.HealthCheckPath]);
  return compare(fields);
}
