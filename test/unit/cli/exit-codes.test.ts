import { describe, expect, it } from 'vitest';
import {
  awsFaultKind,
  EXIT,
  exitCodeOf,
  hintFor,
  isAwsFault,
  remedyForAwsError,
} from '../../../bin/cli/format.ts';
import { awsCallFailed } from '../../../functions/core/findings/aws-calls.ts';
import { type Finding, verdictOf } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';

const C = 'k8s.example.com';
const drift = finding('INSTANCE_NOT_REGISTERED', {
  cluster: C,
  resource: 'i-0abc',
  expected: 'registered',
  actual: 'not registered',
  message: 'not registered',
});
const caMissing = finding('CA_UNAVAILABLE', {
  cluster: C,
  resource: 'ca',
  expected: 'the cluster CA',
  actual: 'ParameterNotFound: no such parameter',
  message: 'cannot judge TLS',
});
function named(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}
const verdicts = (...findings: Finding[]) => [verdictOf(C, findings)];

describe('CLI exit codes', () => {
  it('0 in sync, 1 drift, 3 when something could not be evaluated, also beside drift', () => {
    expect(exitCodeOf(verdicts())).toBe(EXIT.inSync);
    expect(exitCodeOf(verdicts(drift))).toBe(EXIT.drift);
    expect(exitCodeOf(verdicts(drift, caMissing))).toBe(EXIT.couldNotEvaluate);
    const failed = awsCallFailed(C, 'registrar', 'discovery', named('ThrottlingException', 'Rate exceeded'));
    expect(exitCodeOf(verdicts(failed))).toBe(3);
    expect(hintFor(verdicts(drift))).toBeUndefined();
  });

  it('gives one hint line that fits the cause', () => {
    const noCreds = awsCallFailed(
      C,
      'verifier',
      'verification',
      named('CredentialsProviderError', 'Could not load credentials from any providers'),
    );
    for (const [f, want] of [
      [noCreds, /no usable AWS credentials/],
      [caMissing, /ca import/],
      [awsCallFailed(C, 'registrar', 'discovery', named('AccessDenied', 'not allowed')), /permission/],
      [awsCallFailed(C, 'registrar', 'discovery', named('TimeoutError', 'socket hang up')), /did not answer/],
    ] as const) {
      const hint = hintFor(verdicts(f)) ?? '';
      expect(hint).toMatch(/^hint: could not evaluate k8s\.example\.com/);
      expect(hint).toMatch(want);
      expect(hint).not.toContain('\n');
    }
    expect(remedyForAwsError('ExpiredToken: The security token included in the request is expired')).toMatch(
      /credentials/,
    );
  });

  it('treats SDK errors as AWS faults and other errors as bugs', () => {
    expect(isAwsFault(named('CredentialsProviderError', 'Could not load credentials'))).toBe(true);
    expect(isAwsFault(Object.assign(named('ThrottlingException', 'slow down'), { $fault: 'client' }))).toBe(
      true,
    );
    expect(isAwsFault(new TypeError('x is undefined'))).toBe(false);
    expect(isAwsFault('a string')).toBe(false);
  });

  it('names the kind of AWS fault in the error line', () => {
    expect(awsFaultKind('CredentialsProviderError: Could not load credentials')).toBe('AWS credentials');
    expect(awsFaultKind('AccessDenied: not allowed')).toBe('AWS permission');
    expect(awsFaultKind('Error: connect ECONNREFUSED 127.0.0.1:1')).toBe('AWS unreachable');
    expect(awsFaultKind('TimeoutError: socket hang up')).toBe('AWS unreachable');
    expect(awsFaultKind('ThrottlingException: Rate exceeded')).toBe('AWS call failed');
  });
});
