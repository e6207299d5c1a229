import { describe, expect, it } from 'vitest';
import { coldStartRowsOf, type InitCost, medianRatio, runPairs } from '../../../bench/init-cost.ts';

const cost = (cpuMs: number, maxRssKiB = 100_000): InitCost => ({ cpuMs, wallMs: cpuMs, maxRssKiB });

describe('runPairs', () => {
  it('warms up both, then alternates which side goes first', () => {
    const order: string[] = [];
    const pairs = runPairs('fn', 'base', 4, (file) => {
      order.push(file);
      return cost(1);
    });
    expect(order).toEqual(['fn', 'base', 'fn', 'base', 'base', 'fn', 'fn', 'base', 'base', 'fn']);
    expect(pairs.fn).toHaveLength(4);
    expect(pairs.base).toHaveLength(4);
  });
});

describe('medianRatio', () => {
  it('is the median of the per-pair ratios', () => {
    const p = { fn: [cost(30), cost(20), cost(100)], base: [cost(10), cost(20), cost(50)] };
    // ratios 3, 1, 2
    expect(medianRatio(p, (c) => c.cpuMs)).toBe(2);
  });
});

describe('coldStartRowsOf', () => {
  it('passes at 1.3 and fails above, for CPU and RSS alike', () => {
    const pass = coldStartRowsOf('registrar', ['@aws-sdk/client-ec2'], {
      fn: [cost(130, 130)],
      base: [cost(100, 100)],
    });
    expect(pass.slice(0, 2).map((r) => r.verdict)).toEqual(['pass', 'pass']);
    const fail = coldStartRowsOf('registrar', ['@aws-sdk/client-ec2'], {
      fn: [cost(140, 140)],
      base: [cost(100, 100)],
    });
    expect(fail.slice(0, 2).map((r) => [r.figure, r.verdict])).toEqual([
      [1.4, 'FAIL'],
      [1.4, 'FAIL'],
    ]);
    expect(fail[0]?.note).toBe('registrar baseline: client-ec2');
  });
});
