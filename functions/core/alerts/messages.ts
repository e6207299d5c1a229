import type { MessageAttributeValue, PublishCommandInput } from '@aws-sdk/client-sns';
import { codeInfo } from '../findings/codes.ts';
import type { CheckKind, Finding, Severity } from '../findings/finding.ts';
import { truncate } from '../text.ts';
import { type Consequence, consequenceLines, consequencesOf } from './causes.ts';
import { fixFor, runbookLink } from './fixes.ts';
import type { AlertRecord, AlertState, NotificationKind } from './policy.ts';

/** Which run produced the alert. */
export type RunSource = 'registrar' | 'verifier';

export const ALERT_SCHEMA = 'kops-api-sentinel.alert/v1' as const;

/** The certificate a TLS finding saw, when the finding carries it in `details`. */
export interface PresentedCertificate {
  issuer?: string;
  subject?: string;
  fingerprint256?: string;
  validTo?: string;
}

/**
 * The machine-readable alert: the `lambda` and `sqs` bodies of the SNS message, what the Slack
 * notifier renders, and a stable contract for other subscribers.
 */
export interface MachineAlert {
  schema: typeof ALERT_SCHEMA;
  kind: NotificationKind;
  /** `cluster|code|resource`: one alert per key; also the Chatbot thread id. */
  alertKey: string;
  cluster: string;
  /** The cluster's AWS account and region, from the config (absent only when the config was not given). */
  account?: string;
  region?: string;
  code: string;
  check: CheckKind;
  resource: string;
  severity: Severity;
  title: string;
  state: AlertState;
  source: RunSource;
  /** The last drifting finding. */
  finding: Finding;
  /** For a resolve: the passing finding of the run that resolved it, when there was one. */
  resolution?: Finding;
  certificate?: PresentedCertificate;
  /**
   * Findings of the same runs that follow from this one (causes.ts) and open no alert of their own;
   * also in `finding.details.consequences`. `consequenceCount` is how many there were in all.
   */
  consequences?: Consequence[];
  consequenceCount?: number;
  firstSeen: string;
  lastSeen: string;
  firedAt?: string;
  resolvedAt?: string;
  /** When this notification was made. */
  notifiedAt: string;
  /** Consecutive failing runs so far. */
  failures: number;
  runbook: string;
  fix: string;
}

import type { ClusterPlace } from '../config/select.ts';

export type { ClusterPlace };

export interface AlertContext {
  source: RunSource;
  now: Date;
  /** The cluster's account and region (every message names them). */
  place?: ClusterPlace;
  resolution?: Finding;
  /** Makes runbook links absolute (e.g. https://github.com/org/repo/blob/main). */
  runbookBaseUrl?: string;
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim().length > 0 ? v.trim() : undefined;
}

/** Node's X509Certificate writes distinguished names one attribute per line: keep them on one. */
function oneLine(dn: string | undefined): string | undefined {
  return dn
    ?.split(/\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .join(', ');
}

/** Reads the presented certificate from a TLS finding's details (several shapes accepted). */
export function certificateOf(finding: Finding): PresentedCertificate | undefined {
  const d = finding.details;
  if (!d) return undefined;
  const candidates: unknown[] = [
    d.certificate,
    d.presented,
    d.presentedCertificate,
    d.peerCertificate,
    d.leaf,
    d,
  ];
  for (const c of candidates) {
    if (!c || typeof c !== 'object') continue;
    const o = c as Record<string, unknown>;
    const cert: PresentedCertificate = {};
    const issuer = oneLine(asString(o.issuer));
    const subject = oneLine(asString(o.subject));
    const fp =
      asString(o.fingerprint256) ??
      asString(o.fingerprintSha256) ??
      asString(o.sha256Fingerprint) ??
      asString(o.sha256);
    const validTo = asString(o.validTo) ?? asString(o.notAfter);
    if (issuer) cert.issuer = issuer;
    if (subject) cert.subject = subject;
    if (fp) cert.fingerprint256 = fp;
    if (validTo) cert.validTo = validTo;
    if (cert.issuer || cert.fingerprint256) return cert;
  }
  return undefined;
}

export function buildAlert(record: AlertRecord, kind: NotificationKind, ctx: AlertContext): MachineAlert {
  const alert: MachineAlert = {
    schema: ALERT_SCHEMA,
    kind,
    alertKey: record.key,
    cluster: record.cluster,
    ...(ctx.place ? { account: ctx.place.account, region: ctx.place.region } : {}),
    code: record.code,
    check: record.check,
    resource: record.resource,
    severity: record.severity,
    title: codeInfo(record.code)?.title ?? record.code,
    state: record.state,
    source: ctx.source,
    finding: record.finding,
    firstSeen: record.firstSeen,
    lastSeen: record.lastSeen,
    notifiedAt: ctx.now.toISOString(),
    failures: record.failures,
    runbook: runbookLink(record.code, ctx.runbookBaseUrl),
    fix: fixFor(record.code),
  };
  if (ctx.resolution) alert.resolution = ctx.resolution;
  const cert = certificateOf(record.finding);
  if (cert) alert.certificate = cert;
  const consequences = consequencesOf(record.finding);
  if (consequences.list.length > 0) {
    alert.consequences = consequences.list;
    alert.consequenceCount = consequences.total;
  }
  if (record.firedAt) alert.firedAt = record.firedAt;
  if (record.resolvedAt) alert.resolvedAt = record.resolvedAt;
  return alert;
}

/** `account 111111111111, region eu-west-1`, or undefined when the alert does not know them. */
export function placeText(alert: Pick<MachineAlert, 'account' | 'region'>): string | undefined {
  return alert.account && alert.region ? `account ${alert.account}, region ${alert.region}` : undefined;
}

const KIND_WORD: Record<NotificationKind, string> = {
  fire: 'FIRING',
  remind: 'STILL FIRING',
  resolve: 'RESOLVED',
};

/** Printable ASCII only, no line breaks (SNS subjects), at most `max` characters. */
export function asciiLine(text: string, max: number): string {
  const clean = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 3).trimEnd()}...`;
}

export function subjectOf(alert: MachineAlert): string {
  return asciiLine(`[${KIND_WORD[alert.kind]}] ${alert.code} on ${alert.cluster}: ${alert.title}`, 100);
}

function duration(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return `${h} h ${min % 60} min`;
}

/** The consequence lines of an alert (first few, then "and N more"), unescaped. */
export function alertConsequenceLines(
  alert: Pick<MachineAlert, 'consequences' | 'consequenceCount'>,
): string[] {
  if (!alert.consequences?.length) return [];
  return consequenceLines({
    list: alert.consequences,
    total: alert.consequenceCount ?? alert.consequences.length,
  });
}

/** The readable body (`default` and `email`). */
export function renderText(alert: MachineAlert): string {
  const f = alert.finding;
  const where = placeText(alert);
  const lines: string[] = [];
  if (alert.kind === 'resolve') {
    lines.push(`RESOLVED (${alert.severity}): ${alert.title}`);
    lines.push('');
    lines.push(`Cluster:      ${alert.cluster}`);
    if (where) lines.push(`Where:        ${where}`);
    lines.push(`Resource:     ${alert.resource}`);
    lines.push(`Code:         ${alert.code} (${alert.check} check)`);
    lines.push(`Was wrong:    ${f.message}`);
    lines.push(`Expected:     ${f.expected}`);
    if (alert.resolution) {
      lines.push(`Now:          ${alert.resolution.actual} (${alert.resolution.code})`);
    } else {
      lines.push(`Now:          the ${alert.check} check no longer reports ${alert.code}`);
    }
    lines.push(
      `Drifting:     from ${alert.firstSeen} to ${alert.resolvedAt ?? alert.notifiedAt} (${duration(alert.firstSeen, alert.resolvedAt ?? alert.notifiedAt)})`,
    );
  } else {
    const head = alert.kind === 'remind' ? `STILL FIRING (${alert.severity})` : `FIRING (${alert.severity})`;
    lines.push(`${head}: ${alert.title}`);
    lines.push('');
    lines.push(`Cluster:      ${alert.cluster}`);
    if (where) lines.push(`Where:        ${where}`);
    lines.push(`Resource:     ${alert.resource}`);
    lines.push(`Code:         ${alert.code} (${alert.check} check)`);
    lines.push(`What:         ${f.message}`);
    lines.push(`Expected:     ${f.expected}`);
    lines.push(`Actual:       ${f.actual}`);
    lines.push(`Action taken: ${f.action}`);
    if (alert.certificate?.issuer) lines.push(`Certificate issuer:  ${alert.certificate.issuer}`);
    if (alert.certificate?.subject) lines.push(`Certificate subject: ${alert.certificate.subject}`);
    if (alert.certificate?.fingerprint256)
      lines.push(`Certificate SHA-256: ${alert.certificate.fingerprint256}`);
    if (alert.certificate?.validTo) lines.push(`Certificate valid to: ${alert.certificate.validTo}`);
    lines.push(
      `First seen:   ${alert.firstSeen} (${duration(alert.firstSeen, alert.notifiedAt)} ago, ${alert.failures} failing run(s) in a row)`,
    );
  }
  const also = alertConsequenceLines(alert);
  if (also.length > 0) {
    lines.push(
      alert.kind === 'resolve'
        ? 'It also caused (no alerts of their own):'
        : 'Also caused by this (no alerts of their own):',
    );
    for (const l of also) lines.push(`  - ${l}`);
  }
  lines.push('');
  lines.push(`Fix:     ${alert.fix}`);
  lines.push(`Runbook: ${alert.runbook}`);
  lines.push('');
  lines.push(`Alert key: ${alert.alertKey} (reported by the ${alert.source})`);
  return lines.join('\n');
}

/** AWS Chatbot (Amazon Q Developer in chat applications) custom notification. */
export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps: string[];
    keywords: string[];
  };
  metadata: {
    threadId: string;
    summary: string;
    eventType: string;
    relatedResources: string[];
    additionalContext: Record<string, string>;
  };
}

/**
 * Text from AWS (group and resource names, certificate subjects, error messages) made safe for
 * chat: `&`, `<` and `>` escaped, so it cannot form a Slack link or a `<!channel>` / `<@U…>`
 * mention; broadcast words (`@channel`, `@here`, `@everyone`) and markdown links (`[text](url)`)
 * broken with a zero-width space. Used for every Slack and Chatbot field, fallback text included.
 */
export function escapeChatText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, '@\u200b$1')
    .replace(/\]\(/g, ']\u200b(');
}

const esc = escapeChatText;

/** Backticks would break the code spans Chatbot renders. */
const code = (v: string): string => `\`${esc(v).replace(/`/g, "'")}\``;

export function renderChatbot(alert: MachineAlert): ChatbotNotification {
  const f = alert.finding;
  const emoji =
    alert.kind === 'resolve'
      ? ':white_check_mark:'
      : alert.severity === 'critical'
        ? ':rotating_light:'
        : ':warning:';
  const lines: string[] = [`*Cluster:* ${code(alert.cluster)}`];
  const where = placeText(alert);
  if (where) lines.push(`*Where:* ${esc(where)}`);
  lines.push(`*Resource:* ${code(alert.resource)}`);
  if (alert.kind === 'resolve') {
    lines.push(`*Was wrong:* ${esc(f.message)}`);
    lines.push(`*Expected:* ${esc(f.expected)}`);
    lines.push(
      alert.resolution ? `*Now:* ${esc(alert.resolution.actual)}` : `*Now:* the ${alert.check} check passes`,
    );
    lines.push(`*Drifting for:* ${duration(alert.firstSeen, alert.resolvedAt ?? alert.notifiedAt)}`);
  } else {
    lines.push(`*What:* ${esc(f.message)}`);
    lines.push(`*Expected:* ${esc(f.expected)}`);
    lines.push(`*Actual:* ${esc(f.actual)}`);
    lines.push(`*Action taken:* ${f.action}`);
    if (alert.certificate?.issuer) lines.push(`*Certificate issuer:* ${code(alert.certificate.issuer)}`);
    if (alert.certificate?.fingerprint256)
      lines.push(`*Certificate SHA-256:* ${code(alert.certificate.fingerprint256)}`);
    lines.push(`*First seen:* ${alert.firstSeen}`);
  }
  const also = alertConsequenceLines(alert);
  if (also.length > 0) {
    lines.push(alert.kind === 'resolve' ? '*It also caused:*' : '*Also caused by this:*');
    for (const l of also) lines.push(`• ${esc(l)}`);
  }
  const related = [alert.resource];
  if (f.resource !== alert.resource) related.push(f.resource);
  return {
    version: '1.0',
    source: 'custom',
    id: `${alert.alertKey}|${alert.kind}|${alert.notifiedAt}`,
    content: {
      textType: 'client-markdown',
      title: truncate(esc(`${emoji} ${KIND_WORD[alert.kind]}: ${alert.title} (${alert.cluster})`), 250),
      description: truncate(lines.join('\n'), 3500),
      nextSteps: (alert.kind === 'resolve'
        ? [`Runbook: ${alert.runbook}`]
        : [alert.fix, `Runbook: ${alert.runbook}`]
      ).map(esc),
      keywords: [alert.cluster, alert.code, alert.severity, alert.check, alert.kind].map(esc),
    },
    metadata: {
      threadId: alert.alertKey,
      summary: truncate(
        esc(`${KIND_WORD[alert.kind]}: ${alert.code} on ${alert.cluster} (${alert.resource})`),
        250,
      ),
      eventType: alert.kind === 'resolve' ? 'DriftResolved' : 'DriftDetected',
      relatedResources: related.map(esc),
      additionalContext: {
        cluster: esc(alert.cluster),
        ...(alert.account && alert.region ? { account: alert.account, region: alert.region } : {}),
        code: alert.code,
        severity: alert.severity,
        kind: alert.kind,
      },
    },
  };
}

/** The per-protocol bodies of the SNS message (`MessageStructure: json`). */
export interface ProtocolBodies {
  default: string;
  email: string;
  https: string;
  lambda: string;
  sqs: string;
}

export function protocolBodies(alert: MachineAlert): ProtocolBodies {
  const text = renderText(alert);
  const machine = JSON.stringify(alert);
  return {
    default: text,
    email: text,
    https: JSON.stringify(renderChatbot(alert)),
    lambda: machine,
    sqs: machine,
  };
}

export function messageAttributes(alert: MachineAlert): Record<string, MessageAttributeValue> {
  const attr = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
  return {
    cluster: attr(alert.cluster),
    ...(alert.account && alert.region ? { account: attr(alert.account), region: attr(alert.region) } : {}),
    severity: attr(alert.severity),
    code: attr(alert.code),
    kind: attr(alert.kind),
  };
}

/** SNS takes at most 256 KiB per message (all protocol bodies and attributes together). */
export const SNS_MESSAGE_BUDGET = 240 * 1024;

/**
 * The complete SNS Publish input for one alert notification. Should a finding carry very large
 * details, they are left out of the bodies (`detailsOmitted: true`) so the message still fits.
 */
export function snsPublishInput(alert: MachineAlert, topicArn: string): PublishCommandInput {
  let message = JSON.stringify(protocolBodies(alert));
  if (Buffer.byteLength(message) > SNS_MESSAGE_BUDGET) {
    const { details: _omitted, ...finding } = alert.finding;
    const slim: MachineAlert = { ...alert, finding: { ...finding, details: { detailsOmitted: true } } };
    if (slim.resolution) {
      const { details: _r, ...resolution } = slim.resolution;
      slim.resolution = resolution;
    }
    message = JSON.stringify(protocolBodies(slim));
  }
  return {
    TopicArn: topicArn,
    Subject: subjectOf(alert),
    MessageStructure: 'json',
    Message: message,
    MessageAttributes: messageAttributes(alert),
  };
}
