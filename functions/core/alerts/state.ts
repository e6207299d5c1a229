import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  isConditionalFailure,
  itemOf,
  ownWrite,
  type PlainItem,
  WRITE_TOKEN,
} from '../aws/conditional-writes.ts';
import type { CheckKind, Finding, Severity } from '../findings/finding.ts';
import type { AlertRecord, AlertState, NotificationKind } from './policy.ts';

/**
 * Alert state in DynamoDB. One item per alert: partition key = cluster (one Query loads a
 * cluster's alerts), sort key = `<check>#<resource>#<code>`. Writes are conditional on `version`
 * (optimistic concurrency); `ttl` (epoch seconds) lets DynamoDB expire records nobody touches.
 *
 * Every write also stamps a fresh `writeToken`. A conditional write whose response is lost is
 * retried by the SDK, and the retry fails its own condition; the failure returns the stored item
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), and when that item carries this write's token
 * the write is our own and counts as done, not as a conflict.
 */
export const ALERT_TABLE_PARTITION_KEY = 'pk';
export const ALERT_TABLE_SORT_KEY = 'sk';
export const ALERT_TABLE_TTL_ATTRIBUTE = 'ttl';
/** The table's key schema, for the stack and for tests that create the table. */
export const ALERT_TABLE_KEYS = {
  partitionKey: ALERT_TABLE_PARTITION_KEY,
  sortKey: ALERT_TABLE_SORT_KEY,
  ttlAttribute: ALERT_TABLE_TTL_ATTRIBUTE,
} as const;

/**
 * Items of the alert table that are not alerts (the fleet hub's applied-report marks,
 * functions/core/fleet/claim.ts) have sort keys starting with this; no alert's does (it starts
 * with a check kind), and loadCluster skips them.
 */
export const NOT_AN_ALERT_PREFIX = '#';

export function alertSortKey(a: { check: string; resource: string; code: string }): string {
  return `${a.check}#${a.resource}#${a.code}`;
}

/** Another writer changed the record since it was read: re-read and decide again. */
export class AlertWriteConflict extends Error {
  constructor(
    readonly key: string,
    /** The record as stored when the condition failed (undefined: none, or not returned). */
    readonly current?: AlertRecord,
  ) {
    super(`Alert ${key} was changed by another writer`);
    this.name = 'AlertWriteConflict';
  }
}

type Item = PlainItem;

function str(item: Item, name: string): string | undefined {
  const v = item[name];
  return typeof v === 'string' ? v : undefined;
}
function num(item: Item, name: string): number | undefined {
  const v = item[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function need<T>(value: T | undefined, name: string, key: string): T {
  if (value === undefined) throw new Error(`Alert item ${key} has no ${name}`);
  return value;
}

export function toItem(r: AlertRecord): Item {
  const item: Item = {
    [ALERT_TABLE_PARTITION_KEY]: r.cluster,
    [ALERT_TABLE_SORT_KEY]: alertSortKey(r),
    alertKey: r.key,
    cluster: r.cluster,
    check: r.check,
    resource: r.resource,
    code: r.code,
    severity: r.severity,
    state: r.state,
    failures: r.failures,
    passes: r.passes,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    lastEvaluated: r.lastEvaluated,
    notifications: r.notifications,
    finding: JSON.stringify(r.finding),
    version: r.version,
  };
  if (r.firedAt) item.firedAt = r.firedAt;
  if (r.resolvedAt) item.resolvedAt = r.resolvedAt;
  if (r.lastNotified) item.lastNotified = r.lastNotified;
  if (r.lastNotification) item.lastNotification = r.lastNotification;
  if (r.outbox) {
    item.outboxKind = r.outbox.kind;
    item.outboxId = r.outbox.id;
    item.outboxAt = r.outbox.at;
    item.outboxLeaseUntil = r.outbox.leaseUntil;
  }
  if (r.failuresBy && Object.keys(r.failuresBy).length > 0) {
    item.failuresBy = { ...r.failuresBy };
  }
  if (r.ttl !== undefined) item[ALERT_TABLE_TTL_ATTRIBUTE] = r.ttl;
  return item;
}

export function fromItem(item: Item): AlertRecord {
  const key =
    str(item, 'alertKey') ?? `${str(item, ALERT_TABLE_PARTITION_KEY)}/${str(item, ALERT_TABLE_SORT_KEY)}`;
  const record: AlertRecord = {
    key,
    cluster: need(str(item, 'cluster'), 'cluster', key),
    check: need(str(item, 'check'), 'check', key) as CheckKind,
    resource: need(str(item, 'resource'), 'resource', key),
    code: need(str(item, 'code'), 'code', key),
    severity: need(str(item, 'severity'), 'severity', key) as Severity,
    state: need(str(item, 'state'), 'state', key) as AlertState,
    failures: num(item, 'failures') ?? 0,
    passes: num(item, 'passes') ?? 0,
    firstSeen: need(str(item, 'firstSeen'), 'firstSeen', key),
    lastSeen: need(str(item, 'lastSeen'), 'lastSeen', key),
    lastEvaluated: need(str(item, 'lastEvaluated'), 'lastEvaluated', key),
    notifications: num(item, 'notifications') ?? 0,
    finding: JSON.parse(need(str(item, 'finding'), 'finding', key)) as Finding,
    version: need(num(item, 'version'), 'version', key),
  };
  const firedAt = str(item, 'firedAt');
  if (firedAt) record.firedAt = firedAt;
  const resolvedAt = str(item, 'resolvedAt');
  if (resolvedAt) record.resolvedAt = resolvedAt;
  const lastNotified = str(item, 'lastNotified');
  if (lastNotified) record.lastNotified = lastNotified;
  const lastNotification = str(item, 'lastNotification');
  if (lastNotification) record.lastNotification = lastNotification as NotificationKind;
  const outboxId = str(item, 'outboxId');
  const outboxKind = str(item, 'outboxKind');
  const outboxAt = str(item, 'outboxAt');
  if (outboxId && outboxKind && outboxAt) {
    record.outbox = {
      id: outboxId,
      kind: outboxKind as NotificationKind,
      at: outboxAt,
      leaseUntil: num(item, 'outboxLeaseUntil') ?? 0,
    };
  }
  const by = item.failuresBy;
  record.failuresBy = {};
  if (by && typeof by === 'object' && !Array.isArray(by)) {
    for (const [kind, v] of Object.entries(by)) {
      const count = num({ v }, 'v');
      if (count !== undefined) record.failuresBy[kind] = count;
    }
  }
  const ttl = num(item, ALERT_TABLE_TTL_ATTRIBUTE);
  if (ttl !== undefined) record.ttl = ttl;
  return record;
}

/** The table key of an alert record. */
function keyOf(record: AlertRecord): Item {
  return { [ALERT_TABLE_PARTITION_KEY]: record.cluster, [ALERT_TABLE_SORT_KEY]: alertSortKey(record) };
}

/** The DynamoDB adapter for alert records (through the document client: items are plain values). */
export class AlertStore {
  private readonly ddb: DynamoDBDocumentClient;

  constructor(
    ddb: DynamoDBClient,
    readonly tableName: string,
    private readonly maxPages = 50,
    /** A fresh token per write (default: random UUIDs). */
    private readonly newToken: () => string = randomUUID,
  ) {
    this.ddb = documentClient(ddb);
  }

  /** All alert records of one cluster: one (paginated) strongly consistent Query (other items skipped). */
  async loadCluster(cluster: string): Promise<AlertRecord[]> {
    const out: AlertRecord[] = [];
    let startKey: Item | undefined;
    for (let page = 0; page < this.maxPages; page++) {
      const res = await this.ddb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': ALERT_TABLE_PARTITION_KEY },
          ExpressionAttributeValues: { ':pk': cluster },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of res.Items ?? [])
        if (!String(item[ALERT_TABLE_SORT_KEY]).startsWith(NOT_AN_ALERT_PREFIX)) out.push(fromItem(item));
      startKey = res.LastEvaluatedKey;
      if (!startKey) return out;
    }
    throw new Error(`Alert records of ${cluster} span more than ${this.maxPages} pages; refusing to read on`);
  }

  async get(cluster: string, sortKey: string): Promise<AlertRecord | undefined> {
    const res = await this.ddb.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [ALERT_TABLE_PARTITION_KEY]: cluster, [ALERT_TABLE_SORT_KEY]: sortKey },
        ConsistentRead: true,
      }),
    );
    return res.Item ? fromItem(res.Item) : undefined;
  }

  /**
   * Writes the record if the stored version is still `expectedVersion` (0: no record may exist).
   * Returns the record as stored (version = expectedVersion + 1); throws AlertWriteConflict otherwise.
   */
  async put(record: AlertRecord, expectedVersion: number): Promise<AlertRecord> {
    const stored: AlertRecord = { ...record, version: expectedVersion + 1 };
    const token = this.newToken();
    const conditional: Pick<
      PutCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > =
      expectedVersion === 0
        ? {
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': ALERT_TABLE_PARTITION_KEY },
          }
        : {
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          };
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...toItem(stored), [WRITE_TOKEN]: token },
          ...conditional,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      if (ownWrite(err, token)) return stored;
      const current = itemOf(err);
      throw new AlertWriteConflict(record.key, current ? fromItem(current) : undefined);
    }
    return stored;
  }

  /**
   * Marks the claimed notification as published: stamps lastNotified, clears the outbox, bumps the
   * version. Conditional on the claim still being there; returns false if another writer replaced it.
   */
  async confirm(
    record: AlertRecord,
    outboxId: string,
    outbox: { kind: NotificationKind; at: string },
  ): Promise<boolean> {
    const token = this.newToken();
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(record),
          UpdateExpression:
            'SET lastNotified = :at, lastNotification = :kind, notifications = notifications + :one, #v = #v + :one, #t = :token REMOVE outboxKind, outboxId, outboxAt, outboxLeaseUntil',
          ConditionExpression: 'outboxId = :id',
          ExpressionAttributeNames: { '#v': 'version', '#t': WRITE_TOKEN },
          ExpressionAttributeValues: {
            ':at': outbox.at,
            ':kind': outbox.kind,
            ':one': 1,
            ':id': outboxId,
            ':token': token,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return ownWrite(err, token);
      throw err;
    }
  }

  /** Releases a claim whose publishing failed, so the next run sends it. Returns false if the claim is gone. */
  async release(record: AlertRecord, outboxId: string): Promise<boolean> {
    const token = this.newToken();
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(record),
          UpdateExpression: 'SET outboxLeaseUntil = :zero, #v = #v + :one, #t = :token',
          ConditionExpression: 'outboxId = :id AND outboxLeaseUntil <> :zero',
          ExpressionAttributeNames: { '#v': 'version', '#t': WRITE_TOKEN },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':id': outboxId, ':token': token },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return ownWrite(err, token);
      throw err;
    }
  }
}
