import * as z from 'zod/mini';
import { DETAIL_TYPES, EVENT_SOURCE, type FindingsReportedDetail } from '../alerts/events.ts';
import type { ClusterPlace } from '../alerts/messages.ts';
import { MalformedEventError } from '../events/errors.ts';
import { checked, quote } from '../events/limits.ts';
import { detailField, eventField, parseShape } from '../events/parse-shape.ts';
import { type CheckKind, SEVERITIES } from '../findings/finding.ts';
import { REPORT_FINDINGS_MAX, REPORT_RESOURCE_MAX, REPORT_TEXT_MAX } from './report.ts';

/**
 * The hub's reading of a `Findings Reported` event. It believes only what AWS stamps on the
 * envelope: the `account` and `region` of the sender must be the ones the config gives the
 * cluster the detail names; the detail itself is bounded field by field.
 */

const CHECKS = [
  'discovery',
  'attachment',
  'registration',
  'lifecycle',
  'listener',
  'health-check',
  'instance-health',
  'tls',
  'ca',
  'follow-up',
  'kops-spec',
  'aws',
] as const satisfies readonly CheckKind[];
type UnlistedCheck = Exclude<CheckKind, (typeof CHECKS)[number]>;
/** True: a CheckKind added without listing it above makes this `never`, and the typecheck fails. */
export const LISTS_EVERY_CHECK: [UnlistedCheck] extends [never] ? true : never = true;

const text = (max: number) =>
  z.string().check(z.maxLength(max, { error: `must be at most ${max} characters` }));

/**
 * The report's shapes, built on first use and kept (as functions/core/events/schemas.ts does): a
 * cold start builds none. Severities come from the one list in finding.ts; an action is any short
 * word, so a member that knows an action the hub does not still has its report read (an action
 * other than `repaired` counts as not repaired).
 */
function buildSchemas() {
  const FindingSchema = z.object({
    code: z.string().check(z.regex(/^[A-Z][A-Z0-9_]{0,63}$/, { error: 'must be a finding code' })),
    severity: z.enum(SEVERITIES),
    check: z.enum(CHECKS),
    cluster: text(253),
    resource: text(REPORT_RESOURCE_MAX).check(z.minLength(1, { error: 'must not be empty' })),
    expected: text(REPORT_TEXT_MAX),
    actual: text(REPORT_TEXT_MAX),
    action: z.string().check(z.regex(/^[a-z][a-z-]{0,31}$/, { error: 'must be an action' })),
    message: text(REPORT_TEXT_MAX),
    details: z.optional(z.record(z.string(), z.unknown())),
  });
  const DetailSchema = z.object({
    version: z.literal('1'),
    cluster: z.string(),
    source: z.enum(['registrar', 'verifier']),
    time: text(40),
    verification: z.boolean(),
    complete: z.array(z.enum(CHECKS)).check(z.maxLength(CHECKS.length)),
    truncated: z.boolean(),
    findings: z
      .array(FindingSchema)
      .check(
        z.maxLength(REPORT_FINDINGS_MAX, { error: `must list at most ${REPORT_FINDINGS_MAX} findings` }),
      ),
  });
  const EnvelopeSchema = z.object({
    'detail-type': z.literal(DETAIL_TYPES.findingsReported),
    source: z.literal(EVENT_SOURCE),
    account: z.unknown(),
    region: z.unknown(),
    /** EventBridge's id of the event: what tells a duplicate from another report of the same time. */
    id: z.optional(text(128)),
    detail: z.record(z.string(), z.unknown()),
  });
  return { DetailSchema, EnvelopeSchema };
}
let schemas: ReturnType<typeof buildSchemas> | undefined;
const reportSchemas = () => {
  schemas ??= buildSchemas();
  return schemas;
};

/** A report the hub believes: its detail, and the account and region AWS says it came from. */
export interface AcceptedReport {
  detail: FindingsReportedDetail;
  account: string;
  region: string;
  /** The event's id (EventBridge always sets one). */
  id?: string;
}

/** A report that is well formed but not believed: it names a cluster its sender does not hold. */
export class ForgedReportError extends MalformedEventError {
  constructor(field: string, problem: string) {
    super(field, problem);
    this.name = 'ForgedReportError';
  }
}

/**
 * Parses an EventBridge `Findings Reported` event and checks it against the config (`placeOf`: a
 * configured cluster's account and region, undefined for any other name). Throws
 * MalformedEventError naming the field for a malformed event, ForgedReportError for one whose
 * sender is not where the config puts its cluster.
 */
export function parseReportEvent(
  input: unknown,
  placeOf: (cluster: string) => ClusterPlace | undefined,
): AcceptedReport {
  const { EnvelopeSchema, DetailSchema } = reportSchemas();
  const envelope = parseShape(EnvelopeSchema, input, eventField);
  const account = checked('account', envelope.account, 'event.account');
  const region = checked('region', envelope.region, 'event.region');
  const detail = parseShape(DetailSchema, envelope.detail, detailField);
  const cluster = checked('cluster', detail.cluster, 'detail.cluster');
  if (Number.isNaN(Date.parse(detail.time)))
    throw new MalformedEventError('detail.time', `must be an ISO 8601 time, found ${quote(detail.time)}`);
  detail.findings.forEach((f, i) => {
    if (f.cluster !== cluster)
      throw new MalformedEventError(
        `detail.findings.${i}.cluster`,
        `must be the report's cluster ${cluster}`,
      );
  });
  const place = placeOf(cluster);
  if (!place) throw new ForgedReportError('detail.cluster', `is not a configured cluster: ${quote(cluster)}`);
  if (place.account !== account || place.region !== region)
    throw new ForgedReportError(
      'event.account',
      `${account} in ${region} sent a report about ${cluster}, which the config puts in ${place.account} in ${place.region}`,
    );
  return {
    detail: detail as FindingsReportedDetail,
    account,
    region,
    ...(envelope.id ? { id: envelope.id } : {}),
  };
}
