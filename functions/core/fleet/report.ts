import type { FindingsReportedDetail } from '../alerts/events.ts';
import { DETAIL_TYPES, EVENT_SOURCE } from '../alerts/events.ts';
import type { RunSource } from '../alerts/messages.ts';
import { byCluster } from '../alerts/work.ts';
import { type Finding, isDrift, SEVERITY_RANK, type Verdict } from '../findings/finding.ts';
import { truncate } from '../text.ts';

/** EventBridge takes at most 256 KB per entry (detail, source, detail type, resources, time). */
export const EVENT_ENTRY_MAX_BYTES = 256 * 1024;
/** What a report's detail may take: the entry limit less its source, detail type and time. */
export const REPORT_MAX_BYTES =
  EVENT_ENTRY_MAX_BYTES - Buffer.byteLength(EVENT_SOURCE + DETAIL_TYPES.findingsReported) - 64;
/** The longest free text (expected, actual, message) a report carries; the hub refuses longer. */
export const REPORT_TEXT_MAX = 2000;
/** The free texts of a report cut to fit. */
export const REPORT_TEXT_CUT = 200;
/** The longest resource and code a report carries (a resource is an alert's identity: never cut). */
export const REPORT_RESOURCE_MAX = 1024;
/** The most findings one report carries (the hub refuses more). */
export const REPORT_FINDINGS_MAX = 5000;

/** The bytes a report's detail takes on the wire. */
export function reportBytes(detail: FindingsReportedDetail): number {
  return Buffer.byteLength(JSON.stringify(detail));
}

const clip = (f: Finding, max: number): Finding => ({
  ...f,
  expected: truncate(f.expected, max),
  actual: truncate(f.actual, max),
  message: truncate(f.message, max),
});

/** The longest detail value a cut report keeps (a group name, a certificate fingerprint). */
const KEPT_DETAIL_MAX = 256;
const short = (v: unknown): v is string => typeof v === 'string' && v.length <= KEPT_DETAIL_MAX;

/**
 * The details the hub's alert grouping reads (functions/core/alerts/causes.ts): `group` and
 * `certificate.fingerprint256`. A cut report keeps these and drops the rest, so it groups as the
 * uncut one.
 */
function groupingDetails(details: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept: Record<string, unknown> = {};
  if (short(details.group)) kept.group = details.group;
  const cert = details.certificate;
  const fp = cert && typeof cert === 'object' ? (cert as Record<string, unknown>).fingerprint256 : undefined;
  if (short(fp)) kept.certificate = { fingerprint256: fp };
  return Object.keys(kept).length > 0 ? kept : undefined;
}

function withoutDetails(f: Finding): Finding {
  const { details, ...rest } = f;
  const kept = details ? groupingDetails(details) : undefined;
  return kept ? { ...rest, details: kept } : rest;
}

const tooLong = (f: Finding): boolean =>
  [f.expected, f.actual, f.message].some((t) => t.length > REPORT_TEXT_MAX);

const scopeOf = (f: Finding): string => `${f.check}#${f.resource}`;

/**
 * Cuts a report until it fits one event (and the hub's count of findings), in this order: the findings' details
 * (but for those alert grouping reads); their texts; the
 * passing findings (the report then lists no complete check); then whole (check, resource) scopes,
 * least severe first, so a scope the report still names carries every drifting finding the run
 * saw of it. Each cut marks the report `truncated`. A stored alert is resolved only by a scope the
 * report names or a complete check it lists, so nothing cut can resolve an alert.
 */
export function boundReport(
  detail: FindingsReportedDetail,
  limits: { maxBytes?: number; maxFindings?: number } = {},
): FindingsReportedDetail {
  const maxBytes = limits.maxBytes ?? REPORT_MAX_BYTES;
  const maxFindings = limits.maxFindings ?? REPORT_FINDINGS_MAX;
  const fits = (d: FindingsReportedDetail) => d.findings.length <= maxFindings && reportBytes(d) <= maxBytes;
  if (fits(detail)) return detail;
  let cut: FindingsReportedDetail = {
    ...detail,
    truncated: true,
    findings: detail.findings.map(withoutDetails),
  };
  if (fits(cut)) return cut;
  cut = { ...cut, findings: cut.findings.map((f) => clip(f, REPORT_TEXT_CUT)) };
  if (fits(cut)) return cut;
  cut = { ...cut, complete: [], findings: cut.findings.filter((f) => f.severity !== 'ok') };
  if (fits(cut)) return cut;
  return dropScopes(cut, fits);
}

/** Drops whole scopes, the least severe (then the last listed) first, until the report fits. */
function dropScopes(
  detail: FindingsReportedDetail,
  fits: (d: FindingsReportedDetail) => boolean,
): FindingsReportedDetail {
  const worst = new Map<string, number>();
  for (const f of detail.findings) {
    const rank = isDrift(f) ? SEVERITY_RANK[f.severity] : 0;
    worst.set(scopeOf(f), Math.max(worst.get(scopeOf(f)) ?? 0, rank));
  }
  // most severe first, then in the run's order: the tail is what goes
  const order = [...worst.keys()].sort((a, b) => (worst.get(b) ?? 0) - (worst.get(a) ?? 0));
  let lo = 0;
  let hi = order.length;
  // the most scopes that fit (the size grows with the scopes kept): a binary search, log2(n) encodings
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(keepScopes(detail, order.slice(0, mid)))) lo = mid;
    else hi = mid - 1;
  }
  return keepScopes(detail, order.slice(0, lo));
}

function keepScopes(detail: FindingsReportedDetail, scopes: string[]): FindingsReportedDetail {
  const keep = new Set(scopes);
  return { ...detail, findings: detail.findings.filter((f) => keep.has(scopeOf(f))) };
}

/**
 * One `Findings Reported` detail per cluster of a run (what a fleet member puts on its report
 * bus), each bounded to one event. Texts longer than the hub reads are cut first (`truncated`).
 */
export function findingsReports(
  source: RunSource,
  verdicts: readonly Verdict[],
  options: { now: Date; verification?: boolean },
): FindingsReportedDetail[] {
  const out: FindingsReportedDetail[] = [];
  for (const [cluster, { findings, complete }] of byCluster(verdicts)) {
    const clipped = findings.map((f) => clip(f, REPORT_TEXT_MAX));
    const detail: FindingsReportedDetail = {
      version: '1',
      cluster,
      source,
      time: options.now.toISOString(),
      verification: options.verification === true,
      complete: [...complete] as FindingsReportedDetail['complete'],
      truncated: findings.some(tooLong),
      findings: clipped,
    };
    out.push(boundReport(detail));
  }
  return out;
}

/** The verdict a report stands for, as the hub hands it to the alert policy. */
export function reportVerdict(detail: FindingsReportedDetail): Verdict {
  const verdict: Verdict = {
    cluster: detail.cluster,
    inSync: !detail.findings.some(isDrift),
    findings: detail.findings,
  };
  if (!detail.truncated && detail.complete.length > 0) verdict.complete = [...detail.complete];
  return verdict;
}
