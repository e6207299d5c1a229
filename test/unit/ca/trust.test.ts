import { describe, expect, it } from 'vitest';
import { combineJudgements, type GroupJudgement } from '../../../functions/core/ca/trust.ts';

type Code = 'OK' | 'EXPIRING' | 'UNTRUSTED' | 'HOSTNAME';
const j = (group: string | undefined, code: Code, reason = code.toLowerCase()): GroupJudgement<Code> => ({
  ...(group !== undefined ? { group } : {}),
  code,
  reason,
  accepted: code === 'OK' || code === 'EXPIRING',
});

describe('combineJudgements: one chain, one verdict per node group', () => {
  it('all accept: OK, or the warning one group sees', () => {
    expect(combineJudgements([j('a', 'OK'), j('b', 'OK')], 'OK')).toEqual({
      code: 'OK',
      reason: 'ok',
      rejectedBy: [],
      acceptedBy: ['a', 'b'],
    });
    expect(combineJudgements([j('a', 'OK'), j('b', 'EXPIRING')], 'OK').code).toBe('EXPIRING');
  });

  it('some reject (rotation in flight): the rejecting groups are named, with the accepting ones', () => {
    const out = combineJudgements(
      [j('a', 'OK'), j('b', 'UNTRUSTED', 'signed by X'), j('c', 'UNTRUSTED', 'signed by X')],
      'OK',
    );
    expect(out.code).toBe('UNTRUSTED');
    expect(out.rejectedBy).toEqual([
      { group: 'b', code: 'UNTRUSTED', reason: 'signed by X' },
      { group: 'c', code: 'UNTRUSTED', reason: 'signed by X' },
    ]);
    expect(out.acceptedBy).toEqual(['a']);
    expect(out.reason).toBe(
      'node groups b, c would reject it: signed by X (accepted by a: a CA rotation not yet rolled out to every group?)',
    );
  });

  it('different reasons are all given; one group alone is singular', () => {
    const out = combineJudgements([j('a', 'HOSTNAME', 'no SAN'), j('b', 'UNTRUSTED', 'signed by X')], 'OK');
    expect(out.code).toBe('HOSTNAME');
    expect(out.reason).toBe('node groups a, b would reject it: no SAN; b: signed by X');
    expect(combineJudgements([j('a', 'UNTRUSTED', 'x'), j('b', 'OK')], 'OK').reason).toMatch(
      /^node group a would reject it: x \(accepted by b/,
    );
  });

  it('a cluster-wide bundle keeps its verdict as it is', () => {
    expect(combineJudgements([j(undefined, 'UNTRUSTED', 'signed by X')], 'OK')).toEqual({
      code: 'UNTRUSTED',
      reason: 'signed by X',
      rejectedBy: [{ group: 'the cluster', code: 'UNTRUSTED', reason: 'signed by X' }],
      acceptedBy: [],
    });
  });

  it('refuses to combine nothing', () => {
    expect(() => combineJudgements([], 'OK')).toThrow(/no judgement/);
  });
});
