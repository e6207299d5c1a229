import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, SYNTH_TIMEOUT_MS, type Synthesized, synth, twoClusterInput } from './helpers.ts';

let dedicated: Synthesized;
let nodeGroups: Synthesized;
let dualStack: Synthesized;
beforeAll(() => {
  const input = twoClusterInput();
  const [prod, legacy] = input.clusters;
  const dedicatedInput = {
    ...input,
    clusters: [{ ...prod, api: { instancePort: 4443, hostnamePort: 6443 } }, legacy] as typeof input.clusters,
  };
  dedicated = synth(
    { ...dedicatedInput, verifier: { scheduleMinutes: 10, dedicatedSecurityGroup: true } },
    { bundle: false },
  );
  nodeGroups = synth(input, { bundle: false });
  dualStack = synth(
    { ...dedicatedInput, verifier: { dedicatedSecurityGroup: true, ipv6: true } },
    { bundle: false },
  );
}, SYNTH_TIMEOUT_MS);

function verifierVpcConfig(s: Synthesized): Record<string, unknown> {
  const id = logicalId(s.template, 'AWS::Lambda::Function', 'VerifierFunction');
  return s.template.findResources('AWS::Lambda::Function')[id]?.Properties.VpcConfig;
}

function verifierGroups(s: Synthesized): unknown[] {
  return verifierVpcConfig(s).SecurityGroupIds as unknown[];
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

describe('verifier.ipv6', () => {
  it('off (the default): no IPv6 egress for the function, IPv4 egress only in the dedicated group', () => {
    expect(verifierVpcConfig(nodeGroups).Ipv6AllowedForDualStack).toBeUndefined();
    expect(verifierVpcConfig(dedicated).Ipv6AllowedForDualStack).toBeUndefined();
    const [group] = Object.values(dedicated.template.findResources('AWS::EC2::SecurityGroup'));
    const egress = group?.Properties.SecurityGroupEgress as Record<string, unknown>[];
    expect(egress.filter((e) => e.CidrIpv6 !== undefined)).toEqual([]);
  });

  it('on: the function may use IPv6 from dual-stack subnets, and the dedicated group egresses on the same ports over IPv6', () => {
    expect(verifierVpcConfig(dualStack).Ipv6AllowedForDualStack).toBe(true);
    const [group] = Object.values(dualStack.template.findResources('AWS::EC2::SecurityGroup'));
    const egress = group?.Properties.SecurityGroupEgress as Record<string, unknown>[];
    const rules = (key: string) =>
      egress.filter((e) => e[key] !== undefined).map((e) => [e.IpProtocol, e.FromPort, e[key]]);
    expect(rules('CidrIp')).toEqual([
      ['tcp', 443, '0.0.0.0/0'],
      ['tcp', 4443, '0.0.0.0/0'],
      ['tcp', 6443, '0.0.0.0/0'],
    ]);
    expect(rules('CidrIpv6')).toEqual([
      ['tcp', 443, '::/0'],
      ['tcp', 4443, '::/0'],
      ['tcp', 6443, '::/0'],
    ]);
  });
});
