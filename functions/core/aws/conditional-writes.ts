import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isAwsError } from './errors.ts';

/**
 * Conditional DynamoDB writes that survive a lost response. Every write stamps a fresh token on
 * the item and asks for the stored item back when its condition fails
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`). When the SDK retries a write whose first try
 * succeeded but whose answer was lost, the retry's condition fails on our own earlier write: the
 * returned item carries this write's token, and the write counts as done, not as a conflict.
 */
export const WRITE_TOKEN = 'writeToken';

/** A stored item as plain JavaScript values (the document client's view). */
export type PlainItem = Record<string, unknown>;

const documentClients = new WeakMap<DynamoDBClient, DynamoDBDocumentClient>();

/**
 * The document client over a DynamoDB client, built once per client: items go in and come out as
 * plain values, so nothing here marshals attribute values by hand.
 */
export function documentClient(ddb: DynamoDBClient): DynamoDBDocumentClient {
  let doc = documentClients.get(ddb);
  if (!doc) {
    doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
    documentClients.set(ddb, doc);
  }
  return doc;
}

export function isConditionalFailure(err: unknown): boolean {
  return isAwsError(err, 'ConditionalCheckFailedException');
}

/**
 * The item a failed condition returned (ReturnValuesOnConditionCheckFailure: ALL_OLD), if any, as
 * plain values. The document client does not translate errors: the item on the error is still in
 * DynamoDB's attribute-value form and is unmarshalled here.
 */
export function itemOf(err: unknown): PlainItem | undefined {
  const item = (err as { Item?: Record<string, AttributeValue> }).Item;
  if (!item || typeof item !== 'object' || Object.keys(item).length === 0) return undefined;
  return unmarshall(item);
}

/** Whether a failed condition found this very write already applied (its response was lost). */
export function ownWrite(err: unknown, token: string): boolean {
  return itemOf(err)?.[WRITE_TOKEN] === token;
}
