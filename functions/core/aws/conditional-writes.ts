import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * Conditional DynamoDB writes that survive a lost response. Every write stamps a fresh token on
 * the item and asks for the stored item back when its condition fails
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`). When the SDK retries a write whose first try
 * succeeded but whose answer was lost, the retry's condition fails on our own earlier write: the
 * returned item carries this write's token, and the write counts as done, not as a conflict.
 */
export const WRITE_TOKEN = 'writeToken';

export function isConditionalFailure(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException ||
    (err instanceof Error && err.name === 'ConditionalCheckFailedException')
  );
}

/** The item a failed condition returned (ReturnValuesOnConditionCheckFailure: ALL_OLD), if any. */
export function itemOf(err: unknown): Record<string, AttributeValue> | undefined {
  const item = (err as { Item?: Record<string, AttributeValue> }).Item;
  return item && typeof item === 'object' && Object.keys(item).length > 0 ? item : undefined;
}

/** Whether a failed condition found this very write already applied (its response was lost). */
export function ownWrite(err: unknown, token: string): boolean {
  const value = itemOf(err)?.[WRITE_TOKEN];
  return value !== undefined && 'S' in value && value.S === token;
}
