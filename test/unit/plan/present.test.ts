import { describe, expect, it } from 'vitest';
import { plan } from '../../../functions/core/plan/plan.ts';
import { unapplied } from '../../../functions/core/plan/present.ts';
import { CLUSTER, E, G1, id, picture, T } from './picture.ts';

const i1 = id(1);

/** The messages the runbook and the README quote, for an unapplied plan. */
describe('an unapplied plan', () => {
  const missing = plan(picture({ groups: [{ attached: ['tg'] }], classic: [], tg: { 1: [8443] } }));

  it('report-only says what it would have done', () => {
    const f = unapplied(CLUSTER, missing, 'would-repair');
    expect(f.map((x) => x.message)).toEqual([
      `${E} was not attached to ${G1}: report-only: would have attached it`,
      `${T} is attached to ${G1}`,
      `${i1} (${G1}) was not registered on ${E}: report-only: would have registered it`,
      `${i1} was registered on port(s) 8443 only on ${T}: report-only: would have registered it on port 443 and removed port(s) 8443`,
    ]);
    expect(f.every((x) => x.cluster === CLUSTER)).toBe(true);
    expect(f.find((x) => x.code === 'INSTANCE_NOT_REGISTERED')?.details).toEqual({ group: G1 });
  });

  it('the verifier leaves it for the registrar, with action none', () => {
    const f = unapplied(CLUSTER, missing, 'none');
    expect(f.map((x) => `${x.code} ${x.action}`)).toEqual([
      'LB_NOT_ATTACHED none',
      'LB_ATTACHED none',
      'INSTANCE_NOT_REGISTERED none',
      'TARGET_WRONG_PORT none',
    ]);
    expect(f[0]?.message).toBe(`${E} was not attached to ${G1}: left for the registrar to repair`);
  });

  it('a stale registration says why it is stale', () => {
    const p = plan(picture({ classic: [1, 5], tg: { 1: [443] }, ec2: { 1: {}, 5: { state: 'stopped' } } }));
    const stale = unapplied(CLUSTER, p, 'would-repair').find((x) => x.code === 'STALE_REGISTRATION');
    expect(stale?.actual).toBe('registered (not a live control-plane or API-server instance of the cluster)');
    expect(stale?.message).toBe(
      `${id(5)} was registered on ${E} but is not a live control-plane or API-server instance of the cluster: report-only: would have deregistered it`,
    );
  });

  it('a skipped registration names what EC2 said', () => {
    const p = plan(picture({ classic: [], tg: { 1: [443] }, ec2: { 1: { is: 'other' } } }));
    const f = unapplied(CLUSTER, p, 'would-repair').find((x) => x.code === 'INSTANCE_OF_OTHER_CLUSTER');
    expect(f).toMatchObject({
      action: 'skipped',
      expected: `an instance of ${CLUSTER}`,
      actual: 'tagged KubernetesCluster=old.example.com',
      message: `${i1} was not registered on ${E}: tagged KubernetesCluster=old.example.com`,
    });
  });
});
