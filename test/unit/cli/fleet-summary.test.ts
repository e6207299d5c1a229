import { describe, expect, it } from 'vitest';
import { whereOf } from '../../../bin/cli/fleet.ts';
import { exitCodeOf, hintFor, renderSummary } from '../../../bin/cli/format.ts';
import { verdictLine } from '../../../bin/cli/progress.ts';
import type { ClusterConfig } from '../../../functions/core/config/schema.ts';
import { accountMismatch, credentialsUnavailable } from '../../../functions/core/findings/access.ts';
import { verdictOf } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';

const cluster = (name: string, account: string, region: string) =>
  ({ name, account, region }) as ClusterConfig;
const prod = cluster('prod.example.com', '111111111111', 'eu-west-1');
const stg = cluster('stg.example.com', '222222222222', 'us-east-1');
const dev = cluster('dev.example.com', '333333333333', 'eu-west-1');
const where = whereOf([prod, stg, dev]);
const ok = (c: ClusterConfig) =>
  finding('CONTROL_PLANE_GROUPS_FOUND', {
    cluster: c.name,
    resource: 'discovery',
    expected: 'x',
    actual: 'x',
    message: 'x',
  });
const ROLE = { kind: 'role', roleArn: 'arn:aws:iam::333333333333:role/kops-api-sentinel-cli' } as const;
const denied = Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), {
  name: 'AccessDenied',
});

describe('the CLI over a fleet', () => {
  it('ends with one summary row per cluster, with its account and region', () => {
    const verdicts = [
      verdictOf(prod.name, [ok(prod)]),
      verdictOf(stg.name, [ok(stg)]),
      verdictOf(dev.name, [credentialsUnavailable(dev, ROLE, denied)]),
    ];
    const lines = renderSummary(verdicts, where).split('\n');
    expect(lines[0]).toBe('summary: 3 cluster(s): 2 in sync, 0 drift, 1 not evaluated');
    expect(lines[1]).toMatch(/^ {2}cluster\s+account\s+region\s+verdict\s+drift\s+passing\s+first problem$/);
    expect(lines[2]).toMatch(/^ {2}prod\.example\.com\s+111111111111\s+eu-west-1\s+IN SYNC\s+0\s+1$/);
    expect(lines[3]).toMatch(/^ {2}stg\.example\.com\s+222222222222\s+us-east-1\s+IN SYNC\s+0\s+1$/);
    expect(lines[4]).toMatch(
      /^ {2}dev\.example\.com\s+333333333333\s+eu-west-1\s+NOT EVALUATED\s+1\s+0\s+CLI_CREDENTIALS_UNAVAILABLE$/,
    );
  });

  it('a cluster it could not reach is not evaluated (exit 3), with a hint naming the role', () => {
    const verdicts = [
      verdictOf(prod.name, [ok(prod)]),
      verdictOf(dev.name, [credentialsUnavailable(dev, ROLE, denied)]),
    ];
    expect(exitCodeOf(verdicts)).toBe(3);
    expect(hintFor(verdicts)).toMatch(
      /^hint: could not evaluate dev\.example\.com \(CLI_CREDENTIALS_UNAVAILABLE\); could not assume arn:aws:iam::333333333333:role\/kops-api-sentinel-cli: /,
    );
    const mismatch = [
      verdictOf(dev.name, [accountMismatch(dev, { kind: 'profile', profile: 'prod' }, '111111111111')]),
    ];
    expect(exitCodeOf(mismatch)).toBe(3);
    expect(hintFor(mismatch)).toBe(
      'hint: could not evaluate dev.example.com (CLI_ACCOUNT_MISMATCH); profile prod acts as account 111111111111, not account 333333333333: set clusters[].cliRoleArn or clusters[].profile of dev.example.com to reach its account and run again',
    );
  });

  it('names where each cluster is in its progress line', () => {
    expect(verdictLine(verdictOf(stg.name, [ok(stg)]), 2, 3, where).split('\n')[0]).toBe(
      '[2/3] stg.example.com (222222222222 us-east-1): in sync, 1 check(s)',
    );
  });
});
