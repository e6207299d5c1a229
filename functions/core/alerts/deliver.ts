import { PublishCommand } from '@aws-sdk/client-sns';
import { buildAlert, snsPublishInput } from './messages.ts';
import type { NotificationKind } from './policy.ts';
import type { RunContext, SentNotification } from './run-context.ts';
import { notificationEvent } from './run-events.ts';
import type { Settled } from './settle.ts';
import type { WorkItem } from './work.ts';

/** The notification a settled alert owes from this run, if any. */
function owed(settled: Settled): NotificationKind | 'none' {
  const claim = settled.record.outbox;
  if (!claim) return 'none';
  if (settled.notify !== 'none') return settled.notify;
  // a claim of ours that a conflicting write kept (its lease still runs) is ours to send
  return settled.ourClaims.has(claim.id) ? claim.kind : 'none';
}

/**
 * Delivery of one alert: only the writer that claimed a notification publishes it. If SNS fails,
 * the claim is released (not marked notified), so a retry or the next run sends it; once
 * published, the claim is confirmed and the alert's own event queued.
 */
export async function deliver(
  settled: Settled,
  item: WorkItem,
  ctx: RunContext,
): Promise<SentNotification | undefined> {
  const notify = owed(settled);
  const claim = settled.record.outbox;
  if (notify === 'none' || !claim) return undefined;
  const { record } = settled;
  const place = ctx.places.get(record.cluster);
  const alert = buildAlert(record, notify, {
    source: ctx.source,
    now: ctx.now,
    ...(place ? { place } : {}),
    ...(item.resolution ? { resolution: item.resolution } : {}),
    ...(ctx.runbookBaseUrl ? { runbookBaseUrl: ctx.runbookBaseUrl } : {}),
  });
  let messageId: string | undefined;
  try {
    const res = await ctx.clients.sns.send(new PublishCommand(snsPublishInput(alert, ctx.topicArn)));
    messageId = res.MessageId;
  } catch (err) {
    ctx.log.error('Publishing the alert failed; it stays owed', {
      alertKey: record.key,
      kind: notify,
      error: err,
    });
    ctx.errors.push(new Error(`Publishing ${notify} for ${record.key} failed: ${(err as Error).message}`));
    await ctx.store.release(record, claim.id).catch((releaseErr: unknown) => {
      ctx.log.warn('Releasing the claim failed; it will be sent after the lease runs out', {
        alertKey: record.key,
        error: releaseErr,
      });
    });
    return undefined;
  }
  ctx.log.info('Alert notification published', { alertKey: record.key, kind: notify, messageId });
  await confirm(settled, ctx);
  const event = notificationEvent(record, notify, ctx);
  if (event) ctx.events.push(event);
  return { kind: notify, cluster: record.cluster, alertKey: record.key, ...(messageId ? { messageId } : {}) };
}

/** Marks a published notification as sent; a failure here may cause one duplicate, never a loss. */
async function confirm(settled: Settled, ctx: RunContext): Promise<void> {
  const { record } = settled;
  const claim = record.outbox;
  if (!claim) return;
  try {
    const confirmed = await ctx.store.confirm(record, claim.id, claim);
    if (!confirmed)
      ctx.log.warn('Notification published but its claim was replaced meanwhile', { alertKey: record.key });
  } catch (err) {
    // Published but not confirmed: after the lease runs out it may be sent once more. Not lost.
    ctx.log.warn('Confirming the notification failed; a duplicate may follow', {
      alertKey: record.key,
      error: err,
    });
  }
}
