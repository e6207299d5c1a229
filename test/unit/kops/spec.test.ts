import { beforeAll, describe, expect, it } from 'vitest';
import { KopsSpecError, parseClusterSpec, parseInstanceGroup } from '../../../functions/core/kops/spec.ts';
import { loadYaml, type Yaml } from '../../../functions/core/yaml.ts';
import { clusterSpecYaml, completedClusterSpecYaml, instanceGroupYaml } from '../../../sandbox/kops-specs.ts';

// the readers load the YAML parser and hand it to the parse functions (functions/core/yaml.ts)
let yaml: Yaml;
beforeAll(async () => {
  yaml = await loadYaml();
});

const KEY = 's3://kops-state-store/k8s.example.com/instancegroup/control-plane-eu-west-1a';
const CKEY = 's3://kops-state-store/k8s.example.com/config';
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-api/0123456789abcdef';

describe('parseInstanceGroup', () => {
  it.each([
    ['Master', 'ControlPlane'],
    ['ControlPlane', 'ControlPlane'],
    ['APIServer', 'APIServer'],
    ['Node', 'Node'],
    ['Bastion', 'Bastion'],
  ] as const)('reads role %s as %s, with both kinds of externalLoadBalancers', (role, expected) => {
    const text = instanceGroupYaml('k8s.example.com', {
      name: 'control-plane-eu-west-1a',
      role,
      zone: 'eu-west-1a',
      externalLoadBalancers: [{ loadBalancerName: 'k8s-api-internal' }, { targetGroupArn: TG }],
    });
    expect(parseInstanceGroup(text, KEY, yaml)).toEqual({
      name: 'control-plane-eu-west-1a',
      key: KEY,
      role: expected,
      invalidLoadBalancers: [],
      externalLoadBalancers: [
        { kind: 'classic', name: 'k8s-api-internal' },
        { kind: 'target-group', arn: TG },
      ],
    });
  });

  it('reports an entry that is not a classic ELB name or a target group ARN by its path, and does not use it', () => {
    const text = instanceGroupYaml('k8s.example.com', {
      name: 'control-plane-eu-west-1a',
      role: 'ControlPlane',
      zone: 'eu-west-1a',
      externalLoadBalancers: [
        { loadBalancerName: 'k8s-api-internal' },
        { loadBalancerName: 'bad_name!secret' },
        { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/x/1' },
        { loadBalancerName: '-starts-with-hyphen' },
        { targetGroupArn: TG },
      ],
    });
    const ig = parseInstanceGroup(text, KEY, yaml);
    expect(ig.externalLoadBalancers).toEqual([
      { kind: 'classic', name: 'k8s-api-internal' },
      { kind: 'target-group', arn: TG },
    ]);
    expect(ig.invalidLoadBalancers).toEqual([
      'spec.externalLoadBalancers[1].loadBalancerName is not a classic ELB name',
      'spec.externalLoadBalancers[2].targetGroupArn is not a target group ARN',
      'spec.externalLoadBalancers[3].loadBalancerName is not a classic ELB name',
    ]);
    expect(JSON.stringify(ig.invalidLoadBalancers)).not.toContain('secret');
  });

  it('tolerates fields it does not know and a role it does not know', () => {
    const text = `apiVersion: kops.k8s.io/v1alpha3\nkind: InstanceGroup\nmetadata:\n  name: ig1\nspec:\n  role: Karpenter\n  futureField: {a: [1, 2]}\n`;
    expect(parseInstanceGroup(text, KEY, yaml)).toMatchObject({
      name: 'ig1',
      role: 'other',
      externalLoadBalancers: [],
    });
  });

  it.each([
    ['not YAML', 'spec: [unclosed', /not a valid YAML document/],
    ['a list', '- a\n- b\n', /not a mapping/],
    ['another kind', 'kind: Cluster\nmetadata: {name: x}\n', /kind is not InstanceGroup/],
    ['no name', 'kind: InstanceGroup\nspec: {}\n', /metadata.name/],
    ['a name with a slash', 'kind: InstanceGroup\nmetadata: {name: "a/b"}\n', /metadata.name/],
    ['spec a string', 'kind: InstanceGroup\nmetadata: {name: a}\nspec: hello\n', /spec is not a mapping/],
    ['role a list', 'kind: InstanceGroup\nmetadata: {name: a}\nspec: {role: [x]}\n', /spec.role/],
    ['list a mapping', 'metadata: {name: a}\nspec: {externalLoadBalancers: {a: 1}}\n', /not a list/],
    [
      'entry with both',
      `metadata: {name: a}\nspec: {externalLoadBalancers: [{loadBalancerName: x, targetGroupArn: "${TG}"}]}\n`,
      /exactly one/,
    ],
    ['entry with neither', 'metadata: {name: a}\nspec: {externalLoadBalancers: [{}]}\n', /exactly one/],
    [
      'entry name too long',
      `metadata: {name: a}\nspec: {externalLoadBalancers: [{loadBalancerName: ${'x'.repeat(40)}}]}\n`,
      /at most 32/,
    ],
    [
      'entry not a mapping',
      'metadata: {name: a}\nspec: {externalLoadBalancers: [x]}\n',
      /\[0\] is not a mapping/,
    ],
    [
      '11 entries',
      `metadata: {name: a}\nspec: {externalLoadBalancers: [${Array.from({ length: 11 }, (_, i) => `{loadBalancerName: l${i}}`).join(', ')}]}\n`,
      /kops allows 10/,
    ],
    ['too large', `metadata: {name: a}\n# ${'x'.repeat(300 * 1024)}\n`, /too large/],
    [
      'an alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nmetadata: {name: a}\n`,
      /aliases/,
    ],
  ])('refuses %s, naming the key and quoting nothing', (_what, text, message) => {
    let err: unknown;
    try {
      parseInstanceGroup(text, KEY, yaml);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KopsSpecError);
    expect((err as KopsSpecError).key).toBe(KEY);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(KEY);
    expect((err as Error).message).not.toContain('xxxxxxxx');
  });
});

describe('parseClusterSpec', () => {
  const cluster = {
    name: 'k8s.example.com',
    kubernetesVersion: 'v1.30.2',
    zones: ['eu-west-1a'],
    instanceGroups: [{ name: 'control-plane-eu-west-1a', role: 'ControlPlane' as const, zone: 'eu-west-1a' }],
  };

  it('reads spec.api.loadBalancer from config and from the completed spec', () => {
    const api = {
      class: 'Network' as const,
      sslCertificate: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      useForInternalApi: true,
    };
    expect(parseClusterSpec(clusterSpecYaml({ ...cluster, api }), CKEY, yaml)).toEqual({
      key: CKEY,
      apiLoadBalancer: {
        class: 'Network',
        type: 'Public',
        sslCertificate: api.sslCertificate,
        useForInternalApi: true,
      },
    });
    expect(parseClusterSpec(completedClusterSpecYaml({ ...cluster, api: {} }), CKEY, yaml)).toEqual({
      key: CKEY,
      apiLoadBalancer: { class: 'Classic', type: 'Public', useForInternalApi: false },
    });
  });

  it('a DNS-only cluster has no API load balancer', () => {
    expect(parseClusterSpec(clusterSpecYaml(cluster), CKEY, yaml)).toEqual({ key: CKEY });
  });

  it.each([
    [
      'useForInternalApi a string',
      'kind: Cluster\nspec: {api: {loadBalancer: {useForInternalApi: "yes"}}}\n',
      /useForInternalApi/,
    ],
    [
      'loadBalancer a list',
      'kind: Cluster\nspec: {api: {loadBalancer: [a]}}\n',
      /spec.api.loadBalancer is not a mapping/,
    ],
    ['api a string', 'kind: Cluster\nspec: {api: x}\n', /spec.api is not a mapping/],
    [
      'sslCertificate a number',
      'kind: Cluster\nspec: {api: {loadBalancer: {sslCertificate: 5}}}\n',
      /sslCertificate/,
    ],
    ['an instance group', 'kind: InstanceGroup\nmetadata: {name: a}\n', /kind is not Cluster/],
  ])('refuses %s, naming the key', (_what, text, message) => {
    expect(() => parseClusterSpec(text, CKEY, yaml)).toThrow(message);
    expect(() => parseClusterSpec(text, CKEY, yaml)).toThrow(KopsSpecError);
  });
});
