import { describe, expect, it } from 'vitest';
import { deregisterEach } from '../../../functions/core/lb/errors.ts';

/** A load balancer that refuses a batch naming an instance it no longer has, as ELB and ELBv2 do. */
function loadBalancer(registered: string[]) {
  const calls: string[][] = [];
  const held = new Set(registered);
  const call = async (ids: string[]) => {
    calls.push(ids);
    if (ids.some((id) => !held.has(id)))
      throw Object.assign(new Error('not registered'), { name: 'InvalidTargetException' });
    for (const id of ids) held.delete(id);
  };
  return { call, calls, held };
}

describe('deregistering a batch', () => {
  it('one call when every instance is there', async () => {
    const lb = loadBalancer(['i-0000000000000000a', 'i-0000000000000000b']);
    await deregisterEach(['i-0000000000000000a', 'i-0000000000000000b'], lb.call, ['InvalidTarget']);
    expect(lb.calls).toHaveLength(1);
    expect([...lb.held]).toEqual([]);
  });

  it('an instance already gone does not keep the others registered', async () => {
    const lb = loadBalancer(['i-0000000000000000b']);
    await deregisterEach(['i-0000000000000000a', 'i-0000000000000000b'], lb.call, ['InvalidTarget']);
    expect([...lb.held]).toEqual([]);
    expect(lb.calls).toEqual([
      ['i-0000000000000000a', 'i-0000000000000000b'],
      ['i-0000000000000000a'],
      ['i-0000000000000000b'],
    ]);
  });

  it('other errors are not swallowed', async () => {
    const call = async () => {
      throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
    };
    await expect(deregisterEach(['i-0000000000000000a'], call, ['InvalidTarget'])).rejects.toThrow('denied');
  });
});
