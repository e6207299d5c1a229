import type { LoadBalancerRef, RegistrationState } from '../lb/port.ts';
import type { HealthCheckJudgment, ListenerJudgment } from '../verify/expectations.ts';

export interface InstanceHealth {
  instanceId: string;
  /** Target groups: the port the target is registered on. */
  port?: number;
  healthy: boolean;
  state: string;
  reason: string;
}

export interface Frontend {
  name: string;
  dnsName: string;
  listener: ListenerJudgment;
}

/**
 * One configured load balancer as observed: whether it exists and what is registered on it
 * (instance → ports, draining targets excluded), and, when health was asked for (the verifier),
 * each registration's health, the frontends nodes dial and the health check.
 */
export interface LbState extends RegistrationState {
  /** Health per registered target (empty unless read with `health`). */
  instances: InstanceHealth[];
  /** The load balancers' DNS names with their listener judgment (empty unless read with `health`). */
  frontends: Frontend[];
  healthCheck?: HealthCheckJudgment;
}

export interface ReadOptions {
  /** Also read health, listeners and health checks (the verifier's extra observation). */
  health?: boolean;
}

/** A configured load balancer that does not exist (or is not read yet): nothing registered. */
export function absent(a: { ref: LoadBalancerRef; label: string }): LbState {
  return {
    ref: a.ref,
    label: a.label,
    exists: false,
    instanceIds: new Set(),
    ...(a.ref.kind === 'target-group' ? { ports: new Map() } : {}),
    instances: [],
    frontends: [],
  };
}
