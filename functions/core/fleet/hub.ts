import type { ClusterPlace } from '../alerts/messages.ts';
import { DEFAULT_LEASE_MS } from '../alerts/policy.ts';
import { type PublishRunResult, publishRun } from '../alerts/publish.ts';
import type { AwsClients } from '../aws/clients.ts';
import type { SentinelConfig } from '../config/schema.ts';
import { MalformedEventError } from '../events/errors.ts';
import type { Log } from '../log.ts';
import { claimReport } from './claim.ts';
import { reportTime } from './order.ts';
import { reportVerdict } from './report.ts';
import { type AcceptedReport, ForgedReportError, parseReportEvent } from './report-event.ts';

/** An event the hub will not act on, and why: malformed, or sent from where its cluster is not. */
export interface DroppedReport {
  dropped: 'malformed' | 'forged';
  field: string;
  reason: string;
}

/** Reads an event as a report the hub believes, or says why it is dropped (never throws for the event's content). */
export function acceptReport(
  event: unknown,
  places: ReadonlyMap<string, ClusterPlace>,
): { report: AcceptedReport } | DroppedReport {
  try {
    return { report: parseReportEvent(event, (cluster) => places.get(cluster)) };
  } catch (err) {
    if (!(err instanceof MalformedEventError)) throw err;
    return {
      dropped: err instanceof ForgedReportError ? 'forged' : 'malformed',
      field: err.field,
      reason: err.message,
    };
  }
}

/** What applying a report did: the policy's result, or why the report was skipped (nothing written). */
export type AppliedReport = PublishRunResult & { skipped?: 'duplicate' | 'stale' };

/**
 * The alert policy over one member's report, for the whole fleet: the report's verdict through
 * publishRun with the hub's table, topic and bus, at the report's own time (`detail.time`, never
 * later than the hub's clock). The member put the run's own events already; the hub puts only its
 * alerts' (Drift Detected, Drift Resolved).
 *
 * Each report counts once, in the order it was observed: before applying, it claims its cluster's
 * and source's applied-report mark (claim.ts). A duplicate, a retry, or an older report arriving
 * after a newer one is skipped: logged, nothing written, `skipped` says why. A retry after a
 * partial failure is skipped too (its mark was claimed): the next report, one schedule period
 * later, decides every alert again, where re-applying would count the report twice and could fire
 * or resolve an alert early. Throws PublishRunError when an AWS call failed while applying, and
 * the claim's own AWS failures (worth a retry: nothing was applied yet).
 */
export async function applyReport(
  report: AcceptedReport,
  deps: {
    config: SentinelConfig;
    clients: Pick<AwsClients, 'dynamodb' | 'sns' | 'eventbridge'>;
    tableName: string;
    topicArn: string;
    eventBusName?: string;
    log: Log;
    now?: Date;
  },
): Promise<AppliedReport> {
  const { config, log } = deps;
  const { detail } = report;
  const hubNow = deps.now ?? new Date();
  const at = reportTime(detail.time, hubNow);
  const mark = { at: at.getTime(), id: report.id ?? '' };
  const order = await claimReport(
    deps.clients.dynamodb,
    deps.tableName,
    { cluster: detail.cluster, source: detail.source, mark },
    { hubNow },
  );
  if (order !== 'apply') {
    log.warn(`skipped a ${order} report; it was not applied`, {
      cluster: detail.cluster,
      source: detail.source,
      time: detail.time,
      eventId: report.id,
    });
    return {
      evaluated: 0,
      written: 0,
      conflicts: 0,
      notifications: [],
      events: 0,
      openAlerts: {},
      skipped: order,
    };
  }
  return publishRun(
    { source: detail.source, verdicts: [reportVerdict(detail)], now: at },
    {
      clients: deps.clients,
      tableName: deps.tableName,
      topicArn: deps.topicArn,
      config: config.alerts,
      clusters: config.clusters,
      runEvents: false,
      // a claim's lease runs on the hub's clock: a late report's claim is not expired when made
      leaseMs: DEFAULT_LEASE_MS + (hubNow.getTime() - at.getTime()),
      ...(deps.eventBusName ? { eventBusName: deps.eventBusName } : {}),
      ...(config.alerts.runbookBaseUrl ? { runbookBaseUrl: config.alerts.runbookBaseUrl } : {}),
      logger: log,
    },
  );
}
