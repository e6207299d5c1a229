/**
 * Environment variables the stack sets on the functions. They carry resource names only: no
 * secrets (the Slack webhook URL lives in Secrets Manager; the variable names the secret).
 */
export const ENV = {
  /** The DynamoDB table holding alert state (partition key `pk`, sort key `sk`, TTL `ttl`). */
  ALERT_TABLE_NAME: 'ALERT_TABLE_NAME',
  /** The SNS topic alerts are published to. */
  ALERT_TOPIC_ARN: 'ALERT_TOPIC_ARN',
  /** The event bus for the sentinel's own events; optional, defaults to `default`. */
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  /** The SQS queue of delayed follow-up checks of newly registered instances. */
  FOLLOW_UP_QUEUE_URL: 'FOLLOW_UP_QUEUE_URL',
  /**
   * A fleet member's own event bus (with `alerts.hub`): the registrar and verifier report each run's
   * findings there as `Findings Reported` events, and a rule forwards them to the hub's bus.
   */
  REPORT_BUS_NAME: 'REPORT_BUS_NAME',
  /** A fleet's hub: the SQS queue its bus's rule delivers reports to (the only way a report is believed). */
  HUB_QUEUE_ARN: 'HUB_QUEUE_ARN',
  /** The same queue's URL, for proving a record's receipt handle with SQS. */
  HUB_QUEUE_URL: 'HUB_QUEUE_URL',
  /** The Secrets Manager secret (name or ARN) holding the Slack incoming-webhook URL. */
  SLACK_SECRET_NAME: 'SLACK_SECRET_NAME',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV] | (string & {});

/** Reads a required variable; throws an error that names the variable when it is missing or blank. */
export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is not set; the stack sets it on the function.`);
  }
  return value.trim();
}

/** Reads an optional variable: its trimmed value, or undefined when it is missing or blank. */
export function optionalEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}
