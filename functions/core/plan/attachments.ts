import { isAttachedTo } from '../lb/port.ts';
import type { Picture } from '../observe/picture.ts';
import { Builder, existing } from './builder.ts';
import type { Plan } from './steps.ts';

/**
 * The first half of a plan: configured load balancers that do not exist, and each group's
 * attachment to each existing load balancer.
 */
export function planAttachments(picture: Picture): Plan {
  const b = new Builder();
  for (const lb of picture.lbs) {
    if (lb.exists) continue;
    b.add({
      code: 'LOAD_BALANCER_NOT_FOUND',
      resource: lb.label,
      expected: 'exists',
      actual: 'not found',
      message: `the configured load balancer ${lb.label} does not exist in this account and region`,
    });
  }
  for (const group of picture.scope.groups) {
    for (const lb of existing(picture)) {
      const resource = `${lb.label}:${group.name}`;
      if (isAttachedTo(lb.ref, group)) {
        b.add({
          code: 'LB_ATTACHED',
          resource,
          expected: 'attached',
          actual: 'attached',
          message: `${lb.label} is attached to ${group.name}`,
        });
        continue;
      }
      const step = b.step({ kind: 'attach', lb: lb.label, group: group.name });
      b.add({
        code: 'LB_NOT_ATTACHED',
        resource,
        expected: 'attached',
        actual: 'not attached',
        message: `${lb.label} was not attached to ${group.name}`,
        repair: { step, done: 'Attached it' },
      });
    }
  }
  return b.plan();
}
