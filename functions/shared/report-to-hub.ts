import {
  DETAIL_TYPES,
  EventPublishError,
  putSentinelEvents,
  type SentinelEvent,
} from '../core/alerts/events.ts';
import type { RunSource } from '../core/alerts/messages.ts';
import { clusterEvents } from '../core/alerts/run-events.ts';
import { byCluster } from '../core/alerts/work.ts';
import type { AwsClients } from '../core/aws/clients.ts';
import type { Verdict } from '../core/findings/finding.ts';
import { findingsReports } from '../core/fleet/report.ts';
import type { Log } from '../core/log.ts';

/** What a fleet member's run put: its reports (for the hub) and its own public events. */
export interface HubReportResult {
  reports: number;
  events: number;
}

/**
 * A fleet member's alerting (with `alerts.hub`): one `Findings Reported` event per cluster on the
 * member's own report bus (a rule there forwards them to the hub, which decides the alerts), and
 * the run's public events (Registration Changed, Verification Completed) on its event bus, as a
 * single stack puts them. Both puts are tried; a failure of either is thrown after, naming the bus
 * and the events that were not put. The report bus is the member's own: an unreachable hub never
 * fails this.
 */
export async function reportToHub(
  source: RunSource,
  verdicts: readonly Verdict[],
  deps: {
    clients: Pick<AwsClients, 'eventbridge'>;
    log: Log;
    reportBusName: string;
    eventBusName?: string;
    verification?: boolean;
    now?: Date;
  },
): Promise<HubReportResult> {
  const now = deps.now ?? new Date();
  const reports: SentinelEvent[] = findingsReports(source, verdicts, {
    now,
    verification: deps.verification === true,
  }).map((detail) => ({ detailType: DETAIL_TYPES.findingsReported, detail }));
  const events: SentinelEvent[] = [];
  for (const [cluster, { findings }] of byCluster(verdicts))
    events.push(...clusterEvents(cluster, findings, source, now));
  const errors: Error[] = [];
  const put = async (list: SentinelEvent[], bus: string | undefined, what: string): Promise<number> => {
    if (list.length === 0) return 0;
    try {
      return (
        await putSentinelEvents(deps.clients.eventbridge, list, {
          ...(bus ? { eventBusName: bus } : {}),
          now,
        })
      ).put;
    } catch (err) {
      const failed = err instanceof EventPublishError ? err.failures.length : list.length;
      deps.log.error(`putting ${what} failed`, { bus: bus ?? 'default', error: err });
      errors.push(new Error(`${what} on event bus ${bus ?? 'default'}: ${(err as Error).message}`));
      return list.length - failed;
    }
  };
  const [reported, published] = await Promise.all([
    put(reports, deps.reportBusName, 'the run reports for the hub'),
    put(events, deps.eventBusName, "the run's events"),
  ]);
  if (errors.length > 0)
    throw new AggregateError(
      errors,
      `Reporting the ${source} run failed: ${errors.map((e) => e.message).join('; ')}`,
    );
  return { reports: reported, events: published };
}
