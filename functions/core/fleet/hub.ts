import type { ClusterPlace } from '../alerts/messages.ts';
import { type PublishRunResult, publishRun } from '../alerts/publish.ts';
import type { AwsClients } from '../aws/clients.ts';
import type { SentinelConfig } from '../config/schema.ts';
import { MalformedEventError } from '../events/errors.ts';
import type { Log } from '../log.ts';
import { reportVerdict } from './report.ts';
import { type AcceptedReport, ForgedReportError, parseReportEvent } from './report-event.ts';

/** Each configured cluster's account and region: what the hub holds a report's sender to. */
export function clusterPlaces(config: Pick<SentinelConfig, 'clusters'>): ReadonlyMap<string, ClusterPlace> {
  return new Map(config.clusters.map((c) => [c.name, { account: c.account, region: c.region }]));
}

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

/**
 * The alert policy over one member's report, for the whole fleet: the report's verdict through
 * publishRun with the hub's table, topic and bus. The member put the run's own events already;
 * the hub puts only its alerts' (Drift Detected, Drift Resolved). Throws PublishRunError when an
 * AWS call failed (worth a retry: the policy's writes are conditional, a retry settles the rest).
 */
export function applyReport(
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
): Promise<PublishRunResult> {
  const { config } = deps;
  return publishRun(
    {
      source: report.detail.source,
      verdicts: [reportVerdict(report.detail)],
      ...(deps.now ? { now: deps.now } : {}),
    },
    {
      clients: deps.clients,
      tableName: deps.tableName,
      topicArn: deps.topicArn,
      config: config.alerts,
      clusters: config.clusters,
      runEvents: false,
      ...(deps.eventBusName ? { eventBusName: deps.eventBusName } : {}),
      ...(config.alerts.runbookBaseUrl ? { runbookBaseUrl: config.alerts.runbookBaseUrl } : {}),
      logger: deps.log,
    },
  );
}
