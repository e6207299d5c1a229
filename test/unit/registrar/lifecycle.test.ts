import type { CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../functions/core/aws/clients.ts';
import { completeOwnHook } from '../../../functions/core/registrar/lifecycle.ts';

/**
 * moto does not implement CompleteLifecycleAction, so this stands in for Auto Scaling: it records
 * what it is asked and answers as AWS does (a token that is no longer valid is a ValidationError).
 */
function autoScaling(answer: 'ok' | 'validation' | 'throttled') {
  const sent: CompleteLifecycleActionCommand['input'][] = [];
  const clients = {
    autoscaling: {
      send: async (cmd: CompleteLifecycleActionCommand) => {
        sent.push(cmd.input);
        if (answer === 'validation')
          throw Object.assign(new Error('No active Lifecycle Action found'), { name: 'ValidationError' });
        if (answer === 'throttled') throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
        return {};
      },
    },
  } as unknown as AwsClients;
  return { clients, sent };
}

const args = {
  cluster: 'k8s.example.com',
  group: 'control-plane-eu-west-1a.masters.k8s.example.com',
  instanceId: 'i-0b5e3f9c2d7a41e88',
  prefix: 'kops-api-sentinel',
};

describe('lifecycle hooks', () => {
  it('completes its own hook with CONTINUE', async () => {
    const { clients, sent } = autoScaling('ok');
    const f = await completeOwnHook(clients, {
      ...args,
      hook: { name: 'kops-api-sentinel-launch', token: 't-1' },
    });
    expect(f?.code).toBe('LIFECYCLE_ACTION_COMPLETED');
    expect(sent).toEqual([
      {
        AutoScalingGroupName: args.group,
        LifecycleHookName: 'kops-api-sentinel-launch',
        LifecycleActionToken: 't-1',
        InstanceId: args.instanceId,
        LifecycleActionResult: 'CONTINUE',
      },
    ]);
  });

  it('leaves hooks of others alone', async () => {
    const { clients, sent } = autoScaling('ok');
    expect(
      await completeOwnHook(clients, { ...args, hook: { name: 'drain-hook', token: 't-2' } }),
    ).toBeUndefined();
    expect(sent).toEqual([]);
  });

  it('treats a token that is no longer valid (duplicate event, timed-out hook) as done', async () => {
    const { clients } = autoScaling('validation');
    const f = await completeOwnHook(clients, {
      ...args,
      hook: { name: 'kops-api-sentinel-launch', token: 't-3' },
    });
    expect(f?.code).toBe('LIFECYCLE_ACTION_COMPLETED');
  });

  it('reports any other failure as a finding, naming the hook', async () => {
    const { clients } = autoScaling('throttled');
    const f = await completeOwnHook(clients, {
      ...args,
      hook: { name: 'kops-api-sentinel-launch', token: 't-4' },
    });
    expect(f?.code).toBe('LIFECYCLE_ACTION_FAILED');
    expect(f?.resource).toBe(`${args.group}:kops-api-sentinel-launch`);
    expect(f?.actual).toContain('Throttling');
  });
});
