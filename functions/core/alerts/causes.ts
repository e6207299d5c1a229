import { INSTANCE_ID } from '../discovery/instance-id.ts';
import { withoutPlace } from '../findings/address-resource.ts';
import { type Finding, isDrift } from '../findings/finding.ts';

/**
 * One alert per cause: findings of one run that follow from another finding of the same run (the
 * root) travel with the root instead of opening alerts of their own. Pure, no I/O. The rules
 * (documented in docs/alert-grouping.md):
 *
 * 1. LISTENER_TERMINATES_TLS on a load balancer resource (`elb/<name>`, `targetgroup/<name>/<id>`,
 *    either with `:<frontend>`) is the root of every drifting TLS finding on that same resource (the
 *    handshake through that load balancer, also to one of its addresses: `<resource>@<address>`), and of a drifting TLS finding on `dns/<api name>` that
 *    presented the same certificate (same SHA-256 fingerprint) as such a handshake: the API name
 *    resolves to that load balancer.
 * 2. LB_NOT_ATTACHED on `<lb>:<group>` is the root of INSTANCE_NOT_REGISTERED on `<lb>:<instance>`
 *    for the instances of that group (`details.group`; an instance whose group is not known goes to
 *    the only detachment on that load balancer, if there is exactly one).
 * 3. An unreachable instance (TLS_UNREACHABLE, TLS_TIMEOUT or TLS_CONNECTION_REFUSED on the
 *    instance id) is the root of INSTANCE_UNHEALTHY on `<lb>:<instance>` for that instance.
 *
 * Only drifting findings group, a consequence has exactly one root, and a root is never itself a
 * consequence. Consequences are listed in the root's `details.consequences`.
 */
export interface Consequence {
  code: string;
  resource: string;
  message: string;
}

/** At most this many consequences are stored on a root (the count says how many there were). */
export const MAX_STORED_CONSEQUENCES = 50;

export interface GroupedFindings {
  /** The findings with consequences removed and roots carrying `details.consequences`. */
  findings: Finding[];
  /** The drifting findings that were folded into a root, with the root they went to. */
  consequences: { finding: Finding; root: Finding }[];
}

const UNREACHABLE = new Set(['TLS_UNREACHABLE', 'TLS_TIMEOUT', 'TLS_CONNECTION_REFUSED']);

function fingerprintOf(f: Finding): string | undefined {
  const cert = f.details?.certificate;
  if (!cert || typeof cert !== 'object') return undefined;
  const fp = (cert as Record<string, unknown>).fingerprint256;
  return typeof fp === 'string' && fp.length > 0 ? fp : undefined;
}

/** `<lb>:<rest>` → [`<lb>`, `<rest>`]; load-balancer labels themselves contain no `:`. */
function splitLast(resource: string): [string, string] | undefined {
  const i = resource.lastIndexOf(':');
  return i > 0 ? [resource.slice(0, i), resource.slice(i + 1)] : undefined;
}

/** The root each drifting finding of one run (one cluster) follows from, if any. */
export function rootsOf(findings: readonly Finding[]): Map<Finding, Finding> {
  const drift = findings.filter(isDrift);
  const roots = new Map<Finding, Finding>();
  const isRoot = new Set<Finding>();
  const assign = (consequence: Finding, root: Finding) => {
    if (consequence === root || roots.has(consequence) || isRoot.has(consequence) || roots.has(root)) return;
    roots.set(consequence, root);
    isRoot.add(root);
  };

  // rule 1: a TLS-terminating listener and the handshakes through it
  const terminating = new Map<string, Finding>();
  for (const f of drift) if (f.code === 'LISTENER_TERMINATES_TLS') terminating.set(f.resource, f);
  const tls = drift.filter((f) => f.check === 'tls');
  const rootByFingerprint = new Map<string, Finding>();
  for (const f of tls) {
    const root = terminating.get(withoutPlace(f.resource));
    if (!root) continue;
    assign(f, root);
    const fp = fingerprintOf(f);
    if (fp && !rootByFingerprint.has(fp)) rootByFingerprint.set(fp, root);
  }
  for (const f of tls) {
    if (!f.resource.startsWith('dns/')) continue;
    const fp = fingerprintOf(f);
    const root = fp ? rootByFingerprint.get(fp) : undefined;
    if (root) assign(f, root);
  }

  // rule 2: a detached load balancer and the registrations it implies
  const detached = drift.filter((f) => f.code === 'LB_NOT_ATTACHED');
  for (const f of drift) {
    if (f.code !== 'INSTANCE_NOT_REGISTERED') continue;
    const parts = splitLast(f.resource);
    if (!parts) continue;
    const [lb] = parts;
    const onLb = detached.filter((d) => splitLast(d.resource)?.[0] === lb);
    const group = typeof f.details?.group === 'string' ? f.details.group : undefined;
    const root = group
      ? onLb.find((d) => d.resource === `${lb}:${group}`)
      : onLb.length === 1
        ? onLb[0]
        : undefined;
    if (root) assign(f, root);
  }

  // rule 3: an unreachable instance and its health on the load balancers
  const unreachable = new Map<string, Finding>();
  for (const f of tls)
    if (UNREACHABLE.has(f.code) && INSTANCE_ID.test(f.resource)) unreachable.set(f.resource, f);
  for (const f of drift) {
    if (f.code !== 'INSTANCE_UNHEALTHY') continue;
    const id = splitLast(f.resource)?.[1];
    const root = id ? unreachable.get(id) : undefined;
    if (root) assign(f, root);
  }
  return roots;
}

/** Folds consequences into their roots: the root's `details.consequences` lists them. */
export function groupByCause(findings: readonly Finding[]): GroupedFindings {
  const roots = rootsOf(findings);
  if (roots.size === 0) return { findings: [...findings], consequences: [] };
  const byRoot = new Map<Finding, Finding[]>();
  for (const [consequence, root] of roots) byRoot.set(root, [...(byRoot.get(root) ?? []), consequence]);
  const out: Finding[] = [];
  for (const f of findings) {
    if (roots.has(f)) continue;
    const list = byRoot.get(f);
    if (!list) {
      out.push(f);
      continue;
    }
    const consequences: Consequence[] = list
      .slice(0, MAX_STORED_CONSEQUENCES)
      .map((c) => ({ code: c.code, resource: c.resource, message: c.message }));
    out.push({
      ...f,
      details: { ...f.details, consequences, consequenceCount: list.length },
    });
  }
  return {
    findings: out,
    consequences: [...roots].map(([finding, root]) => ({ finding, root })),
  };
}

/** The consequences a (root) finding carries, read defensively (records may come from older versions). */
export function consequencesOf(finding: Pick<Finding, 'details'>): { list: Consequence[]; total: number } {
  const raw = finding.details?.consequences;
  if (!Array.isArray(raw)) return { list: [], total: 0 };
  const list: Consequence[] = [];
  for (const c of raw) {
    if (!c || typeof c !== 'object') continue;
    const o = c as Record<string, unknown>;
    if (typeof o.code !== 'string' || typeof o.resource !== 'string') continue;
    list.push({
      code: o.code,
      resource: o.resource,
      message: typeof o.message === 'string' ? o.message : '',
    });
  }
  const count = finding.details?.consequenceCount;
  const total =
    typeof count === 'number' && Number.isFinite(count) && count >= list.length ? count : list.length;
  return { list, total };
}

/** How many consequences a chat message lists before "and N more". */
export const SHOWN_CONSEQUENCES = 10;

/**
 * The consequence lines a message shows, unescaped: the first `max` as `CODE on resource`, then
 * `and N more` when there were more.
 */
export function consequenceLines(
  consequences: { list: Consequence[]; total: number },
  max = SHOWN_CONSEQUENCES,
): string[] {
  const lines = consequences.list.slice(0, max).map((c) => `${c.code} on ${c.resource}`);
  const more = consequences.total - lines.length;
  if (more > 0) lines.push(`and ${more} more`);
  return lines;
}
