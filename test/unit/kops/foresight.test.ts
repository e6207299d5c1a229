import { describe, expect, it } from 'vitest';
import type { ControlPlaneGroup } from '../../../functions/core/discovery/control-plane.ts';
import type { ApiListener, ApiReadFailure } from '../../../functions/core/kops/api-listeners.ts';
import { kopsForesight, needsApiListeners } from '../../../functions/core/kops/foresight.ts';
import type { KopsSpecsRead } from '../../../functions/core/kops/read.ts';
import type { ApiLoadBalancerSpec, InstanceGroupSpec } from '../../../functions/core/kops/spec.ts';
import { CLUSTER, clusterConfig, E, ELB, G1, G2, T, TG } from '../plan/picture.ts';

/** Pure table tests: specs + config + the groups AWS reports → kops-spec findings. */
const cluster = clusterConfig();
const SOURCE = `s3://kops-state-store/${CLUSTER}/`;
const CP1 = 'control-plane-eu-west-1a';
const CP2 = 'control-plane-eu-west-1b';
const API1 = 'apiserver-eu-west-1a';
const AS1 = `${API1}.apiservers.${CLUSTER}`;
const OTHER_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/other/0123456789abcdef';

function asg(
  name: string,
  opts: { tagged?: string; attached?: ('classic' | 'tg')[]; role?: 'apiserver' } = {},
): ControlPlaneGroup {
  const attached = opts.attached ?? ['classic', 'tg'];
  return {
    name,
    cluster: CLUSTER,
    role: opts.role ?? 'control-plane',
    instances: [],
    loadBalancerNames: attached.includes('classic') ? [ELB] : [],
    targetGroupArns: attached.includes('tg') ? [TG] : [],
    ...(opts.tagged ? { instanceGroup: opts.tagged } : {}),
  };
}

const ig = (
  name: string,
  lbs: ('classic' | 'tg' | 'other')[],
  role: InstanceGroupSpec['role'] = 'ControlPlane',
): InstanceGroupSpec => ({
  name,
  key: `${SOURCE}instancegroup/${name}`,
  role,
  invalidLoadBalancers: [],
  externalLoadBalancers: lbs.map((l) =>
    l === 'classic'
      ? { kind: 'classic', name: ELB }
      : { kind: 'target-group', arn: l === 'tg' ? TG : OTHER_TG },
  ),
});

/** `api` in `config` (judged); `applied` in `cluster-completed.spec`, when given. */
function read(
  igs: InstanceGroupSpec[],
  api?: ApiLoadBalancerSpec,
  applied?: ApiLoadBalancerSpec,
): KopsSpecsRead {
  return {
    ok: true,
    specs: {
      source: SOURCE,
      cluster: { key: `${SOURCE}config`, ...(api ? { apiLoadBalancer: api } : {}) },
      ...(applied ? { applied: { key: `${SOURCE}cluster-completed.spec`, apiLoadBalancer: applied } } : {}),
      instanceGroups: igs,
    },
  };
}

const summary = (findings: ReturnType<typeof kopsForesight>) =>
  findings.map((f) => `${f.code} ${f.resource}`);

interface Row {
  name: string;
  read: KopsSpecsRead;
  groups: ControlPlaneGroup[];
  listeners?: ApiListener[];
  failures?: ApiReadFailure[];
  expected: string[];
}

const ACM = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
const BAD = 'spec.externalLoadBalancers[2].loadBalancerName is not a classic ELB name';
const rows: Row[] = [
  {
    name: 'both load balancers listed in every group (tag match): all ok',
    read: read([ig(CP1, ['classic', 'tg']), ig(CP2, ['tg', 'classic'])]),
    groups: [asg(G1, { tagged: CP1 }), asg(G2, { tagged: CP2 })],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_IN_SPEC ${E}:${G1}`,
      `KOPS_LB_IN_SPEC ${T}:${G1}`,
      `KOPS_LB_IN_SPEC ${E}:${G2}`,
      `KOPS_LB_IN_SPEC ${T}:${G2}`,
    ],
  },
  {
    name: 'one group omits the target group: it will be detached from that group only',
    read: read([ig(CP1, ['classic', 'tg']), ig(CP2, ['classic'])]),
    groups: [asg(G1, { tagged: CP1 }), asg(G2, { tagged: CP2 })],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_IN_SPEC ${E}:${G1}`,
      `KOPS_LB_IN_SPEC ${T}:${G1}`,
      `KOPS_LB_IN_SPEC ${E}:${G2}`,
      `KOPS_LB_NOT_IN_SPEC ${T}:${G2}`,
    ],
  },
  {
    name: 'kops 1.25: a master-<zone> group without the tag is matched by its name',
    read: read([ig('master-eu-west-1a', [])]),
    groups: [asg(`master-eu-west-1a.masters.${CLUSTER}`, { attached: ['classic'] })],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_NOT_IN_SPEC ${E}:master-eu-west-1a.masters.${CLUSTER}`,
      `KOPS_LB_NOT_IN_SPEC ${T}:master-eu-west-1a.masters.${CLUSTER}`,
    ],
  },
  {
    name: 'the tag wins over the name',
    read: read([ig('renamed', ['classic', 'tg']), ig(CP1, [])]),
    groups: [asg(G1, { tagged: 'renamed', attached: ['classic'] })],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_IN_SPEC ${E}:${G1}`,
      `KOPS_LB_IN_SPEC ${T}:${G1}`,
    ],
  },
  {
    name: 'an API-server group is judged like a control-plane group',
    read: read([ig(API1, ['classic'], 'APIServer')]),
    groups: [asg(AS1, { role: 'apiserver', tagged: API1 })],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_IN_SPEC ${E}:${AS1}`,
      `KOPS_LB_NOT_IN_SPEC ${T}:${AS1}`,
    ],
  },
  {
    name: 'a group without a spec: nothing to foresee (kops does not manage its attachments)',
    read: read([ig(CP1, ['classic', 'tg'])]),
    groups: [asg(G2, { tagged: CP2 }), asg(G1, { tagged: CP1, attached: [] })],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_IN_SPEC ${E}:${G1}`,
      `KOPS_LB_IN_SPEC ${T}:${G1}`,
    ],
  },
  {
    name: 'a load balancer kops already detached is still missing from the spec: the warning stays',
    read: read([ig(CP1, ['classic'])]),
    groups: [asg(G1, { tagged: CP1, attached: ['classic'] })],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_IN_SPEC ${E}:${G1}`,
      `KOPS_LB_NOT_IN_SPEC ${T}:${G1}`,
    ],
  },
  {
    name: 'an entry that is not a load balancer name or ARN is reported (path only) and not used',
    read: read([
      { ...ig(CP1, ['classic', 'tg']), invalidLoadBalancers: [BAD] },
      { ...ig('nodes', [], 'Node'), invalidLoadBalancers: [BAD] },
    ]),
    groups: [asg(G1, { tagged: CP1 })],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_IN_SPEC ${E}:${G1}`,
      `KOPS_LB_IN_SPEC ${T}:${G1}`,
      `KOPS_SPEC_LB_INVALID kops/instancegroup/${CP1}:spec.externalLoadBalancers[2].loadBalancerName`,
    ],
  },
  {
    name: 'a spec lists a load balancer the config does not know (info); a node group is not judged',
    read: read([ig(CP1, ['classic', 'tg', 'other']), ig('nodes-eu-west-1a', ['other'], 'Node')]),
    groups: [asg(G1, { tagged: CP1 })],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      `KOPS_LB_IN_SPEC ${E}:${G1}`,
      `KOPS_LB_IN_SPEC ${T}:${G1}`,
      `KOPS_SPEC_LB_NOT_CONFIGURED kops/instancegroup/${CP1}:targetgroup/other/0123456789abcdef`,
    ],
  },
  {
    name: 'useForInternalApi with sslCertificate: critical from the spec alone',
    read: read([], { useForInternalApi: true, sslCertificate: ACM, class: 'Network' }),
    groups: [],
    expected: ['KOPS_SPECS_READ kops/state-store', 'KOPS_INTERNAL_API_ACM kops/api.loadBalancer'],
  },
  {
    name: 'only config has useForInternalApi (kops edit cluster, not updated yet): critical before the update',
    read: read(
      [],
      { useForInternalApi: true, sslCertificate: ACM, class: 'Network' },
      { useForInternalApi: false, sslCertificate: ACM, class: 'Network', type: 'Public' },
    ),
    groups: [],
    expected: ['KOPS_SPECS_READ kops/state-store', 'KOPS_INTERNAL_API_ACM kops/api.loadBalancer'],
  },
  {
    name: 'useForInternalApi applied but turned off in config: not judged critical (the next update fixes it)',
    read: read(
      [],
      { useForInternalApi: false, sslCertificate: ACM },
      { useForInternalApi: true, sslCertificate: ACM },
    ),
    groups: [],
    expected: ['KOPS_SPECS_READ kops/state-store'],
  },
  {
    name: "a failed read of kops' API load balancer is a warning naming the call, not a failed run",
    read: read([], { useForInternalApi: true }),
    groups: [],
    failures: [{ call: 'elb:DescribeTags', resource: 'elb/api-k8s', reason: 'Throttling: Rate exceeded' }],
    expected: ['KOPS_SPECS_READ kops/state-store', 'KOPS_API_LB_UNREADABLE kops-api/elb/api-k8s'],
  },
  {
    name: 'sslCertificate without useForInternalApi: nodes are not sent there',
    read: read([], { useForInternalApi: false, sslCertificate: ACM }),
    groups: [],
    listeners: [{ loadBalancer: 'api-k8s', port: 443, protocol: 'TLS', certificateArn: ACM }],
    expected: ['KOPS_SPECS_READ kops/state-store'],
  },
  {
    name: "useForInternalApi, kops' NLB with TLS:443 and TCP:8443: the 443 listener is named (nodes dial 443)",
    read: read([], { useForInternalApi: true, sslCertificate: ACM, class: 'Network' }),
    groups: [],
    listeners: [
      { loadBalancer: 'api-k8s', port: 443, protocol: 'TLS', certificateArn: ACM },
      { loadBalancer: 'api-k8s', port: 8443, protocol: 'TCP' },
    ],
    expected: [
      'KOPS_SPECS_READ kops/state-store',
      'KOPS_INTERNAL_API_ACM kops/api.loadBalancer',
      'KOPS_INTERNAL_API_TLS_LISTENER kops-api/api-k8s:443',
    ],
  },
  {
    name: 'useForInternalApi without a certificate in the spec, but a classic SSL listener set by hand',
    read: read([], { useForInternalApi: true }),
    groups: [],
    listeners: [{ loadBalancer: 'elb/api-k8s', port: 443, protocol: 'SSL', certificateArn: ACM }],
    expected: ['KOPS_SPECS_READ kops/state-store', 'KOPS_INTERNAL_API_TLS_LISTENER kops-api/elb/api-k8s:443'],
  },
  {
    name: 'useForInternalApi with TCP pass-through: nothing wrong',
    read: read([], { useForInternalApi: true }),
    groups: [],
    listeners: [{ loadBalancer: 'api-k8s', port: 443, protocol: 'TCP' }],
    expected: ['KOPS_SPECS_READ kops/state-store'],
  },
  {
    name: 'an unreadable state store is one finding naming the key, and nothing else',
    read: {
      ok: false,
      key: `${SOURCE}instancegroup/${CP1}`,
      reason: 'not a valid YAML document (at line 3)',
    },
    groups: [asg(G1, { tagged: CP1 })],
    listeners: [{ loadBalancer: 'api-k8s', port: 443, protocol: 'TLS' }],
    expected: ['KOPS_SPECS_UNREADABLE kops/state-store'],
  },
];

describe('kopsForesight', () => {
  it.each(rows)('$name', (row) => {
    const findings = kopsForesight({
      cluster,
      read: row.read,
      groups: row.groups,
      ...(row.listeners ? { apiListeners: row.listeners } : {}),
      ...(row.failures ? { apiListenerFailures: row.failures } : {}),
    });
    expect(summary(findings)).toEqual(row.expected);
    for (const f of findings) expect(f.cluster).toBe(CLUSTER);
  });

  it('the detach warning quotes the YAML to add and says what kops update will do', () => {
    const [, , f] = kopsForesight({
      cluster,
      read: read([ig(CP1, ['classic'])]),
      groups: [asg(G1, { tagged: CP1 })],
    });
    expect(f?.code).toBe('KOPS_LB_NOT_IN_SPEC');
    expect(f?.severity).toBe('warning');
    expect(f?.message).toContain(
      'the next `kops update cluster --yes` will detach it (kops 1.19 and later; target groups from kops 1.29 with --prune)',
    );
    expect(f?.details?.attached).toBe(true);
    expect(f?.message).toContain(`\`- targetGroupArn: ${TG}\``);
    expect(f?.details?.yamlToAdd).toBe(`externalLoadBalancers:\n- targetGroupArn: ${TG}`);
    expect(f?.actual).toContain(`${SOURCE}instancegroup/${CP1}`);
  });

  it('the ACM finding says where nodes are sent', () => {
    const f = kopsForesight({
      cluster,
      read: read([], { useForInternalApi: true, sslCertificate: ACM }),
      groups: [],
    })[1];
    expect(f?.severity).toBe('critical');
    expect(f?.message).toContain(
      'nodes are sent through a listener that presents a certificate the kops CA did not sign',
    );
  });

  it('the ACM and listener findings quote the exact YAML, and say when the spec is not applied yet', () => {
    const findings = kopsForesight({
      cluster,
      read: read([], { useForInternalApi: true, sslCertificate: ACM }, { useForInternalApi: false }),
      groups: [],
      apiListeners: [{ loadBalancer: 'api-k8s', port: 443, protocol: 'TLS', certificateArn: ACM }],
    });
    const yaml = 'spec:\n  api:\n    loadBalancer:\n      useForInternalApi: false';
    const acm = findings.find((f) => f.code === 'KOPS_INTERNAL_API_ACM');
    const listener = findings.find((f) => f.code === 'KOPS_INTERNAL_API_TLS_LISTENER');
    for (const f of [acm, listener]) {
      expect(f?.details?.yamlToAdd).toBe(yaml);
      expect(f?.message).toContain('set in the spec, not applied yet');
      expect(f?.details?.notApplied).toBe(
        `sslCertificate: (unset) → ${ACM}, useForInternalApi: false → true`,
      );
    }
    expect(acm?.actual).toContain(`${SOURCE}config`);
    const summaryFinding = findings.find((f) => f.code === 'KOPS_SPECS_READ');
    expect(summaryFinding?.message).toContain(`not applied yet (${SOURCE}cluster-completed.spec)`);
  });

  it('a spec applied as written says nothing about pending changes', () => {
    const api = { useForInternalApi: true, sslCertificate: ACM, class: 'Network' };
    const findings = kopsForesight({ cluster, read: read([], api, { ...api, type: 'Public' }), groups: [] });
    expect(findings.map((f) => f.message).join(' ')).not.toContain('not applied yet');
    expect(findings.find((f) => f.code === 'KOPS_INTERNAL_API_ACM')?.details?.notApplied).toBeUndefined();
  });

  it('the unreadable finding names the key', () => {
    const key = `${SOURCE}config`;
    const [f] = kopsForesight({
      cluster,
      read: { ok: false, key, reason: `${key} does not exist` },
      groups: [],
    });
    expect(f?.actual).toContain(key);
    expect(f?.details).toEqual({ key });
  });

  it("reads kops' API listeners only when the spec sends nodes to its load balancer", () => {
    expect(needsApiListeners(read([], { useForInternalApi: true }))).toBe(true);
    expect(needsApiListeners(read([], { useForInternalApi: false, sslCertificate: ACM }))).toBe(false);
    expect(needsApiListeners(read([]))).toBe(false);
    expect(needsApiListeners({ ok: false, key: 'k', reason: 'r' })).toBe(false);
  });
});
