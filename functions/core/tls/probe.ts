import type { X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CaBundle } from '../ca/bundle.ts';
import {
  type CaTrust,
  type CombinedJudgement,
  clusterTrust,
  combineJudgements,
  type GroupJudgement,
  isCaTrust,
} from '../ca/trust.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { CODES } from '../findings/codes.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { type CertificateFacts, certificateFacts } from './cert-facts.ts';
import { type ConnectTo, hostPort, resolveConnectTo } from './connect-to.ts';
import { type HandshakeFailureCode, handshake } from './handshake.ts';
import { type ChainCode, type VerifyChainInput, verifyServerChain } from './verify-chain.ts';

export { type ConnectTo, parseConnectTo } from './connect-to.ts';

/** One endpoint to check from where kubelet stands. */
export interface ProbeTarget {
  /** The resource findings name: `dns/<api name>`, `elb/<name>`, `targetgroup/<name>/<id>`, an instance id. */
  resource: string;
  host: string;
  port: number;
  /** The node-facing API hostname: sent as SNI and checked against the certificate. */
  servername: string;
  /** When `host` is one address of a DNS name: that name. */
  name?: string;
  /** The availability zone `host` sits in (or `unknown zone`), when it is one address of a name. */
  zone?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** The time certificates are judged at; default: when the handshake completes. */
  now?: Date;
  expiryWarningDays: number;
  /** The Go release whose x509 rules apply (`tls.goVersionRules`); default: current. */
  goVersionRules?: string;
  connectTo?: readonly ConnectTo[];
  /** Name resolution; defaults to the system resolver. */
  lookup?: LookupFunction;
}

export type ProbeCode = ChainCode | HandshakeFailureCode;

export interface ProbeResult {
  resource: string;
  host: string;
  port: number;
  servername: string;
  /** The DNS name `host` is an address of (see ProbeTarget). */
  name?: string;
  /** The availability zone of `host` (see ProbeTarget). */
  zone?: string;
  /** `host:port` actually connected to, when a --connect-to rule redirected it. */
  connectedTo?: string;
  code: ProbeCode;
  reason: string;
  durationMs: number;
  tlsVersion?: string;
  /** The presented leaf, also (especially) when verification failed. */
  certificate?: CertificateFacts;
  /** Subjects of the presented chain, leaf first. */
  presentedChain?: string[];
  /**
   * Per node group (state-store trust only): the groups that would reject the presented chain,
   * each with its verdict, and the groups that accept it.
   */
  nodeGroups?: Pick<CombinedJudgement<ChainCode>, 'rejectedBy' | 'acceptedBy'>;
  /** `wire`: the chain as the server sent it; `linked`: only what Node could link (see handshake.ts). */
  chainSource?: 'wire' | 'linked';
}

/** What kubelet goes on with: a valid chain, also one that expires soon. */
const accepts = (code: ChainCode): boolean => code === 'TLS_OK' || code === 'TLS_CERT_EXPIRING';

/**
 * Judges one presented chain against each node group's bundle: one judgement per distinct
 * bundle (groups sharing a bundle share it), combined into one verdict naming the groups that
 * would reject the chain.
 */
export function judgeChain(
  presented: readonly X509Certificate[],
  trust: CaTrust,
  how: Omit<VerifyChainInput, 'presented' | 'trust'>,
): CombinedJudgement<ChainCode> {
  const byBundle = new Map<string, { code: ChainCode; reason: string }>();
  const judgements: GroupJudgement<ChainCode>[] = trust.groups.map((g) => {
    const key = g.bundle.fingerprints.join(' ');
    let verdict = byBundle.get(key);
    if (!verdict) {
      const { code, reason } = verifyServerChain({ ...how, presented, trust: g.bundle });
      verdict = { code, reason };
      byBundle.set(key, verdict);
    }
    return {
      ...(g.group !== undefined ? { group: g.group } : {}),
      ...verdict,
      accepted: accepts(verdict.code),
    };
  });
  return combineJudgements(judgements, 'TLS_OK');
}

/**
 * Handshakes with one endpoint once and judges what it presents, against each node group's
 * bundle when the trust is per group. Never rejects; every failure is a result.
 */
export async function probeTls(
  target: ProbeTarget,
  trustOrBundle: CaTrust | CaBundle,
  opts: ProbeOptions,
): Promise<ProbeResult> {
  const trust = isCaTrust(trustOrBundle) ? trustOrBundle : clusterTrust(trustOrBundle);
  const started = performance.now();
  const route = resolveConnectTo(target.host, target.port, opts.connectTo);
  const base: Pick<
    ProbeResult,
    'resource' | 'host' | 'port' | 'servername' | 'name' | 'zone' | 'connectedTo'
  > = {
    resource: target.resource,
    host: target.host,
    port: target.port,
    servername: target.servername,
    ...(target.name !== undefined ? { name: target.name } : {}),
    ...(target.zone !== undefined ? { zone: target.zone } : {}),
    ...(route.rule ? { connectedTo: hostPort(route.host, route.port) } : {}),
  };
  const outcome = await handshake({
    host: route.host,
    port: route.port,
    servername: target.servername,
    timeoutMs: opts.timeoutMs,
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
  });
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  if (!outcome.ok) return { ...base, code: outcome.code, reason: outcome.reason, durationMs };
  const verdict = judgeChain(outcome.chain, trust, {
    hostname: target.servername,
    now: opts.now ?? new Date(),
    expiryWarningDays: opts.expiryWarningDays,
    chainSource: outcome.chainSource,
    ...(outcome.certificateMessageBytes !== undefined
      ? { certificateMessageBytes: outcome.certificateMessageBytes }
      : {}),
    ...(opts.goVersionRules ? { goVersionRules: opts.goVersionRules } : {}),
  });
  const perGroup = trust.groups.some((g) => g.group !== undefined);
  const [leaf] = outcome.chain;
  return {
    ...base,
    code: verdict.code,
    reason: verdict.reason,
    durationMs,
    ...(outcome.tlsVersion ? { tlsVersion: outcome.tlsVersion } : {}),
    ...(leaf ? { certificate: certificateFacts(leaf) } : {}),
    presentedChain: outcome.chain.map((c) => certificateFacts(c).subject),
    ...(perGroup ? { nodeGroups: { rejectedBy: verdict.rejectedBy, acceptedBy: verdict.acceptedBy } } : {}),
    chainSource: outcome.chainSource,
  };
}

/** What runs a set of probes and answers their results in the targets' order. */
export type ProbeRunner = (
  targets: readonly ProbeTarget[],
  trust: CaTrust | CaBundle,
  opts: ProbeOptions,
) => Promise<ProbeResult[]>;

/** Probes every target at once; each is bounded by its own timeout, so the whole is bounded by the slowest. */
export const probeAll: ProbeRunner = (targets, trust, opts) =>
  Promise.all(targets.map((t) => probeTls(t, trust, opts)));

/** The finding for one probe: details carry the presented certificate and the TLS version. */
export function tlsFinding(cluster: Pick<ClusterConfig, 'name'>, result: ProbeResult): Finding {
  const endpoint = hostPort(result.host, result.port);
  const via = result.connectedTo ? ` via ${result.connectedTo}` : '';
  // one address of a name: where it sits, and the name nodes resolved it from
  const place =
    result.name !== undefined ? ` in ${result.zone ?? 'unknown zone'}, an address of ${result.name}` : '';
  return finding(result.code, {
    cluster: cluster.name,
    resource: result.resource,
    expected: `a TLS handshake on ${endpoint} presenting a certificate for ${result.servername} that chains to the cluster CA${result.nodeGroups ? ' as every node group trusts it' : ''}`,
    actual: result.reason,
    message: `${CODES[result.code].title}: ${result.resource} (${endpoint}${place}${via}, SNI ${result.servername}): ${result.reason}`,
    details: {
      endpoint,
      ...(result.name !== undefined
        ? { name: result.name, address: result.host, zone: result.zone ?? null }
        : {}),
      servername: result.servername,
      ...(result.connectedTo ? { connectedTo: result.connectedTo } : {}),
      durationMs: result.durationMs,
      tlsVersion: result.tlsVersion ?? null,
      certificate: result.certificate ?? null,
      ...(result.presentedChain ? { presentedChain: result.presentedChain } : {}),
      ...(result.nodeGroups ? { nodeGroups: result.nodeGroups } : {}),
      ...(result.chainSource ? { chainSource: result.chainSource } : {}),
    },
  });
}
