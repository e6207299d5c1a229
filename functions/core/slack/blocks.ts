import { alertConsequenceLines, escapeChatText, type MachineAlert, placeText } from '../alerts/messages.ts';
import { truncate } from '../text.ts';

/**
 * Slack Block Kit messages for the incoming webhook. Everything a finding says is shown as text
 * only: `&`, `<` and `>` are escaped and broadcast words broken (escapeChatText), in every
 * mrkdwn field and in the fallback `text`, so no finding can produce a link or an @channel mention.
 */
export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type TextObject = PlainText | Mrkdwn;

export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** Fallback text for notifications and clients that do not render blocks. */
  text: string;
  blocks: SlackBlock[];
}

// Block Kit limits.
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const SECTION_MAX = 3000;
const FIELDS_MAX = 10;
const CONTEXT_MAX = 10;

/** Escapes Slack's control characters so text stays text (see escapeChatText). */
export const escapeMrkdwn = escapeChatText;

const plain = (text: string, max = HEADER_MAX): PlainText => ({
  type: 'plain_text',
  text: truncate(text, max),
  emoji: true,
});
const md = (text: string, max = SECTION_MAX): Mrkdwn => ({ type: 'mrkdwn', text: truncate(text, max) });
/** A label/value field; the value is escaped and shown verbatim. */
const field = (label: string, value: string): Mrkdwn => md(`*${label}*\n${escapeMrkdwn(value)}`, FIELD_MAX);

export const EMOJI = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  remind: ':repeat:',
  resolved: ':large_green_circle:',
  alarm: ':rotating_light:',
  ok: ':white_check_mark:',
  info: ':information_source:',
} as const;

function durationText(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const min = Math.round(ms / 60_000);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

export function alertBlocks(alert: MachineAlert): SlackMessage {
  const f = alert.finding;
  const resolved = alert.kind === 'resolve';
  const emoji = resolved
    ? EMOJI.resolved
    : alert.kind === 'remind'
      ? EMOJI.remind
      : alert.severity === 'critical'
        ? EMOJI.critical
        : EMOJI.warning;
  const word = resolved ? 'Resolved' : alert.kind === 'remind' ? 'Still firing' : 'Firing';
  const headline = `${emoji} ${word}: ${alert.title}`;

  const where = placeText(alert);
  const fields: Mrkdwn[] = [
    field('Cluster', alert.cluster),
    ...(where ? [field('Where', where)] : []),
    field('Code', `${alert.code} (${alert.severity})`),
    field('Resource', alert.resource),
  ];
  if (resolved) {
    fields.push(field('Expected', f.expected));
    fields.push(field('Now', alert.resolution ? alert.resolution.actual : `the ${alert.check} check passes`));
    fields.push(field('Drifted for', durationText(alert.firstSeen, alert.resolvedAt ?? alert.notifiedAt)));
  } else {
    fields.push(field('Expected', f.expected));
    fields.push(field('Actual', f.actual));
    fields.push(field('Action taken', f.action));
    fields.push(field('First seen', alert.firstSeen));
    if (alert.certificate?.issuer) fields.push(field('Certificate issuer', alert.certificate.issuer));
    if (alert.certificate?.fingerprint256)
      fields.push(field('Certificate SHA-256', alert.certificate.fingerprint256));
  }

  const blocks: SlackBlock[] = [
    { type: 'header', text: plain(headline) },
    { type: 'section', text: md(escapeMrkdwn(resolved ? `Was: ${f.message}` : f.message)) },
    { type: 'section', fields: fields.slice(0, FIELDS_MAX) },
  ];
  const also = alertConsequenceLines(alert);
  if (also.length > 0) {
    const title = resolved
      ? '*It also caused (no alerts of their own):*'
      : '*Also caused by this (no alerts of their own):*';
    blocks.push({
      type: 'section',
      text: md([title, ...also.map((l) => `• ${escapeMrkdwn(l)}`)].join('\n')),
    });
  }
  if (!resolved) blocks.push({ type: 'section', text: md(`*Fix:* ${escapeMrkdwn(alert.fix)}`) });
  blocks.push({
    type: 'context',
    elements: [
      md(`Runbook: ${escapeMrkdwn(alert.runbook)}`, FIELD_MAX),
      md(`Alert key: ${escapeMrkdwn(alert.alertKey)} · from the ${escapeMrkdwn(alert.source)}`, FIELD_MAX),
    ].slice(0, CONTEXT_MAX),
  });

  return {
    text: truncate(
      escapeMrkdwn(`${headline} (${alert.cluster}${where ? ` in ${where}` : ''}, ${alert.resource})`),
      SECTION_MAX,
    ),
    blocks,
  };
}

/** A CloudWatch alarm notification (the operational alarms publish to the same topic). */
export interface CloudWatchAlarmMessage {
  AlarmName: string;
  NewStateValue: string;
  NewStateReason?: string;
  AlarmDescription?: string | null;
  OldStateValue?: string;
  StateChangeTime?: string;
  Region?: string;
  AWSAccountId?: string;
}

export function isCloudWatchAlarm(value: unknown): value is CloudWatchAlarmMessage {
  if (!value || typeof value !== 'object') return false;
  const o = value as Record<string, unknown>;
  return typeof o.AlarmName === 'string' && typeof o.NewStateValue === 'string';
}

export function alarmBlocks(alarm: CloudWatchAlarmMessage): SlackMessage {
  const ok = alarm.NewStateValue === 'OK';
  const headline = `${ok ? EMOJI.ok : EMOJI.alarm} Alarm ${alarm.NewStateValue}: ${alarm.AlarmName}`;
  const fields = [field('State', `${alarm.OldStateValue ?? '?'} → ${alarm.NewStateValue}`)];
  if (alarm.StateChangeTime) fields.push(field('Since', alarm.StateChangeTime));
  if (alarm.Region) fields.push(field('Region', alarm.Region));
  if (alarm.AWSAccountId) fields.push(field('Account', alarm.AWSAccountId));
  const blocks: SlackBlock[] = [{ type: 'header', text: plain(headline) }];
  if (alarm.AlarmDescription)
    blocks.push({ type: 'section', text: md(escapeMrkdwn(alarm.AlarmDescription)) });
  blocks.push({ type: 'section', fields });
  if (alarm.NewStateReason) {
    blocks.push({ type: 'context', elements: [md(escapeMrkdwn(alarm.NewStateReason), FIELD_MAX)] });
  }
  return { text: truncate(escapeMrkdwn(headline), SECTION_MAX), blocks };
}

/** Anything else that reaches the topic: shown as text. */
export function textBlocks(subject: string | undefined, body: string): SlackMessage {
  const headline = `${EMOJI.info} ${subject?.trim() || 'kops-api-sentinel notification'}`;
  return {
    text: truncate(escapeMrkdwn(headline), SECTION_MAX),
    blocks: [
      { type: 'header', text: plain(headline) },
      { type: 'section', text: md(escapeMrkdwn(body)) },
    ],
  };
}
