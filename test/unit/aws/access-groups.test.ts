import { describe, expect, it } from 'vitest';
import { credentialSourceOf, groupByAccess, sourceLabel } from '../../../functions/core/aws/access-groups.ts';
import type { ClusterConfig } from '../../../functions/core/config/schema.ts';

const cluster = (name: string, account: string, region: string, extra: Partial<ClusterConfig> = {}) =>
  ({ name, account, region, ...extra }) as ClusterConfig;
const ROLE_A = 'arn:aws:iam::111111111111:role/sentinel-cli';

describe('how the CLI reaches each cluster', () => {
  it('takes the role, else the profile, else the default chain', () => {
    expect(credentialSourceOf({ cliRoleArn: ROLE_A })).toEqual({ kind: 'role', roleArn: ROLE_A });
    expect(credentialSourceOf({ profile: 'staging' })).toEqual({ kind: 'profile', profile: 'staging' });
    expect(credentialSourceOf({})).toEqual({ kind: 'default' });
    expect(sourceLabel({ kind: 'profile', profile: 'staging' })).toBe('profile staging');
    expect(sourceLabel({ kind: 'default' })).toBe('default credentials');
  });

  it('groups clusters by account, region and credential source, in config order', () => {
    const clusters = [
      cluster('a1', '111111111111', 'eu-west-1', { cliRoleArn: ROLE_A }),
      cluster('d1', '123456789012', 'eu-west-1'),
      cluster('a2', '111111111111', 'us-east-1', { cliRoleArn: ROLE_A }),
      cluster('a3', '111111111111', 'eu-west-1', { cliRoleArn: ROLE_A }),
      cluster('p1', '111111111111', 'eu-west-1', { profile: 'a-admin' }),
      cluster('d2', '123456789012', 'eu-west-1'),
    ];
    const groups = groupByAccess(clusters);
    expect(groups.map((g) => [g.key, g.clusters.map((c) => c.name)])).toEqual([
      [`111111111111/eu-west-1/${ROLE_A}`, ['a1', 'a3']],
      ['123456789012/eu-west-1/default credentials', ['d1', 'd2']],
      [`111111111111/us-east-1/${ROLE_A}`, ['a2']],
      ['111111111111/eu-west-1/profile a-admin', ['p1']],
    ]);
    expect(groups[2]).toMatchObject({ account: '111111111111', region: 'us-east-1' });
    // every cluster in exactly one group
    expect(groups.flatMap((g) => g.clusters).length).toBe(clusters.length);
  });
});
