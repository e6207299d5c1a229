import { describe, expect, it } from 'vitest';
import { isGone, noting, tagsOf } from '../../../functions/core/init/reads.ts';

function awsError(name: string, message = 'from AWS'): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

describe("init's reads: a resource gone is noted, any other fault stops init", () => {
  it.each([
    ['TargetGroupNotFoundException', true],
    ['LoadBalancerNotFound', true],
    ['InvalidSubnetID.NotFound', true],
    ['InvalidLaunchTemplateId.NotFound', true],
    ['InvalidGroup.NotFound', true],
    ['AccessDenied', false],
    ['ExpiredToken', false],
    ['Throttling', false],
    ['TimeoutError', false],
    // credential faults whose names look like an invalid id: they stop init (exit 3)
    ['InvalidClientTokenId', false],
    ['InvalidAccessKeyId', false],
    ['UnrecognizedClientException', false],
  ])('%s is gone: %s', (name, gone) => {
    expect(isGone(awsError(name))).toBe(gone);
  });

  it('noting keeps the problem with what was read and goes on; other errors are thrown', async () => {
    const problems: string[] = [];
    const missing = await noting(problems, 'target group arn:tg', () =>
      Promise.reject(awsError('TargetGroupNotFoundException', 'One or more target groups not found')),
    );
    expect(missing).toBeUndefined();
    expect(problems).toEqual([
      'target group arn:tg: TargetGroupNotFoundException: One or more target groups not found',
    ]);
    await expect(noting(problems, 'x', () => Promise.reject(awsError('AccessDenied')))).rejects.toThrow(
      'from AWS',
    );
    expect(await noting(problems, 'y', () => Promise.resolve(7))).toBe(7);
    expect(problems).toHaveLength(1);
  });

  it('tags as a record; an absent list is none', () => {
    expect(tagsOf([{ Key: 'Name', Value: 'api.k8s.example.com' }, { Key: 'KubernetesCluster' }])).toEqual({
      Name: 'api.k8s.example.com',
      KubernetesCluster: '',
    });
    expect(tagsOf(undefined)).toEqual({});
  });
});
