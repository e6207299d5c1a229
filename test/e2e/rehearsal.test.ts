import { describe, expect, it } from 'vitest';
import { rehearse } from '../../sandbox/rehearsal/story.ts';
import { withMoto } from '../support/moto-hooks.ts';

const moto = withMoto();

/** The whole story, end to end, through the real handlers, against moto and local TLS servers. */
describe('kops upgrade rehearsal', () => {
  it('repair mode: registers, verifies, warns before kops update detaches, repairs the detachment, catches the ACM listener, resolves', async () => {
    const result = await rehearse({ reportOnly: false, groups: 3, moto: moto() });
    expect(result.timeline.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    // one alert per cause: the instance group spec that drops the load balancers (warned before
    // kops update detaches them, both load balancers of that group), and the listener, with the
    // handshakes through the load balancer and the API name listed under it; each fires once and
    // resolves once
    expect(result.alerts.map((a) => `${a.kind} ${a.code}`)).toEqual([
      'fire KOPS_LB_NOT_IN_SPEC',
      'fire KOPS_LB_NOT_IN_SPEC',
      'fire LISTENER_TERMINATES_TLS',
      'resolve KOPS_LB_NOT_IN_SPEC',
      'resolve KOPS_LB_NOT_IN_SPEC',
      'resolve LISTENER_TERMINATES_TLS',
    ]);
    const listener = result.alerts.find((a) => a.code === 'LISTENER_TERMINATES_TLS');
    const consequences = (listener?.consequences ?? []).map((c) => c.code);
    expect(consequences.sort()).toEqual(['TLS_UNTRUSTED_ISSUER', 'TLS_UNTRUSTED_ISSUER']);
    const headers = result.slack.map(
      (m) =>
        (m as { blocks: { type: string; text?: { text: string } }[] }).blocks.find((b) => b.type === 'header')
          ?.text?.text,
    );
    expect(headers).toHaveLength(6);
    expect(headers[0]).toContain(
      'Firing: The next `kops update cluster --yes` will detach the load balancer',
    );
    expect(headers[2]).toContain('Firing: Listener terminates TLS');
    expect(headers.filter((h) => h?.includes('Resolved: Listener terminates TLS'))).toHaveLength(1);
    expect(JSON.stringify(result.slack[2])).toContain('TLS_UNTRUSTED_ISSUER on dns/');
  });

  it('report-only mode: the detachment is only reported, alerted, and resolved once an operator fixes it', async () => {
    const result = await rehearse({ reportOnly: true, groups: 2, moto: moto() });
    expect(result.timeline.checks.filter((c) => !c.ok)).toEqual([]);
    const fired = result.alerts.filter((a) => a.kind === 'fire');
    // one alert per cause: the spec that drops the load balancers, the detachments (the
    // registrations they imply listed under them) and the listener
    expect(fired.map((a) => a.code).sort()).toEqual([
      'KOPS_LB_NOT_IN_SPEC',
      'KOPS_LB_NOT_IN_SPEC',
      'LB_NOT_ATTACHED',
      'LB_NOT_ATTACHED',
      'LISTENER_TERMINATES_TLS',
    ]);
    expect(
      fired.flatMap((a) => (a.code === 'LB_NOT_ATTACHED' ? (a.consequences ?? []) : [])).map((c) => c.code),
    ).toContain('INSTANCE_NOT_REGISTERED');
  });
});
