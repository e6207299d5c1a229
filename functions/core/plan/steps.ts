import type { FindingCode } from '../findings/codes.ts';
import type { Action } from '../findings/finding.ts';

/** A change the registrar may make, on a load balancer named by its label. */
export type Step =
  | { kind: 'attach'; lb: string; group: string }
  | { kind: 'register'; lb: string; ids: string[] }
  | { kind: 'deregister'; lb: string; ids: string[] }
  /**
   * Removes an instance's registrations on the given (wrong) ports. With `after`, it needs the
   * register step of that index to succeed first, and the ports are read again before removal.
   */
  | { kind: 'deregisterPorts'; lb: string; id: string; ports: number[]; after?: number };

/** How a drift finding is repaired: by a step of the plan, or not at all (`blocked` says why). */
export type Repair = { step: number; done: string } | { blocked: string; done: string };

/** A finding before anything is applied; a drift finding carries the step that would repair it. */
export interface Proposal {
  code: FindingCode;
  resource: string;
  expected: string;
  actual: string;
  /** The whole message, or, with `repair`, its first half (the outcome is appended). */
  message: string;
  /** A fixed action (`skipped` for what is never repaired); `none` when absent and nothing is repaired. */
  action?: Action;
  repair?: Repair;
  details?: Record<string, unknown>;
}

export interface Plan {
  steps: Step[];
  proposals: Proposal[];
  /**
   * Instances another group keeps on a configured load balancer (LB_SHARED_WITH_OTHER_GROUP): not
   * API backends of the cluster, so the verifier judges neither their health nor their TLS.
   */
  shared: Set<string>;
}
