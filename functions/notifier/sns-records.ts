import type { SlackRecord } from '../core/slack/notify.ts';

/**
 * The records of an SNS event as the plain records the core posts. An event without records is
 * an empty batch; a record without `Sns` or its `Message` string throws an error naming the field,
 * so the invocation fails and SNS retries it (its DLQ keeps it).
 *
 * Written by hand, not with Powertools Parser's SnsRecordSchema: that schema brings zod into the
 * notifier (+87 KiB minified, 302 KiB in all, over its 250 KiB ceiling).
 */
export function snsRecords(event: unknown): SlackRecord[] {
  const raw = (event as { Records?: unknown } | null | undefined)?.Records ?? [];
  if (!Array.isArray(raw)) throw new Error('SNS event Records is not an array');
  return raw.map((record, i) => {
    const sns = (record as { Sns?: Record<string, unknown> } | null | undefined)?.Sns;
    if (!sns || typeof sns !== 'object') throw new Error(`SNS event Records[${i}].Sns is missing`);
    if (typeof sns.Message !== 'string')
      throw new Error(`SNS event Records[${i}].Sns.Message is not a string`);
    const subject = typeof sns.Subject === 'string' && sns.Subject ? { subject: sns.Subject } : {};
    return { message: sns.Message, messageId: String(sns.MessageId ?? ''), ...subject };
  });
}
