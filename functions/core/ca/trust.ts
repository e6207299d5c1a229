import type { CaBundle } from './bundle.ts';

/**
 * What the nodes trust. A source with one bundle for the whole cluster (ssm, inline) gives one
 * unnamed entry; the state-store source gives one entry per node group, read from that group's
 * nodeup config (`CAs["kubernetes-ca"]`, what kubelet's kubeconfig carries), because node groups
 * can briefly trust different bundles while a CA rotation rolls out.
 */
export interface GroupTrust {
  /** The kops instance group; absent when the bundle is the whole cluster's. */
  readonly group?: string;
  readonly bundle: CaBundle;
}

export interface CaTrust {
  /** Where the trust came from, e.g. `ssm:/kops/ca`, `s3://bucket/<cluster>/igconfig/node/`. */
  readonly source: string;
  /** At least one; node groups sorted by name. */
  readonly groups: readonly GroupTrust[];
}

/** One bundle trusted by the whole cluster. */
export function clusterTrust(bundle: CaBundle): CaTrust {
  return { source: bundle.source, groups: [{ bundle }] };
}

export function isCaTrust(value: CaTrust | CaBundle): value is CaTrust {
  return 'groups' in value;
}

/** Every distinct certificate fingerprint over all groups, in first-seen order. */
export function trustedFingerprints(trust: CaTrust): string[] {
  return [...new Set(trust.groups.flatMap((g) => g.bundle.fingerprints))];
}

/** Every distinct subject over all groups, in first-seen order. */
export function trustedSubjects(trust: CaTrust): string[] {
  return [...new Set(trust.groups.flatMap((g) => g.bundle.subjects))];
}

/**
 * A verdict on the one presented chain, per node group. `accepted` says whether kubelet would
 * go on (a certificate expiring soon is accepted; every other failure is not).
 */
export interface GroupJudgement<C extends string> {
  group?: string;
  code: C;
  reason: string;
  accepted: boolean;
}

export interface CombinedJudgement<C extends string> {
  code: C;
  reason: string;
  /** Node groups that would reject the chain, with their own verdict; empty when all accept. */
  rejectedBy: { group: string; code: C; reason: string }[];
  /** Node groups that accept the chain. */
  acceptedBy: string[];
}

const label = (j: { group?: string }): string => j.group ?? 'the cluster';

/**
 * One verdict from N: all accept → the first accepting verdict that is not plain OK (a warning
 * such as "expires soon"), else the first; some reject → the first rejecting group's code, with a
 * reason naming every group that would reject and the groups that accept. Unnamed (cluster-wide)
 * trust keeps its verdict's reason unchanged.
 */
export function combineJudgements<C extends string>(
  judgements: readonly GroupJudgement<C>[],
  okCode: C,
): CombinedJudgement<C> {
  const [first] = judgements;
  if (!first) throw new Error('combineJudgements: no judgement');
  const rejecting = judgements.filter((j) => !j.accepted);
  const accepting = judgements.filter((j) => j.accepted);
  const named = judgements.some((j) => j.group !== undefined);
  const rejectedBy = rejecting.map((j) => ({ group: label(j), code: j.code, reason: j.reason }));
  const acceptedBy = accepting.map(label);
  const [worst] = rejecting;
  if (!worst) {
    const pick = accepting.find((j) => j.code !== okCode) ?? first;
    return { code: pick.code, reason: pick.reason, rejectedBy, acceptedBy };
  }
  if (!named) return { code: worst.code, reason: worst.reason, rejectedBy, acceptedBy };
  const groups = rejectedBy.map((r) => r.group);
  const others = rejecting.slice(1).filter((j) => j.code !== worst.code || j.reason !== worst.reason);
  const reason =
    `node group${groups.length > 1 ? 's' : ''} ${groups.join(', ')} would reject it: ${worst.reason}` +
    others.map((j) => `; ${label(j)}: ${j.reason}`).join('') +
    (acceptedBy.length
      ? ` (accepted by ${acceptedBy.join(', ')}: a CA rotation not yet rolled out to every group?)`
      : '');
  return { code: worst.code, reason, rejectedBy, acceptedBy };
}
