import { describe, expect, it } from 'vitest';
import { explainCallChanges } from '../../../bench/call-changes.ts';
import type { Row } from '../../../bench/table.ts';

const row = (calls: Record<string, number>): Row => ({
  area: 'registrar',
  measure: 'calls per launch event',
  value: '',
  target: '≤ 3',
  verdict: 'pass',
  calls,
});
const before = { 'registrar | calls per launch event': 3 };
const three = { 'AutoScaling.DescribeAutoScalingGroups': 1, 'ELBv2.DescribeTargetHealth': 2 };
const two = { 'AutoScaling.DescribeAutoScalingGroups': 1, 'ELBv2.DescribeTargetHealth': 1 };

describe('explainCallChanges', () => {
  it('leaves an unchanged count alone', () => {
    const r = row(three);
    expect(explainCallChanges([r], before, {})).toEqual([r]);
  });

  it('fails a changed count that has no reason, saying where to give one', () => {
    const [out] = explainCallChanges([row(two)], before, {});
    expect(out?.verdict).toBe('FAIL');
    expect(out?.note).toContain('3 → 2 AWS calls');
    expect(out?.note).toContain('bench/call-changes.ts');
  });

  it('notes the reason of a changed count and keeps its verdict', () => {
    const why = { 'registrar | calls per launch event': 'target health is read once per target group' };
    const [out] = explainCallChanges([row(two)], before, why);
    expect(out?.verdict).toBe('pass');
    expect(out?.note).toContain('3 → 2 AWS calls since 3de9022: target health is read once per target group');
  });

  it('ignores rows without calls or without a count before', () => {
    const r: Row = { area: 'bundle', measure: 'x', value: '1', target: '—', verdict: 'info' };
    const other = { ...row(two), measure: 'a new row' };
    expect(explainCallChanges([r, other], before, {})).toEqual([r, other]);
  });
});
