import { describe, expect, it } from 'vitest';
import { INSTANCE_ID, instanceIdOf } from '../../../functions/core/discovery/instance-id.ts';

describe('the one instance-id pattern', () => {
  it.each([
    ['i-0123456789abcdef0', true],
    ['i-01234567', true],
    ['i-0123456', false],
    ['i-0123456789abcdef01', false],
    ['i-0123456G', false],
    ['10.0.1.5', false],
    ['elb/api:i-01234567', false],
  ])('%s is an instance id: %s', (id, ok) => expect(INSTANCE_ID.test(id)).toBe(ok));

  it.each([
    ['i-0123456789abcdef0', 'i-0123456789abcdef0'],
    ['elb/api-internal-k8s:i-0fedcba9876543210', 'i-0fedcba9876543210'],
    ['targetgroup/api-k8s/0123456789abcdef:i-01234567', 'i-01234567'],
    ['targetgroup/api-k8s/0123456789abcdef', undefined],
    ['elb/api:10.0.1.5', undefined],
  ])('the instance of %s is %s', (resource, id) => expect(instanceIdOf(resource)).toBe(id));
});
