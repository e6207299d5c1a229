import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { CallCounter } from '../../functions/core/aws/clients.ts';
import {
  advanceFollowUp,
  CHAIN_RELEASED,
  claimFollowUp,
  currentAttempt,
  releaseFollowUp,
} from '../../functions/core/verify/follow-up-claim.ts';
import { createAlertTable } from '../../sandbox/local-alerting.ts';
import { losingFirstResponse } from '../support/lossy-dynamodb.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * The follow-up chain's claim in the alert table (moto's DynamoDB): one chain per launch, and
 * writes whose answer is lost are recognised as done when the SDK retries them.
 */
const _moto = withMoto();
const tableName = 'kops-api-sentinel-follow-up-claims';
const counter = new CallCounter();
const clients = () => createAwsClients({ counter });
let n = 0;
const launch = () => ({
  cluster: 'k8s.example.com',
  instanceId: `i-0${String(++n).padStart(16, '0')}`,
  launchTime: new Date('2026-11-30T10:00:00Z'),
});
const deadline = new Date('2026-11-30T10:15:00Z');

beforeAll(async () => {
  await createAlertTable(clients(), tableName);
});

describe('the follow-up chain claim', () => {
  it('is taken once per launch: a duplicate event finds it taken', async () => {
    const k = launch();
    expect(await claimFollowUp(clients(), tableName, k, deadline)).toBe(true);
    expect(await claimFollowUp(clients(), tableName, k, deadline)).toBe(false);
    expect(await currentAttempt(clients(), tableName, k)).toBe(1);
  });

  it('a claim whose answer was lost is ours when the SDK retries it, and the chain starts', async () => {
    const k = launch();
    const lossy = losingFirstResponse('PutItemCommand');
    expect(await claimFollowUp({ dynamodb: lossy.client }, tableName, k, deadline)).toBe(true);
    expect(lossy.sent()).toBe(2); // the write, and the retry that met it
    expect(await claimFollowUp(clients(), tableName, k, deadline)).toBe(false);
  });

  it('a step whose answer was lost is ours when retried: the chain moves on, not stops', async () => {
    const k = launch();
    await claimFollowUp(clients(), tableName, k, deadline);
    const lossy = losingFirstResponse('UpdateItemCommand');
    expect(await advanceFollowUp({ dynamodb: lossy.client }, tableName, k, 1, 2)).toBe(true);
    expect(lossy.sent()).toBe(2);
    expect(await currentAttempt(clients(), tableName, k)).toBe(2);
    // a replayed copy of the same round finds the chain moved on
    expect(await advanceFollowUp(clients(), tableName, k, 1, 2)).toBe(false);
  });

  it('a released claim (its message could not be queued) is claimed again by the retried run, with no delete', async () => {
    const k = launch();
    await claimFollowUp(clients(), tableName, k, deadline);
    counter.reset();
    await releaseFollowUp(clients(), tableName, k);
    expect(await currentAttempt(clients(), tableName, k)).toBe(CHAIN_RELEASED);
    // granted actions only: the release is an update (the stack grants no DeleteItem)
    expect([...counter.calls.keys()]).toEqual(['DynamoDB.UpdateItem', 'DynamoDB.GetItem']);
    expect(await claimFollowUp(clients(), tableName, k, deadline)).toBe(true);
    expect(await currentAttempt(clients(), tableName, k)).toBe(1);
  });
});
