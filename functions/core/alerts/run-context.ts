import type { AwsClients } from '../aws/clients.ts';
import type { Log } from '../log.ts';
import type { SentinelEvent } from './events.ts';
import type { ClusterPlace, RunSource } from './messages.ts';
import type { NotificationKind, PolicyConfig } from './policy.ts';
import type { AlertStore } from './state.ts';

export interface SentNotification {
  kind: NotificationKind;
  /** The cluster the alert is about. */
  cluster: string;
  alertKey: string;
  messageId?: string;
}

export interface PublishRunResult {
  /** Alert decisions made (drifting findings plus stored alerts whose check ran). */
  evaluated: number;
  /** Records written. */
  written: number;
  /** Conditional-write conflicts that were re-read and re-decided. */
  conflicts: number;
  notifications: SentNotification[];
  /** Events put on the bus. */
  events: number;
  /** Per cluster whose alerts the run loaded: how many of its alerts fire after the run. */
  openAlerts: Record<string, number>;
}

/** What every step of one publishing run shares: its settings, and what it has done so far. */
export interface RunContext {
  source: RunSource;
  now: Date;
  store: AlertStore;
  clients: Pick<AwsClients, 'sns' | 'eventbridge'>;
  topicArn: string;
  config: PolicyConfig;
  eventBusName?: string;
  runbookBaseUrl?: string;
  /** Each configured cluster's account and region, named in every message. */
  places: ReadonlyMap<string, ClusterPlace>;
  log: Log;
  newId: () => string;
  leaseMs: number;
  maxAttempts: number;
  result: PublishRunResult;
  /** Failures so far; the run goes on and throws them together at the end. */
  errors: unknown[];
  /** The sentinel's own events, put on the bus at the end of the run. */
  events: SentinelEvent[];
}
