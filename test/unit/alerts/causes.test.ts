import { describe, expect, it } from 'vitest';
import {
  consequenceLines,
  consequencesOf,
  groupByCause,
  MAX_STORED_CONSEQUENCES,
  rootsOf,
} from '../../../functions/core/alerts/causes.ts';
import type { Finding } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';

const CLUSTER = 'k8s.example.com';
const ELB = 'elb/api-internal-k8s';
const TG = 'targetgroup/api-k8s/0123456789abcdef';
const GROUP = 'control-plane-eu-west-1a.masters.k8s.example.com';
const OTHER_GROUP = 'control-plane-eu-west-1b.masters.k8s.example.com';
const ID = 'i-0123456789abcdef0';
const ACM_FP = 'AA:BB:CC';

const make = (code: string, resource: string, details?: Record<string, unknown>): Finding =>
  finding(code as 'LISTENER_OK', {
    cluster: CLUSTER,
    resource,
    expected: 'expected',
    actual: 'actual',
    message: `${code} on ${resource}`,
    ...(details ? { details } : {}),
  });
const cert = (fingerprint256: string) => ({ certificate: { issuer: 'CN=Amazon', fingerprint256 } });

const terminates = (resource = ELB) => make('LISTENER_TERMINATES_TLS', resource);
const untrusted = (resource: string, fp = ACM_FP) => make('TLS_UNTRUSTED_ISSUER', resource, cert(fp));

describe('rule 1: a TLS-terminating listener and the handshakes through it', () => {
  it('folds the handshake through that load balancer and through the API name with the same certificate', () => {
    const listener = terminates();
    const throughLb = untrusted(ELB);
    const throughName = untrusted('dns/api.internal.k8s.example.com');
    const roots = rootsOf([listener, throughLb, throughName, make('TLS_OK', TG)]);
    expect(roots.get(throughLb)).toBe(listener);
    expect(roots.get(throughName)).toBe(listener);
    expect(roots.size).toBe(2);
  });

  it('leaves a handshake through another load balancer, and an API name showing another certificate, alone', () => {
    const listener = terminates();
    const otherLb = untrusted(TG, 'DD:EE:FF');
    const otherName = untrusted('dns/api.internal.k8s.example.com', 'DD:EE:FF');
    const roots = rootsOf([listener, untrusted(ELB), otherLb, otherName]);
    expect(roots.has(otherLb)).toBe(false);
    expect(roots.has(otherName)).toBe(false);
  });

  it('matches the frontend of a target group used by several load balancers exactly', () => {
    const listener = terminates(`${TG}:nlb-a`);
    const same = untrusted(`${TG}:nlb-a`);
    const other = untrusted(`${TG}:nlb-b`, 'DD:EE:FF');
    const roots = rootsOf([listener, same, other]);
    expect(roots.get(same)).toBe(listener);
    expect(roots.has(other)).toBe(false);
  });

  it('folds the handshakes to each zone of that load balancer and of the API name (`@<zone>`, `@<address>` in an unknown zone)', () => {
    const listener = terminates();
    const zoneA = untrusted(`${ELB}@eu-west-1a`);
    const zoneB = untrusted(`${ELB}@eu-west-1b`);
    const unknown = untrusted(`${ELB}@fd00:ec2::10`);
    const name = untrusted('dns/api.internal.k8s.example.com@eu-west-1b');
    const otherLb = untrusted(`${TG}@eu-west-1a`, 'DD:EE:FF');
    const roots = rootsOf([listener, zoneA, zoneB, unknown, name, otherLb]);
    expect(roots.get(unknown)).toBe(listener);
    expect(roots.get(zoneA)).toBe(listener);
    expect(roots.get(zoneB)).toBe(listener);
    expect(roots.get(name)).toBe(listener);
    expect(roots.has(otherLb)).toBe(false);
  });

  it('groups nothing when the listener passes TCP through (the handshake is its own cause)', () => {
    expect(rootsOf([make('LISTENER_OK', ELB), untrusted(ELB)]).size).toBe(0);
  });
});

describe('rule 2: a detached load balancer and the registrations it implies', () => {
  it('folds the unregistered instances of the detached group on that load balancer', () => {
    const detached = make('LB_NOT_ATTACHED', `${ELB}:${GROUP}`);
    const mine = make('INSTANCE_NOT_REGISTERED', `${ELB}:${ID}`, { group: GROUP });
    const otherGroup = make('INSTANCE_NOT_REGISTERED', `${ELB}:i-0fedcba9876543210`, { group: OTHER_GROUP });
    const otherLb = make('INSTANCE_NOT_REGISTERED', `${TG}:${ID}`, { group: GROUP });
    const roots = rootsOf([detached, mine, otherGroup, otherLb]);
    expect(roots.get(mine)).toBe(detached);
    expect(roots.has(otherGroup)).toBe(false);
    expect(roots.has(otherLb)).toBe(false);
  });

  it('without the group, folds only under the one detachment on that load balancer', () => {
    const a = make('LB_NOT_ATTACHED', `${ELB}:${GROUP}`);
    const unknown = make('INSTANCE_NOT_REGISTERED', `${ELB}:${ID}`);
    expect(rootsOf([a, unknown]).get(unknown)).toBe(a);
    const b = make('LB_NOT_ATTACHED', `${ELB}:${OTHER_GROUP}`);
    expect(rootsOf([a, b, unknown]).has(unknown)).toBe(false);
  });

  it('a repaired detachment is no root (its drift is gone)', () => {
    const repaired = { ...make('LB_NOT_ATTACHED', `${ELB}:${GROUP}`), action: 'repaired' as const };
    const unregistered = make('INSTANCE_NOT_REGISTERED', `${ELB}:${ID}`, { group: GROUP });
    expect(rootsOf([repaired, unregistered]).size).toBe(0);
  });
});

describe('rule 3: an unreachable instance and its probes', () => {
  it.each(['TLS_UNREACHABLE', 'TLS_TIMEOUT', 'TLS_CONNECTION_REFUSED'])(
    '%s on the instance folds its unhealthy state on every load balancer',
    (code) => {
      const down = make(code, ID);
      const onElb = make('INSTANCE_UNHEALTHY', `${ELB}:${ID}`);
      const onTg = make('INSTANCE_UNHEALTHY', `${TG}:${ID}`);
      const other = make('INSTANCE_UNHEALTHY', `${ELB}:i-0fedcba9876543210`);
      const roots = rootsOf([down, onElb, onTg, other]);
      expect(roots.get(onElb)).toBe(down);
      expect(roots.get(onTg)).toBe(down);
      expect(roots.has(other)).toBe(false);
    },
  );

  it('a certificate problem on the instance is no reachability root', () => {
    expect(rootsOf([untrusted(ID), make('INSTANCE_UNHEALTHY', `${ELB}:${ID}`)]).size).toBe(0);
  });
});

describe('groupByCause', () => {
  it('removes the consequences and lists them on the root, in the run order', () => {
    const listener = terminates();
    const throughLb = untrusted(ELB);
    const throughName = untrusted('dns/api.internal.k8s.example.com');
    const ok = make('HEALTH_CHECK_OK', ELB);
    const grouped = groupByCause([throughLb, listener, ok, throughName]);
    expect(grouped.findings.map((f) => f.code)).toEqual(['LISTENER_TERMINATES_TLS', 'HEALTH_CHECK_OK']);
    expect(grouped.findings[0]?.details).toMatchObject({
      consequences: [
        { code: 'TLS_UNTRUSTED_ISSUER', resource: ELB, message: throughLb.message },
        { code: 'TLS_UNTRUSTED_ISSUER', resource: 'dns/api.internal.k8s.example.com' },
      ],
      consequenceCount: 2,
    });
    expect(grouped.consequences.map((c) => c.root)).toEqual([listener, listener]);
    // the input is not changed
    expect(listener.details).toBeUndefined();
  });

  it('returns the findings unchanged when nothing follows from anything', () => {
    const fs = [untrusted(ELB), make('LB_NOT_ATTACHED', `${ELB}:${GROUP}`)];
    expect(groupByCause(fs)).toEqual({ findings: fs, consequences: [] });
  });

  it('stores a bounded list and the full count', () => {
    const down = make('TLS_TIMEOUT', ID);
    const many = Array.from({ length: MAX_STORED_CONSEQUENCES + 5 }, (_, i) =>
      make('INSTANCE_UNHEALTHY', `targetgroup/tg-${i}/abc:${ID}`),
    );
    const root = groupByCause([down, ...many]).findings[0] as Finding;
    const read = consequencesOf(root);
    expect(read.list).toHaveLength(MAX_STORED_CONSEQUENCES);
    expect(read.total).toBe(MAX_STORED_CONSEQUENCES + 5);
    const lines = consequenceLines(read);
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe(`INSTANCE_UNHEALTHY on targetgroup/tg-0/abc:${ID}`);
    expect(lines[10]).toBe(`and ${MAX_STORED_CONSEQUENCES + 5 - 10} more`);
  });

  it('reads consequences defensively', () => {
    expect(consequencesOf({})).toEqual({ list: [], total: 0 });
    expect(consequencesOf({ details: { consequences: 'no' } })).toEqual({ list: [], total: 0 });
    expect(
      consequencesOf({
        details: { consequences: [null, { code: 'X', resource: 'r' }], consequenceCount: -1 },
      }),
    ).toEqual({ list: [{ code: 'X', resource: 'r', message: '' }], total: 1 });
  });
});
