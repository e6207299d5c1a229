import { describe, expect, it } from 'vitest';
import type { TargetGroupFact } from '../../../functions/core/init/facts.ts';
import {
  hasKopsName,
  kopsApiLoadBalancer,
  kopsApiTargetGroup,
} from '../../../functions/core/init/kops-api-lb.ts';

const CLUSTER = 'k8s.example.com';
const TAGGED = { KubernetesCluster: CLUSTER, [`kubernetes.io/cluster/${CLUSTER}`]: 'owned' };

describe("kops' own API load balancer, as AWS reports it", () => {
  it.each([
    // kops' LBName32: `<prefix>-<slug>` cut to 25 characters, then `-` and a 6-character hash
    ['api-k8s-example-com-vd3t5n', 'api', CLUSTER, true],
    ['api-complex-example-com-vd3t5n', 'api', 'complex.example.com', true],
    ['api-a-very-long-cluster-n-h2k4m9', 'api', 'a.very.long.cluster.name.example.com', true],
    ['tcp-k8s-example-com-vpjolq', 'tcp', CLUSTER, true],
    ['api-k8s-example-com', 'api', CLUSTER, true],
    ['k8s-api-internal', 'api', CLUSTER, false],
    ['api-internal-k8s-example-com', 'api', CLUSTER, false],
    ['api-k8s-example-com-extra-vd3t5n', 'api', CLUSTER, false],
    ['api-other-example-com-vd3t5n', 'api', CLUSTER, false],
  ])('%s is kops-named for %s of %s: %s', (name, prefix, cluster, expected) => {
    expect(hasKopsName(name, prefix, cluster)).toBe(expected);
  });

  it('needs the cluster tag: a name alone, or a tag alone without the name or Name tag, is not enough', () => {
    expect(kopsApiLoadBalancer('api-k8s-example-com-vd3t5n', {}, CLUSTER)).toBeUndefined();
    expect(kopsApiLoadBalancer('k8s-api-internal', TAGGED, CLUSTER)).toBeUndefined();
    expect(kopsApiLoadBalancer('anything', { ...TAGGED, Name: `api.${CLUSTER}` }, CLUSTER)).toMatch(
      /Name=api\.k8s\.example\.com/,
    );
    expect(
      kopsApiLoadBalancer('api-k8s-example-com-vd3t5n', { KubernetesCluster: CLUSTER }, CLUSTER),
    ).toMatch(/named like kops' API load balancer/);
    // another cluster's API load balancer is not this one's
    expect(
      kopsApiLoadBalancer('api-k8s-example-com-vd3t5n', { KubernetesCluster: 'other.example.com' }, CLUSTER),
    ).toBeUndefined();
  });

  it("a target group is kops' when its load balancer is, or by its own tags and tcp-/tls- name", () => {
    const tg = (over: Partial<TargetGroupFact>): TargetGroupFact => ({
      arn: 'arn:tg',
      name: 'k8s-api-internal-tcp',
      tags: {},
      loadBalancers: [],
      ...over,
    });
    const kopsNlb = {
      arn: 'arn:lb',
      name: 'api-k8s-example-com-k2j4n8',
      type: 'network',
      tags: { ...TAGGED, Name: `api.${CLUSTER}` },
    };
    expect(kopsApiTargetGroup(tg({ loadBalancers: [kopsNlb] }), CLUSTER)).toMatch(
      /its load balancer api-k8s/,
    );
    expect(kopsApiTargetGroup(tg({ name: 'tls-k8s-example-com-5nursn', tags: TAGGED }), CLUSTER)).toMatch(
      /tcp-\/tls-/,
    );
    expect(kopsApiTargetGroup(tg({ name: 'tls-k8s-example-com-5nursn' }), CLUSTER)).toBeUndefined();
    expect(
      kopsApiTargetGroup(
        tg({ loadBalancers: [{ ...kopsNlb, name: 'k8s-api-internal-nlb', tags: {} }] }),
        CLUSTER,
      ),
    ).toBeUndefined();
  });
});
