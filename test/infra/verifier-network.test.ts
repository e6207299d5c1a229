import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, SYNTH_TIMEOUT_MS, type Synthesized, synth, twoClusterInput } from './helpers.ts';

let dedicated: Synthesized;
let nodeGroups: Synthesized;
beforeAll(() => {
  const input = twoClusterInput();
  const [prod, legacy] = input.clusters;
  dedicated = synth(
    {
      ...input,
      clusters: [
        { ...prod, api: { instancePort: 4443, hostnamePort: 6443 } },
        legacy,
      ] as typeof input.clusters,
      verifier: { scheduleMinutes: 10, dedicatedSecurityGroup: true },
    },
    { bundle: false },
  );
  nodeGroups = synth(input, { bundle: false });
}, SYNTH_TIMEOUT_MS);

function verifierGroups(s: Synthesized): unknown[] {
  const id = logicalId(s.template, 'AWS::Lambda::Function', 'VerifierFunction');
  const fn = s.template.findResources('AWS::Lambda::Function')[id];
  return fn?.Properties.VpcConfig.SecurityGroupIds as unknown[];
}

describe('the verifier security group', () => {
  it('is the node security groups by default, and no group is created', () => {
    expect(verifierGroups(nodeGroups)).toEqual(['sg-0aaaaaaaaaaaaaaa1', 'sg-0bbbbbbbbbbbbbbb1']);
    expect(Object.keys(nodeGroups.template.findResources('AWS::EC2::SecurityGroup'))).toEqual([]);
  });

  it('when dedicated: its own group in the VPC, no ingress, egress to the API ports and HTTPS only', () => {
    const groups = dedicated.template.findResources('AWS::EC2::SecurityGroup');
    const [id, group] = Object.entries(groups)[0] ?? [];
    expect(Object.keys(groups)).toHaveLength(1);
    expect(verifierGroups(dedicated)).toEqual([{ 'Fn::GetAtt': [id, 'GroupId'] }]);
    expect(group?.Properties.VpcId).toBe('vpc-0123456789abcdef0');
    expect(group?.Properties.SecurityGroupIngress).toBeUndefined();
    const egress = group?.Properties.SecurityGroupEgress as Record<string, unknown>[];
    expect(egress.map((e) => [e.IpProtocol, e.FromPort, e.ToPort, e.CidrIp])).toEqual([
      ['tcp', 443, 443, '0.0.0.0/0'],
      ['tcp', 4443, 4443, '0.0.0.0/0'],
      ['tcp', 6443, 6443, '0.0.0.0/0'], // api.hostnamePort: the name probe's port
    ]);
    expect(Object.keys(dedicated.template.findResources('AWS::EC2::SecurityGroupIngress'))).toEqual([]);
    expect(Object.keys(dedicated.template.findResources('AWS::EC2::SecurityGroupEgress'))).toEqual([]);
    expect(dedicated.template.findOutputs('VerifierSecurityGroupId')).toEqual({
      VerifierSecurityGroupId: { Value: { 'Fn::GetAtt': [id, 'GroupId'] } },
    });
  });
});
