import { describe, expect, it } from 'vitest';
import { verdictLine } from '../../../bin/cli/progress.ts';
import { verdictOf } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';

const f = (code: Parameters<typeof finding>[0], resource: string) =>
  finding(code, { cluster: 'k8s.example.com', resource, expected: 'x', actual: 'x', message: 'x' });

describe('progress lines', () => {
  it('one line for the cluster, then one per check it ran, with its drift', () => {
    const v = verdictOf('k8s.example.com', [
      f('CONTROL_PLANE_GROUPS_FOUND', 'discovery'),
      f('INSTANCE_REGISTERED', 'elb/api:i-0000000000000000a'),
      f('INSTANCE_NOT_REGISTERED', 'elb/api:i-0000000000000000b'),
      f('TLS_OK', 'i-0000000000000000a'),
    ]);
    expect(verdictLine(v, 2, 5).split('\n')).toEqual([
      '[2/5] k8s.example.com: DRIFT (1 drift finding), 4 check(s)',
      '      discovery: ok (1)',
      '      registration: DRIFT 1 of 2',
      '      tls: ok (1)',
    ]);
  });
});
