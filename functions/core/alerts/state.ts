import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isConditionalFailure, itemOf, ownWrite, WRITE_TOKEN } from '../aws/conditional-writes.ts';
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

type Item = Record<string, AttributeValue>;

const s = (v: string): AttributeValue => ({ S: v });
const n = (v: number): AttributeValue => ({ N: String(v) });

function str(item: Item, name: string): string | undefined {
  const v = item[name];
  return v && 'S' in v ? v.S : undefined;
}
function num(item: Item, name: string): number | undefined {
  const v = item[name];
  if (!v || !('N' in v) || v.N === undefined) return undefined;
  const parsed = Number(v.N);
  return Number.isFinite(parsed) ? parsed : undefined;
}
function need<T>(value: T | undefined, name: string, key: string): T {
  if (value === undefined) throw new Error(`Alert item ${key} has no ${name}`);
  return value;
}

export function toItem(r: AlertRecord): Item {
  const item: Item = {
    [ALERT_TABLE_PARTITION_KEY]: s(r.cluster),
    [ALERT_TABLE_SORT_KEY]: s(alertSortKey(r)),
    alertKey: s(r.key),
    cluster: s(r.cluster),
    check: s(r.check),
    resource: s(r.resource),
    code: s(r.code),
    severity: s(r.severity),
    state: s(r.state),
    failures: n(r.failures),
    passes: n(r.passes),
    firstSeen: s(r.firstSeen),
    lastSeen: s(r.lastSeen),
    lastEvaluated: s(r.lastEvaluated),
    notifications: n(r.notifications),
    finding: s(JSON.stringify(r.finding)),
    version: n(r.version),
  };
  if (r.firedAt) item.firedAt = s(r.firedAt);
  if (r.resolvedAt) item.resolvedAt = s(r.resolvedAt);
  if (r.lastNotified) item.lastNotified = s(r.lastNotified);
  if (r.lastNotification) item.lastNotification = s(r.lastNotification);
  if (r.outbox) {
    item.outboxKind = s(r.outbox.kind);
    item.outboxId = s(r.outbox.id);
    item.outboxAt = s(r.outbox.at);
    item.outboxLeaseUntil = n(r.outbox.leaseUntil);
  }
  if (r.failuresBy && Object.keys(r.failuresBy).length > 0) {
    item.failuresBy = { M: Object.fromEntries(Object.entries(r.failuresBy).map(([k, v]) => [k, n(v)])) };
  }
  if (r.ttl !== undefined) item[ALERT_TABLE_TTL_ATTRIBUTE] = n(r.ttl);
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
  if (by && 'M' in by && by.M) {
    for (const [kind, v] of Object.entries(by.M)) {
      const count = num({ v }, 'v');
      if (count !== undefined) record.failuresBy[kind] = count;
    }
  }
  const ttl = num(item, ALERT_TABLE_TTL_ATTRIBUTE);
  if (ttl !== undefined) record.ttl = ttl;
  return record;
}

/** The DynamoDB adapter for alert records. */
/** The table key of an alert record. */
function keyOf(record: AlertRecord): Item {
  return { [ALERT_TABLE_PARTITION_KEY]: s(record.cluster), [ALERT_TABLE_SORT_KEY]: s(alertSortKey(record)) };
}

export class AlertStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    readonly tableName: string,
    private readonly maxPages = 50,
    /** A fresh token per write (default: random UUIDs). */
    private readonly newToken: () => string = randomUUID,
  ) {}

  /** All alert records of one cluster: one (paginated) strongly consistent Query. */
  async loadCluster(cluster: string): Promise<AlertRecord[]> {
    const out: AlertRecord[] = [];
    let startKey: Item | undefined;
    for (let page = 0; page < this.maxPages; page++) {
      const res = await this.ddb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': ALERT_TABLE_PARTITION_KEY },
          ExpressionAttributeValues: { ':pk': s(cluster) },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of res.Items ?? []) out.push(fromItem(item));
      startKey = res.LastEvaluatedKey;
      if (!startKey) return out;
    }
    throw new Error(`Alert records of ${cluster} span more than ${this.maxPages} pages; refusing to read on`);
  }

  async get(cluster: string, sortKey: string): Promise<AlertRecord | undefined> {
    const res = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [ALERT_TABLE_PARTITION_KEY]: s(cluster), [ALERT_TABLE_SORT_KEY]: s(sortKey) },
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
      PutItemCommandInput,
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
            ExpressionAttributeValues: { ':expected': n(expectedVersion) },
          };
    try {
      await this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...toItem(stored), [WRITE_TOKEN]: s(token) },
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
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(record),
          UpdateExpression:
            'SET lastNotified = :at, lastNotification = :kind, notifications = notifications + :one, #v = #v + :one, #t = :token REMOVE outboxKind, outboxId, outboxAt, outboxLeaseUntil',
          ConditionExpression: 'outboxId = :id',
          ExpressionAttributeNames: { '#v': 'version', '#t': WRITE_TOKEN },
          ExpressionAttributeValues: {
            ':at': s(outbox.at),
            ':kind': s(outbox.kind),
            ':one': n(1),
            ':id': s(outboxId),
            ':token': s(token),
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
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(record),
          UpdateExpression: 'SET outboxLeaseUntil = :zero, #v = #v + :one, #t = :token',
          ConditionExpression: 'outboxId = :id AND outboxLeaseUntil <> :zero',
          ExpressionAttributeNames: { '#v': 'version', '#t': WRITE_TOKEN },
          ExpressionAttributeValues: { ':zero': n(0), ':one': n(1), ':id': s(outboxId), ':token': s(token) },
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
