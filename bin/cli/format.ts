import { awsFaultKindOf, errorMessage, isSdkError } from '../../functions/core/aws/errors.ts';
import type { ClusterPlace } from '../../functions/core/config/select.ts';
import { type Finding, isDrift, type Verdict } from '../../functions/core/findings/finding.ts';
import type { CliIo } from './common.ts';
import type { Output } from './spec.ts';

/**
 * Exit codes shared by every command: 0 in sync, 1 drift remains, 2 bad input, 3 could not
 * evaluate (no credentials, an AWS call failed, the cluster CA unavailable). 3 wins over 1: a
 * picture with a hole in it is not a verdict, even when it shows drift elsewhere.
 */
export const EXIT = { inSync: 0, drift: 1, badInput: 2, couldNotEvaluate: 3 } as const;

/** Findings that say a check could not be made, not that something drifted. */
const NOT_EVALUATED = new Set([
  'AWS_CALL_FAILED',
  'CA_UNAVAILABLE',
  'CLI_CREDENTIALS_UNAVAILABLE',
  'CLI_ACCOUNT_MISMATCH',
]);

const MARK: Record<string, string> = { ok: 'ok', info: 'info', warning: 'WARN', critical: 'CRIT' };

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The resource column: a probe of one address of a name also shows the address's zone. */
export function resourceCell(f: Pick<Finding, 'resource' | 'details'>): string {
  const zone = f.details?.zone;
  return typeof zone === 'string' && zone !== '' ? `${f.resource} (${zone})` : f.resource;
}

/** A plain table: one row per finding; passing rows are folded into a count unless `all`. */
export function renderTable(verdicts: readonly Verdict[], opts: { all?: boolean } = {}): string {
  const lines: string[] = [];
  for (const v of verdicts) {
    lines.push(`cluster ${v.cluster}: ${v.inSync ? 'IN SYNC' : 'DRIFT'}`);
    const shown = v.findings.filter((f) => opts.all || f.severity !== 'ok');
    const rows = shown.map((f) => [
      MARK[f.severity] ?? f.severity,
      f.code,
      resourceCell(f),
      f.action,
      f.message,
    ]);
    const head = ['', 'code', 'resource', 'action', 'what'];
    const widths = head.map((h, i) =>
      Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))),
    );
    if (rows.length > 0) {
      lines.push(`  ${head.map((h, i) => pad(h, widths[i] ?? 0)).join('  ')}`.trimEnd());
      for (const r of rows)
        lines.push(`  ${r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ')}`);
    }
    const passing = v.findings.length - shown.length;
    if (passing > 0)
      lines.push(`  (${passing} passing check${passing === 1 ? '' : 's'} not shown; --all shows them)`);
    const drift = v.findings.filter(isDrift).length;
    lines.push(`  ${drift} drift finding${drift === 1 ? '' : 's'}`);
  }
  return lines.join('\n');
}

function notEvaluated(verdicts: readonly Verdict[]): Finding[] {
  return verdicts.flatMap((v) => v.findings.filter((f) => NOT_EVALUATED.has(f.code)));
}

export function exitCodeOf(verdicts: readonly Verdict[]): number {
  if (notEvaluated(verdicts).length > 0) return EXIT.couldNotEvaluate;
  return verdicts.every((v) => v.inSync) ? EXIT.inSync : EXIT.drift;
}

/** What to do when an AWS error (`Name: message`) stopped an evaluation, as one short clause. */
export function remedyForAwsError(described: string): string {
  const kind = awsFaultKindOf(described);
  if (kind === 'credentials')
    return 'no usable AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or renew the session) and run again';
  if (kind === 'permission')
    return 'the AWS credentials lack a permission: compare them with the IAM policy in the README and run again';
  if (kind === 'network')
    return 'an AWS endpoint did not answer in time: check the network, the region and AWS_ENDPOINT_URL and run again';
  return 'an AWS call failed: check the error in the output and AWS service health and run again';
}

/** What to do about a finding that left a cluster not evaluated, as one short clause. */
export function remedyFor(first: Finding): string {
  if (first.code === 'CLI_ACCOUNT_MISMATCH')
    return `${first.resource} acts as ${first.actual}, not ${first.expected}: set clusters[].cliRoleArn or clusters[].profile of ${first.cluster} to reach its account and run again`;
  if (first.code === 'CA_UNAVAILABLE' && awsFaultKindOf(first.actual) !== 'credentials')
    return 'the cluster CA could not be loaded: run `kops-api-sentinel ca import` or fix clusters[].ca and run again';
  if (first.code === 'CLI_CREDENTIALS_UNAVAILABLE' && first.resource.startsWith('arn:'))
    return `could not assume ${first.resource}: check your own credentials and that the role trusts them (docs/cli.md, AWS access for fleets) and run again`;
  return remedyForAwsError(first.actual);
}

/** The one-line stderr hint for a run that could not evaluate everything, or undefined when it could. */
export function hintFor(verdicts: readonly Verdict[]): string | undefined {
  const [first] = notEvaluated(verdicts);
  if (!first) return undefined;
  return `hint: could not evaluate ${first.cluster} (${first.code}); ${remedyFor(first)}`;
}

/** The kind of AWS fault a described error (`Name: message`) is, as the CLI names it. */
export function awsFaultKind(
  described: string,
): 'AWS unreachable' | 'AWS credentials' | 'AWS permission' | 'AWS call failed' {
  const kind = awsFaultKindOf(described);
  if (kind === 'credentials') return 'AWS credentials';
  if (kind === 'permission') return 'AWS permission';
  if (kind === 'network') return 'AWS unreachable';
  return 'AWS call failed';
}

/** Whether a described error (`Name: message`) names an AWS fault: credentials, permissions, the network. */
export function describesAwsFault(described: string): boolean {
  return awsFaultKindOf(described) !== undefined;
}

/** Whether a thrown error is an AWS fault (credentials, permissions, the network, the service), not a bug. */
export function isAwsFault(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return describesAwsFault(errorMessage(err)) || isSdkError(err);
}

/** Where a cluster is: its account and region, for the summary's columns. */
export type WhereOf = (cluster: string) => ClusterPlace | undefined;

/** One line per cluster: where it is, its verdict and counts, for the end of a run over several clusters. */
export function renderSummary(verdicts: readonly Verdict[], where: WhereOf = () => undefined): string {
  const rows = verdicts.map((v) => {
    const holes = notEvaluated([v]).length;
    const drift = v.findings.filter(isDrift).length;
    return [
      v.cluster,
      where(v.cluster)?.account ?? '',
      where(v.cluster)?.region ?? '',
      holes > 0 ? 'NOT EVALUATED' : v.inSync ? 'IN SYNC' : 'DRIFT',
      String(drift),
      String(v.findings.filter((f) => f.severity === 'ok').length),
      v.findings.filter(isDrift)[0]?.code ?? (holes > 0 ? (notEvaluated([v])[0]?.code ?? '') : ''),
    ];
  });
  const head = ['cluster', 'account', 'region', 'verdict', 'drift', 'passing', 'first problem'];
  const widths = head.map((h, i) =>
    Math.min(50, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))),
  );
  const line = (r: string[]) =>
    `  ${r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ')}`.trimEnd();
  const counts = ['IN SYNC', 'DRIFT', 'NOT EVALUATED'].map(
    (k) => `${rows.filter((r) => r[3] === k).length} ${k.toLowerCase()}`,
  );
  return [`summary: ${verdicts.length} cluster(s): ${counts.join(', ')}`, line(head), ...rows.map(line)].join(
    '\n',
  );
}

/** Writes a run's verdicts (table, JSON or YAML) and, when something could not be evaluated, the hint; returns the exit code. */
export async function reportVerdicts(
  verdicts: readonly Verdict[],
  io: CliIo,
  opts: { output: Output; all?: boolean; summary?: boolean; where?: WhereOf },
): Promise<number> {
  // each verdict with where its cluster is, when the command knows (a fleet's documents)
  const where = opts.where;
  const located = where
    ? verdicts.map(({ cluster, ...rest }) => ({ cluster, ...where(cluster), ...rest }))
    : verdicts;
  if (opts.output === 'json') io.stdout.write(`${JSON.stringify({ verdicts: located }, null, 2)}\n`);
  else if (opts.output === 'yaml') {
    const { stringify } = await import('yaml');
    io.stdout.write(stringify({ verdicts: located }));
  } else {
    io.stdout.write(`${renderTable(verdicts, { all: opts.all ?? false })}\n`);
    if (opts.summary) io.stdout.write(`\n${renderSummary(verdicts, opts.where)}\n`);
  }
  const hint = hintFor(verdicts);
  if (hint) io.stderr.write(`${hint}\n`);
  return exitCodeOf(verdicts);
}
