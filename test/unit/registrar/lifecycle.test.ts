import type { CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../functions/core/aws/clients.ts';
import type { ControlPlaneGroup } from '../../../functions/core/discovery/control-plane.ts';
import type { FindingCode } from '../../../functions/core/findings/codes.ts';
import type { Finding } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';
import {
  completeOwnHook,
  completeWaitingHooks,
  hookReadiness,
} from '../../../functions/core/registrar/lifecycle.ts';

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
  readiness: { ready: true } as const,
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

  it('withholds CONTINUE while the instance is not registered everywhere, and calls nothing', async () => {
    const { clients, sent } = autoScaling('ok');
    const f = await completeOwnHook(clients, {
      ...args,
      hook: { name: 'kops-api-sentinel-launch', token: 't-5' },
      readiness: { ready: false, missing: ['elb/api-internal'] },
    });
    expect(f?.code).toBe('LIFECYCLE_ACTION_WITHHELD');
    expect(f?.actual).toContain('elb/api-internal');
    expect(sent).toEqual([]);
  });
});

describe('hook readiness', () => {
  const id = 'i-0b5e3f9c2d7a41e88';
  const labels = ['elb/api-internal', 'targetgroup/api-tcp/0123456789abcdef'];
  const reg = (label: string, code: FindingCode, action: Finding['action'] = 'none'): Finding =>
    finding(code, {
      cluster: 'k8s.example.com',
      resource: `${label}:${id}`,
      expected: 'registered',
      actual: 'x',
      action,
      message: 'x',
    });

  it('is ready when every load balancer has the instance, registered before or by this run', () => {
    expect(
      hookReadiness(
        [
          reg('elb/api-internal', 'INSTANCE_REGISTERED'),
          reg(labels[1] ?? '', 'INSTANCE_NOT_REGISTERED', 'repaired'),
        ],
        id,
        labels,
      ),
    ).toEqual({ ready: true });
  });

  it('is not ready in report-only mode when a registration was only proposed', () => {
    expect(
      hookReadiness(
        [
          reg('elb/api-internal', 'INSTANCE_REGISTERED'),
          reg(labels[1] ?? '', 'INSTANCE_NOT_REGISTERED', 'would-repair'),
        ],
        id,
        labels,
      ),
    ).toEqual({ ready: false, missing: [labels[1]] });
  });

  it('is not ready when a registration failed, a load balancer is missing, or the run failed', () => {
    expect(
      hookReadiness([reg('elb/api-internal', 'INSTANCE_NOT_REGISTERED', 'repair-failed')], id, [
        'elb/api-internal',
      ]),
    ).toEqual({ ready: false, missing: ['elb/api-internal'] });
    expect(hookReadiness([reg('elb/api-internal', 'INSTANCE_REGISTERED')], id, labels).ready).toBe(false);
    expect(
      hookReadiness([reg('elb/api-internal', 'INSTANCE_REGISTERED')], 'i-0000000000000000a', [
        'elb/api-internal',
      ]).ready,
    ).toBe(false);
    const failed = finding('AWS_CALL_FAILED', {
      cluster: 'k8s.example.com',
      resource: 'reconcile',
      expected: 'x',
      actual: 'x',
      message: 'x',
    });
    expect(
      hookReadiness([reg('elb/api-internal', 'INSTANCE_REGISTERED'), failed], id, ['elb/api-internal']).ready,
    ).toBe(false);
  });
});

describe('the sweep and waiting launches', () => {
  const group = (states: [string, string][]): ControlPlaneGroup => ({
    name: args.group,
    cluster: args.cluster,
    role: 'control-plane',
    instances: states.map(([instanceId, lifecycleState]) => ({
      instanceId,
      lifecycleState,
      healthStatus: 'Healthy',
      availabilityZone: 'eu-west-1a',
    })),
    loadBalancerNames: ['api-internal'],
    targetGroupArns: [],
  });
  const registered = (id: string) =>
    finding('INSTANCE_REGISTERED', {
      cluster: args.cluster,
      resource: `elb/api-internal:${id}`,
      expected: 'registered',
      actual: 'registered',
      message: `${id} is registered`,
    });
  /** Auto Scaling with two launch hooks (ours and another's) and one terminate hook of ours. */
  function withHooks() {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const clients = {
      autoscaling: {
        send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
          sent.push({ name: cmd.constructor.name, input: cmd.input });
          if (cmd.constructor.name === 'DescribeLifecycleHooksCommand')
            return {
              LifecycleHooks: [
                {
                  LifecycleHookName: 'kops-api-sentinel-launch',
                  LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
                },
                { LifecycleHookName: 'warm-up', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' },
                {
                  LifecycleHookName: 'kops-api-sentinel-drain',
                  LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
                },
              ],
            };
          return {};
        },
      },
    } as unknown as AwsClients;
    return { clients, sent };
  }
  const waiting = 'i-0aaaaaaaaaaaaaaa1';
  const serving = 'i-0aaaaaaaaaaaaaaa2';

  it('completes our launch hook, by instance id, for a waiting instance found registered everywhere', async () => {
    const { clients, sent } = withHooks();
    const out = await completeWaitingHooks(clients, {
      cluster: args.cluster,
      groups: [
        group([
          [waiting, 'Pending:Wait'],
          [serving, 'InService'],
        ]),
      ],
      findings: [registered(waiting), registered(serving)],
      prefix: args.prefix,
      loadBalancerLabels: ['elb/api-internal'],
    });
    expect(out.map((f) => f.code)).toEqual(['LIFECYCLE_ACTION_COMPLETED']);
    expect(sent.map((s) => s.name)).toEqual([
      'DescribeLifecycleHooksCommand',
      'CompleteLifecycleActionCommand',
    ]);
    expect(sent[1]?.input).toEqual({
      AutoScalingGroupName: args.group,
      LifecycleHookName: 'kops-api-sentinel-launch',
      InstanceId: waiting,
      LifecycleActionResult: 'CONTINUE',
    });
  });

  it('calls nothing when no instance waits, or the waiting one is not registered everywhere', async () => {
    const { clients, sent } = withHooks();
    expect(
      await completeWaitingHooks(clients, {
        cluster: args.cluster,
        groups: [group([[serving, 'InService']]), group([[waiting, 'Pending:Wait']])],
        findings: [registered(serving)],
        prefix: args.prefix,
        loadBalancerLabels: ['elb/api-internal'],
      }),
    ).toEqual([]);
    expect(sent).toEqual([]);
  });
});
