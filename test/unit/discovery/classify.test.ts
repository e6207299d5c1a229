import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config/load.ts';
import { classifyGroup, isControlPlaneInstance } from '../../../functions/core/discovery/control-plane.ts';
import { registeredOnPort, wrongPorts } from '../../../functions/core/lb/port.ts';
import { targetRegistrations } from '../../../functions/core/lb/registrations.ts';

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

  it('kops API-server node groups are API backends of their cluster', () => {
    const g = group('apiserver-eu-west-1a.apiservers.k8s.example.com', {
      KubernetesCluster: 'k8s.example.com',
      'kubernetes.io/cluster/k8s.example.com': 'owned',
      'k8s.io/role/apiserver': '1',
    });
    expect(classifyGroup(g, clusters)).toMatchObject({
      kind: 'control-plane',
      role: 'apiserver',
      cluster: { name: 'k8s.example.com' },
    });
  });

  it('an .apiservers. group without the apiserver role tag, or with only a control-plane one, is suspicious', () => {
    const cluster = { KubernetesCluster: 'k8s.example.com' };
    expect(classifyGroup(group('a.apiservers.k8s.example.com', cluster), clusters)).toMatchObject({
      kind: 'suspicious',
      reason: expect.stringContaining('k8s.io/role/apiserver'),
    });
    expect(
      classifyGroup(
        group('a.apiservers.k8s.example.com', { ...cluster, 'k8s.io/role/master': '1' }),
        clusters,
      ).kind,
    ).toBe('suspicious');
    // and an apiserver role tag does not make a .masters. group a control-plane group
    expect(
      classifyGroup(
        group('a.masters.k8s.example.com', { ...cluster, 'k8s.io/role/apiserver': '1' }),
        clusters,
      ).kind,
    ).toBe('suspicious');
  });

  it('a node group tagged for the cluster is not an API backend', () => {
    const g = group('nodes-eu-west-1a.k8s.example.com', {
      KubernetesCluster: 'k8s.example.com',
      'k8s.io/role/node': '1',
    });
    expect(classifyGroup(g, clusters).kind).toBe('ignored');
  });
});

describe('instances as API backends', () => {
  it('control-plane and API-server instances of the cluster are; nodes and other clusters are not', () => {
    const tags = (t: Record<string, string>) => new Map(Object.entries(t));
    const c = 'k8s.example.com';
    expect(isControlPlaneInstance(tags({ KubernetesCluster: c, 'k8s.io/role/apiserver': '1' }), c)).toBe(
      true,
    );
    expect(isControlPlaneInstance(tags({ KubernetesCluster: c, 'k8s.io/role/master': '1' }), c)).toBe(true);
    expect(isControlPlaneInstance(tags({ KubernetesCluster: c, 'k8s.io/role/node': '1' }), c)).toBe(false);
    expect(
      isControlPlaneInstance(tags({ KubernetesCluster: 'x.example.com', 'k8s.io/role/apiserver': '1' }), c),
    ).toBe(false);
  });
});

describe('registrations on a port', () => {
  it('a target counts as registered only on the apiserver port', () => {
    const reg = {
      ref: { kind: 'target-group' as const, arn: 'arn' },
      label: 'tg',
      exists: true,
      ...targetRegistrations([
        { id: 'i-00000001', port: 443 },
        { id: 'i-00000002', port: 8443 },
        { id: 'i-00000003', port: 443 },
        { id: 'i-00000003', port: 6443 },
      ]),
    };
    expect(registeredOnPort(reg, 'i-00000001', 443)).toBe(true);
    expect(registeredOnPort(reg, 'i-00000002', 443)).toBe(false);
    expect(wrongPorts(reg, 'i-00000002', 443)).toEqual([8443]);
    expect(registeredOnPort(reg, 'i-00000003', 443)).toBe(true);
    expect(wrongPorts(reg, 'i-00000003', 443)).toEqual([6443]);
    expect(registeredOnPort(reg, 'i-00000004', 443)).toBe(false);
    // a classic ELB has no per-instance port
    const classic = { ...reg, ports: undefined, instanceIds: new Set(['i-00000002']) };
    expect(registeredOnPort(classic, 'i-00000002', 443)).toBe(true);
  });
});
