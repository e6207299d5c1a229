import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config/load.ts';
import { classifyGroup } from '../../../functions/core/discovery/control-plane.ts';

const base = {
  account: '123456789012',
  region: 'eu-west-1',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  nodeSubnetIds: ['subnet-0a1b2c3d4e5f60718'],
  nodeSecurityGroupId: 'sg-0a1b2c3d4e5f60718',
  loadBalancers: { classic: ['k8s-api-internal'] },
};
const { clusters } = parseConfig({
  clusters: [
    { ...base, name: 'k8s.example.com' },
    { ...base, name: 'old.example.com' },
  ],
});

function group(
  name: string,
  tags: Record<string, string>,
): Pick<AutoScalingGroup, 'AutoScalingGroupName' | 'Tags'> {
  return { AutoScalingGroupName: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
}

describe('classifying Auto Scaling groups', () => {
  it('kops 1.26+ control-plane groups (both role tags)', () => {
    const g = group('control-plane-eu-west-1a.masters.k8s.example.com', {
      KubernetesCluster: 'k8s.example.com',
      'kubernetes.io/cluster/k8s.example.com': 'owned',
      'k8s.io/role/master': '1',
      'k8s.io/role/control-plane': '1',
    });
    expect(classifyGroup(g, clusters)).toMatchObject({
      kind: 'control-plane',
      cluster: { name: 'k8s.example.com' },
    });
  });

  it('older master-<zone> groups with only the master role and only one cluster tag', () => {
    const g = group('master-eu-west-1a.masters.old.example.com', {
      'kubernetes.io/cluster/old.example.com': 'owned',
      'k8s.io/role/master': '1',
    });
    expect(classifyGroup(g, clusters)).toMatchObject({
      kind: 'control-plane',
      cluster: { name: 'old.example.com' },
    });
  });

  it('ignores node groups and other clusters', () => {
    const nodes = group('nodes-eu-west-1a.k8s.example.com', {
      KubernetesCluster: 'k8s.example.com',
      'k8s.io/role/node': '1',
    });
    expect(classifyGroup(nodes, clusters).kind).toBe('ignored');
    const other = group('control-plane-eu-west-1a.masters.other.example.com', {
      KubernetesCluster: 'other.example.com',
      'k8s.io/role/master': '1',
    });
    expect(classifyGroup(other, clusters).kind).toBe('ignored');
  });

  it('a group named like ours but tagged for another cluster is suspicious, never ours', () => {
    const g = group('master-eu-west-1a.masters.k8s.example.com', {
      KubernetesCluster: 'other.example.com',
      'k8s.io/role/master': '1',
    });
    const c = classifyGroup(g, clusters);
    expect(c.kind).toBe('suspicious');
    expect(c.kind === 'suspicious' && c.reason).toContain('KubernetesCluster=k8s.example.com');
  });

  it('a group named like ours without a role tag is suspicious', () => {
    const g = group('master-eu-west-1a.masters.k8s.example.com', { KubernetesCluster: 'k8s.example.com' });
    expect(classifyGroup(g, clusters).kind).toBe('suspicious');
  });
});
